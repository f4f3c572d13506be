"""The operators of Vietnam's market (DESIGN.md §7), loaded as reference data."""

from django.db import transaction

from hatangso.core.changelog import Actor, record_change
from hatangso.core.models import ChangeLogEntry
from hatangso.registry.models import Operator

VIETNAM_OPERATORS = [
    # code, name, short name, mnc, mobile, fixed
    ("mobifone", "Tổng công ty Viễn thông MobiFone", "MobiFone", "01", True, True),
    ("vnpt", "Tập đoàn Bưu chính Viễn thông Việt Nam (VinaPhone)", "VNPT", "02", True, True),
    ("viettel", "Tập đoàn Công nghiệp - Viễn thông Quân đội", "Viettel", "04", True, True),
    ("vietnamobile", "Công ty Cổ phần Viễn thông Di động Vietnamobile", "Vietnamobile", "05", True, False),
    ("gmobile", "Công ty Cổ phần Viễn thông Di động Toàn Cầu (Gmobile)", "Gmobile", "07", True, False),
    ("fpt", "Công ty Cổ phần Viễn thông FPT", "FPT Telecom", "", False, True),
]


@transaction.atomic
def load_reference_operators(*, actor: Actor) -> int:
    created = 0
    for code, name, short, mnc, mobile, fixed in VIETNAM_OPERATORS:
        operator, was_created = Operator.objects.get_or_create(
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
        if was_created:
            record_change(actor, ChangeLogEntry.Action.CREATE, operator)
            created += 1
    return created
