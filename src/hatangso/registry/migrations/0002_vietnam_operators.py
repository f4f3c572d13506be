"""Vietnam's operators are reference data every installation needs (plan files name them)."""

from django.db import migrations


def add_operators(apps, schema_editor):
    from hatangso.registry.operators import VIETNAM_OPERATORS

    operator_model = apps.get_model("registry", "Operator")
    for code, name, short, mnc, mobile, fixed in VIETNAM_OPERATORS:
        operator_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "mcc": "452" if mnc else "",
                "mnc": mnc,
                "mobile": mobile,
                "fixed": fixed,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_operators, migrations.RunPython.noop)]
