"""Many plans at once: the seed plan of thị xã Hương Trà (480), a plan of the province (46) that
covers it, and a plan of thị xã Hương Thủy (479) beside it — the last two made from the seed's file
with another code and area. Pages live under `/ke-hoach/<slug>/`; a user opens the plans whose area
covers or lies within the membership's; commands want `--plan` once there are several."""

from datetime import date

import pytest

from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Plan
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.web.tests.test_public import run_cli  # noqa: F401 (a fixture)

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
SEED_TITLE = "Kế hoạch Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024"
SEED, PROVINCE, BESIDE = "1529-kh-ubnd", "159-kh-ubnd", "77-kh-ubnd"
AMBIGUOUS_VI = "Có 3 kế hoạch (1529/KH-UBND, 159/KH-UBND, 77/KH-UBND); chọn một bằng --plan MÃ"
AMBIGUOUS_EN = "There are 3 plans (1529/KH-UBND, 159/KH-UBND, 77/KH-UBND); choose one with --plan CODE"


def plan_file(tmp_path, *, code: str, area: str, title: str):
    """The seed's plan file with another code, area and title (a plan that was never issued)."""
    text = SEED_PLAN_FILE.read_text(encoding="utf-8")
    for old, new in (
        ('code: "1529/KH-UBND"', f'code: "{code}"'),
        ('area_unit: "480"', f'area_unit: "{area}"'),
        (f'title: "{SEED_TITLE}"', f'title: "{title}"'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / f"{area}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plans(seed_plan, actor, tmp_path_factory, recorded_rows):
    def load():
        folder = tmp_path_factory.mktemp("plans")
        load_plan(path=plan_file(folder, code="159/KH-UBND", area="46", title="Kế hoạch minh họa của tỉnh"),
                  actor=actor, user=COMMAND_LINE)  # fmt: skip
        title = "Kế hoạch minh họa của Hương Thủy"
        load_plan(
            path=plan_file(folder, code="77/KH-UBND", area="479", title=title), actor=actor, user=COMMAND_LINE
        )

    recorded_rows.load("many_plans", load)
    return {plan.slug: plan for plan in Plan.objects.all()}


@pytest.fixture
def login(client, actor):
    """`login(role, unit_code)` logs a new account with that membership in; returns the client."""
    made = []

    def as_user(role: str | None = None, unit: str | None = None, superuser: bool = False):
        user = create_user(username=f"user{len(made)}", password=PASSWORD, actor=actor)
        if superuser:
            user.is_superuser = True
            user.save()
        if role:
            grant_membership(user=user, role=role, unit=resolve_unit(unit, start=JUNE_2024), actor=actor)
        made.append(user)
        client.force_login(user)
        return client

    return as_user


def switcher(page: str) -> list[str]:
    """The slugs the header's plan switcher offers, in order."""
    menu = page.split('<details class="plans">', 1)[1].split("</details>", 1)[0]
    return [part.split("/", 1)[0] for part in menu.split('href="/ke-hoach/')[1:]]


def test_the_switcher_lists_the_plans_covering_or_within_the_users_area(plans, login):
    page = login("commune", "19996").get("/").content.decode()
    assert switcher(page) == [SEED, PROVINCE]  # the district's and the province's, not Hương Thủy's
    page = login("plan_owner", "46").get("/").content.decode()
    assert switcher(page) == [SEED, PROVINCE, BESIDE]  # every plan within the province
    assert switcher(login("plan_owner", "479").get("/").content.decode()) == [PROVINCE, BESIDE]
    assert switcher(login(superuser=True).get("/").content.decode()) == [SEED, PROVINCE, BESIDE]
    # On a plan's page the switcher offers the same page of the other plans.
    page = login("plan_owner", "46").get(f"/ke-hoach/{BESIDE}/ban-do/").content.decode()
    assert f'href="/ke-hoach/{SEED}/ban-do/"' in page
    assert f'href="/ke-hoach/{BESIDE}/ban-do/" aria-current="page"' in page


@pytest.mark.parametrize(
    ("slug", "area", "title"),
    [
        (SEED, "Thị xã Hương Trà", SEED_TITLE),
        (PROVINCE, "Thành phố Huế", "Kế hoạch minh họa của tỉnh"),
        (BESIDE, "Thị xã Hương Thủy", "Kế hoạch minh họa của Hương Thủy"),
    ],
)
def test_each_plans_pages_show_that_plan(plans, login, slug, area, title):
    client = login("plan_owner", "46")  # the province's department: every plan is within its area
    plan = plans[slug]
    base = f"/ke-hoach/{slug}"
    dashboard = client.get(f"{base}/").content.decode()
    assert f"{plan.code} — {title}" in dashboard and f'href="{base}/chi-tieu/internet_users/"' in dashboard
    indicator = client.get(f"{base}/chi-tieu/internet_users/")
    assert indicator.context["plan"] == plan and indicator.context["unit"].name == area
    map_page = client.get(f"{base}/ban-do/").content.decode()
    assert f"Bản đồ hạ tầng số · {area}" in map_page
    assert f'data-communes="{base}/ban-do/xa-phuong.geojson?indicator=' in map_page
    communes = client.get(f"{base}/ban-do/xa-phuong.geojson?indicator=internet_users").json()
    assert {f["properties"]["code"] for f in communes["features"]} <= {
        u.code for u in plan.area_unit.__class__.objects.filter(path__startswith=plan.area_unit.path)
    }
    report = client.get(f"{base}/bao-cao/")
    assert report.context["plan"] == plan and f'href="{base}/bao-cao/tai/docx/"' in report.content.decode()
    publish = client.get(f"{base}/cong-bo/").content.decode()
    assert f"Công bố kết quả cho người dân · {plan.code}" in publish
    tasks = client.get(f"{base}/nhiem-vu/")
    assert tasks.context["plan"] == plan
    task = tasks.context["rows"][0][0]
    assert client.get(f"{base}/nhiem-vu/{task.pk}/").status_code == 200
    other = next(s for s in plans if s != slug)
    assert client.get(f"/ke-hoach/{other}/nhiem-vu/{task.pk}/").status_code == 404  # not that plan's


def test_each_user_lands_on_the_plan_of_their_membership(plans, login):
    assert login("commune", "19996").get("/").context["plan"].slug == SEED  # the most specific
    assert login("plan_owner", "480").get("/").context["plan"].slug == SEED
    assert login("plan_owner", "46").get("/").context["plan"].slug == PROVINCE
    assert login("leader", "479").get("/").context["plan"].slug == BESIDE
    assert login("commune", "19903").get("/").context["plan"].slug == PROVINCE  # Phú Vang: the province's


def test_a_user_whose_area_no_plan_covers_is_told_so(seed_plan, login):
    client = login("commune", "19903")  # a commune of Phú Vang; the only plan is Hương Trà's
    for address in ("/", "/chi-tieu/internet_users/", "/ban-do/"):
        response = client.get(address)
        assert response.status_code == 200 and "Tài khoản của bạn chưa theo dõi kế hoạch nào" in (
            response.content.decode()
        ), address
    assert client.get(f"/ke-hoach/{SEED}/").status_code == 404


def test_a_commune_sees_both_plans_covering_it_and_no_other(plans, login):
    client = login("commune", "19996")
    for slug in (SEED, PROVINCE):
        assert client.get(f"/ke-hoach/{slug}/").status_code == 200
        assert client.get(f"/ke-hoach/{slug}/chi-tieu/internet_users/").status_code == 200
        assert client.get(f"/ke-hoach/{slug}/ban-do/").status_code == 200
        assert client.get(f"/ke-hoach/{slug}/nhiem-vu/").status_code == 200
    for path in ("", "chi-tieu/internet_users/", "ban-do/", "ban-do/xa-phuong.geojson", "nhiem-vu/",
                 "tuyen-duong/", "bao-cao/", "cong-bo/", "duyet/"):  # fmt: skip
        assert client.get(f"/ke-hoach/{BESIDE}/{path}").status_code == 404, path
    assert client.get("/ke-hoach/khong-co/").status_code == 404
    # It enters its figures once for every plan that needs them: the forms of both plans.
    page = client.get("/nhap-lieu/").content.decode()
    assert "Kế hoạch 1529/KH-UBND (2024)" in page and "Kế hoạch 159/KH-UBND (2024)" in page
    assert "77/KH-UBND" not in page


def test_roles_apply_to_every_plan_covering_the_area_as_the_role_allows(plans, login):
    client = login("plan_owner", "480")  # the district's owner: manages its plan, reads the province's
    assert client.get(f"/ke-hoach/{SEED}/bao-cao/").status_code == 200
    assert client.get(f"/ke-hoach/{SEED}/cong-bo/").status_code == 200
    assert client.get(f"/ke-hoach/{PROVINCE}/").status_code == 200
    assert client.get(f"/ke-hoach/{PROVINCE}/bao-cao/").status_code == 404
    assert client.get(f"/ke-hoach/{PROVINCE}/cong-bo/").status_code == 404
    assert client.get(f"/ke-hoach/{BESIDE}/").status_code == 404
    client = login("leader", "46")  # the province's leader reads each plan within the province
    for slug in plans:
        assert client.get(f"/ke-hoach/{slug}/chi-tieu/internet_users/").status_code == 200
        assert client.get(f"/ke-hoach/{slug}/bao-cao/").status_code == 404  # not the plan owner


def test_former_addresses_go_to_the_users_plan_when_there_is_one(plans, login):
    client = login("plan_owner", "479")  # two plans: the province's and Hương Thủy's
    response = client.get("/ban-do/?indicator=internet_users")
    page = response.content.decode()
    assert response.status_code == 200 and "Chọn kế hoạch" in page
    assert f'href="/ke-hoach/{PROVINCE}/ban-do/?indicator=internet_users"' in page
    assert f'href="/ke-hoach/{BESIDE}/ban-do/?indicator=internet_users"' in page
    assert f"/ke-hoach/{SEED}/" not in page.split("<main", 1)[1]


def test_former_addresses_redirect_with_one_plan(seed_plan, login):
    client = login("plan_owner", "480")
    for old, new in (
        ("/chi-tieu/internet_users/?unit=19996", f"/ke-hoach/{SEED}/chi-tieu/internet_users/?unit=19996"),
        ("/ban-do/", f"/ke-hoach/{SEED}/ban-do/"),
        ("/ban-do/xa-phuong.geojson?indicator=internet_users",
         f"/ke-hoach/{SEED}/ban-do/xa-phuong.geojson?indicator=internet_users"),
        ("/nhiem-vu/", f"/ke-hoach/{SEED}/nhiem-vu/"),
        ("/tuyen-duong/", f"/ke-hoach/{SEED}/tuyen-duong/"),
        ("/duyet/", f"/ke-hoach/{SEED}/duyet/"),
        ("/bao-cao/", f"/ke-hoach/{SEED}/bao-cao/"),
        ("/bao-cao/tai/pdf/", f"/ke-hoach/{SEED}/bao-cao/tai/pdf/"),
        ("/cong-bo/", f"/ke-hoach/{SEED}/cong-bo/"),
    ):  # fmt: skip
        response = client.get(old)
        assert (response.status_code, response.url) == (302, new), old
    task = seed_plan.items.filter(task__isnull=False).first().task
    assert client.get(f"/nhiem-vu/{task.pk}/").url == f"/ke-hoach/{SEED}/nhiem-vu/{task.pk}/"
    client.logout()
    assert client.get("/ban-do/").url == "/dang-nhap/?next=/ban-do/"


def test_the_public_lists_the_published_plans(plans, client, actor):
    from hatangso.analytics.publishing import publish_scorecard

    assert "Chưa có kết quả nào được công bố" in client.get("/cong-khai/").content.decode()
    publish_scorecard(plan=plans[PROVINCE], period="2024", actor=actor)
    assert client.get("/cong-khai/").url == f"/cong-khai/{PROVINCE}/"  # one only: straight to it
    publish_scorecard(plan=plans[SEED], period="2024", actor=actor)
    page = client.get("/cong-khai/").content.decode()
    assert f'href="/cong-khai/{SEED}/"' in page and f'href="/cong-khai/{PROVINCE}/"' in page
    assert f"/cong-khai/{BESIDE}/" not in page
    assert "Thành phố Huế" in client.get(f"/cong-khai/{PROVINCE}/").content.decode()
    assert "Chưa có kết quả nào được công bố" in client.get(f"/cong-khai/{BESIDE}/").content.decode()
    assert client.get("/cong-khai/khong-co/").status_code == 404


@pytest.mark.parametrize(
    "args",
    [
        ("compute", "--period", "2024"),
        ("report", "--format", "xlsx", "--out", "bao-cao.xlsx"),
        ("publish", "--period", "2024"),
        ("tasks", "list"),
        ("remind",),
        ("completeness", "ubnd_xa_nam", "--period", "2024"),
        ("plan", "condition", "province_deployed", "--met"),
    ],
)
def test_commands_refuse_an_ambiguous_plan_and_write_nothing(plans, run_cli, table_counts, args):  # noqa: F811
    before = table_counts()
    code, out, err = run_cli(*args)
    assert code == 1 and f"{AMBIGUOUS_VI} / {AMBIGUOUS_EN}" in err, (out, err)
    assert table_counts() == before


def test_a_command_works_on_the_plan_it_names(plans, run_cli):  # noqa: F811
    code, out, _ = run_cli("compute", "--plan", "77/KH-UBND", "--period", "2024", "--json")
    assert code == 0 and '"plan": "77/KH-UBND"' in out
