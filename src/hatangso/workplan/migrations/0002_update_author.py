"""Each progress update records its author's organisation (issue 16 item 5); updates written before
get theirs from their author's memberships, as add_update now does."""

import django.db.models.deletion
from django.db import migrations, models


def backfill_authors(apps, schema_editor):
    ProgressUpdate = apps.get_model("workplan", "ProgressUpdate")
    Membership = apps.get_model("core", "Membership")
    for update in ProgressUpdate.objects.select_related("task__item__lead"):
        lead = update.task.item.lead
        for m in Membership.objects.filter(user__username=update.created_by).select_related("agency"):
            if m.role == "agency" and m.agency_id and (lead is None or m.agency_id == lead.pk):
                update.author_agency_id = m.agency_id
            elif m.role == "commune" and m.unit_id and lead is not None and lead.kind == "commune_committee":
                update.author_unit_id = m.unit_id
            elif m.role == "enterprise" and m.operator_id and lead is not None and lead.kind == "enterprise":
                update.author_operator_id = m.operator_id
            else:
                continue
            update.save(update_fields=["author_agency", "author_unit", "author_operator"])
            break


class Migration(migrations.Migration):
    dependencies = [
        ("geography", "0002_unit_boundaries"),
        ("plans", "0003_report_settings"),
        ("registry", "0003_infrastructure"),
        ("workplan", "0001_initial"),
        ("core", "0002_apitoken_membership"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressupdate",
            name="author_agency",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="plans.agency",
            ),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="author_operator",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="registry.operator",
            ),
        ),
        migrations.AddField(
            model_name="progressupdate",
            name="author_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="geography.administrativeunit",
            ),
        ),
        migrations.RunPython(backfill_authors, migrations.RunPython.noop),
    ]
