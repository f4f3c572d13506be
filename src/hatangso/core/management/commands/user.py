import getpass

from django.contrib.auth import get_user_model
from django.db.models import F
from rich.table import Table

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.models import Role
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.utilities.errors import NotFound, UserError


def _current_unit(code: str) -> AdministrativeUnit:
    """The unit with the code that is in force (or the latest one, for an abolished code)."""
    units = list(AdministrativeUnit.objects.filter(code=code).order_by(F("valid_from").desc(nulls_last=True)))
    in_force = [u for u in units if u.valid_to is None]
    if not units:
        raise NotFound(f"Không có đơn vị hành chính mã {code}", f"No administrative unit has code {code}")
    return (in_force or sorted(units, key=lambda u: u.valid_to))[-1]


class Command(HatangsoCommand):
    help = "Người dùng, vai trò và mã API / Users, roles and API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|grant|token|list")
        create = sub.add_parser("create", help="tạo người dùng / create a user")
        create.add_argument("username")
        create.add_argument("--name", default="", help="họ tên / full name")
        create.add_argument("--email", default="")
        grant = sub.add_parser("grant", help="giao vai trò / grant a role")
        grant.add_argument("username")
        grant.add_argument("role", choices=Role.values)
        grant.add_argument("--unit", help="mã đơn vị (địa bàn) / unit code")
        grant.add_argument("--operator", help="mã doanh nghiệp / operator code")
        grant.add_argument("--agency", help="mã cơ quan / agency code")
        token = sub.add_parser(
            "token", help="tạo mã API (chỉ hiện một lần) / create an API token (shown once)"
        )
        token.add_argument("username")
        token.add_argument("--name", default="cli")
        token.add_argument("--days", type=int, default=365)
        sub.add_parser("list", help="danh sách người dùng / list users")

    def command_label(self) -> str:
        return "user"

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound(f"Không có người dùng '{username}'", f"No user '{username}'")
        return user

    def handle(self, *args, action, **options):
        actor = self.actor()
        if action == "create":
            password = getpass.getpass("Mật khẩu / Password: ")
            if password != getpass.getpass("Nhập lại / Again: "):
                raise UserError("Hai lần nhập mật khẩu không khớp", "The two passwords differ")
            user = create_user(
                username=options["username"],
                password=password,
                actor=actor,
                full_name=options["name"],
                email=options["email"],
            )
            self.console.print(f"Đã tạo / Created {user.username}")
        elif action == "grant":
            operator = agency = unit = None
            if options["operator"]:
                operator = Operator.objects.filter(code=options["operator"]).first()
                if operator is None:
                    raise NotFound(
                        f"Không có doanh nghiệp '{options['operator']}'",
                        f"No operator '{options['operator']}'",
                    )
            if options["agency"]:
                agency = Agency.objects.filter(code=options["agency"]).first()
                if agency is None:
                    raise NotFound(
                        f"Không có cơ quan '{options['agency']}'", f"No agency '{options['agency']}'"
                    )
            if options["unit"]:
                unit = _current_unit(options["unit"])
            membership = grant_membership(
                user=self._user(options["username"]),
                role=options["role"],
                unit=unit,
                operator=operator,
                agency=agency,
                actor=actor,
            )
            self.console.print(f"Đã giao / Granted: {membership}")
        elif action == "token":
            _, secret = create_api_token(
                user=self._user(options["username"]), name=options["name"], actor=actor, days=options["days"]
            )
            self.console.print(
                "Mã API (lưu lại, sẽ không hiện lại) / API token (keep it; it is not shown again):"
            )
            self.stdout.write(secret)
        else:
            table = Table(title="Người dùng / Users")
            for column in ("Tên đăng nhập / Username", "Vai trò / Roles"):
                table.add_column(column)
            for user in get_user_model().objects.order_by("username").prefetch_related("memberships"):
                roles = "; ".join(str(m).split(" — ", 1)[1] for m in user.memberships.all())
                table.add_row(user.username, roles or ("quản trị / superuser" if user.is_superuser else "—"))
            self.console.print(table)
