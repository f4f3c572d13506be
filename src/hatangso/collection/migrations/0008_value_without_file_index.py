import django.db.models.deletion
from django.db import migrations, models

INDEX = "collection_datavalue_import_batch_id_aaba876c"


class Migration(migrations.Migration):
    """Drop the index of a value's import batch. Only the index: Django's AlterField would copy the
    whole values table on SQLite (tens of millions of rows in a national home)."""

    dependencies = [
        ("collection", "0007_value_indexes_lead"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="datavalue",
                    name="import_batch",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="collection.importbatch",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX "{INDEX}" ON "collection_datavalue" ("import_batch_id")',
                ),
            ],
        ),
    ]
