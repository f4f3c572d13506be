from django.db import migrations, models


class Migration(migrations.Migration):
    """An index of the synthetic values only: every page asks whether there are any (the demo's
    notice), which scanned all of a national home's real values (0.1 s a page for a million)."""

    dependencies = [
        ("collection", "0009_value_by_unit_source_newest"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="datavalue",
            index=models.Index(
                condition=models.Q(synthetic=True), fields=["synthetic"], name="value_synthetic"
            ),
        ),
    ]
