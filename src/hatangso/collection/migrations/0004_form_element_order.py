"""Form fields get an order and a mark for fields added on the web.

The plain many-to-many table becomes the explicit `FormElement` model without moving any row
(Django's documented way: state only, same table and columns); its unique index on (form, element)
already enforces the constraint the model declares.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0003_import_submissions"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="FormElement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "form",
                            models.ForeignKey(
                                db_column="reportform_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="fields",
                                to="collection.reportform",
                            ),
                        ),
                        (
                            "element",
                            models.ForeignKey(
                                db_column="dataelement_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="collection.dataelement",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "collection_reportform_elements",
                        "ordering": ["form", "order", "pk"],
                        "constraints": [
                            models.UniqueConstraint(fields=("form", "element"), name="unique_form_element")
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="reportform",
                    name="elements",
                    field=models.ManyToManyField(
                        related_name="forms", through="collection.FormElement", to="collection.dataelement"
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="formelement",
            name="order",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="formelement",
            name="added_on_web",
            field=models.BooleanField(default=False),
        ),
    ]
