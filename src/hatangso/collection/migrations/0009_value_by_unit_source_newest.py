from django.db import migrations, models


class Migration(migrations.Migration):
    """A unit's values per element and source, newest first, in place of its values per element and
    start: the scorecard then picks each source's latest value without sorting the scope's values
    (a national scorecard 2.1 → 0.7 s on SQLite). Both are plain CREATE and DROP INDEX statements."""

    dependencies = [
        ("collection", "0008_value_without_file_index"),
        ("geography", "0003_succession_share"),
        ("registry", "0004_unit_source_outside"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="datavalue",
            index=models.Index(
                fields=["unit", "data_element", "operator", "-period_end", "-period_start"],
                name="value_by_unit_source_newest",
            ),
        ),
        migrations.RemoveIndex(
            model_name="datavalue",
            name="collection__unit_id_bb9b5c_idx",
        ),
    ]
