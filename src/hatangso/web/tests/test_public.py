"""Publishing a period's scorecard and the public page: citizens see only what the plan owner
published — a frozen snapshot of rates and ratings — and never a commune's reported figures."""

from datetime import date

import pytest
from django.db import connections

from hatangso.analytics.models import PublishedScorecard
from hatangso.analytics.publishing import publish_scorecard, withdraw_publication
from hatangso.analytics.services import compute_scorecard
from hatangso.cli import main
from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import set_value
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import plan_without_scans

JUNE = date(2024, 6, 1)
API = "/api/v1/plans/1529-kh-ubnd/scorecard"
# Distinctive reported figures: population, internet users. Tứ Hạ 96,9 %, Hương Toàn 94,1 %.
FIGURES = {"19996": ("40357", "39113"), "20005": ("37219", "35021")}
RAW = ("40.357", "39.113", "37.219", "35.021", "40357", "39113", "37219", "35021")


def enter(actor, code, population, users, synthetic=False):
    unit = resolve_unit(code, start=JUNE)
    for element, value in (("population", population), ("internet_users", users)):
        set_value(element=DataElement.objects.get(code=element), unit=unit, period="2024", value=value,
                  actor=actor, synthetic=synthetic)  # fmt: skip


def compute(plan):
    for unit in (plan.area_unit, *(resolve_unit(c, start=JUNE) for c in FIGURES)):
        compute_scorecard(plan=plan, unit=unit, period=parse_period("2024"))


@pytest.fixture
def computed(seed_plan, actor):
    for code, (population, users) in FIGURES.items():
        enter(actor, code, population, users)
    compute(seed_plan)
    return seed_plan


def account(actor, name, role=None, **membership):
    user = create_user(username=name, password="a long passphrase 2024", actor=actor)
    if role:
        grant_membership(user=user, role=role, actor=actor, **membership)
    return user


@pytest.fixture
def owner(computed, actor):
    return account(actor, "vhtt", "plan_owner", unit=computed.area_unit)


def internet(card: dict) -> dict:
    return next(i for i in card["indicators"] if i["code"] == "internet_users")


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """`hatangso ARGS` in this process: (exit code, stdout, stderr) with spaces collapsed."""
    # Django closes every connection when a command ends (run_from_argv); on PostgreSQL that would
    # end the test's transaction (SQLite's in-memory test database is never closed).
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args) -> tuple[int, str, str]:
        capsys.readouterr()  # what earlier requests logged
        try:
            code = main(list(args))
        except SystemExit as exit:
            code = exit.code
        out, err = capsys.readouterr()
        return code, " ".join(out.split()), " ".join(err.split())

    return run


def test_nothing_published_says_so_everywhere(computed, client):
    page = client.get("/cong-khai/1529-kh-ubnd/")
    assert page.status_code == 200
    assert "Chưa có kết quả nào được công bố" in page.content.decode()
    assert not any(n in page.content.decode() for n in ("95,6", "96,9", "94,1"))
    response = client.get(API)
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Chưa công bố kết quả kỳ 2024 của kế hoạch 1529/KH-UBND",
        "detail_en": "No scorecard of plan 1529/KH-UBND is published for 2024",
    }
    assert (
        client.get("/cong-khai/1529-kh-ubnd/xa-phuong.geojson").json()["detail_en"]
        == "Nothing is published yet"
    )


def test_publish_on_the_command_line_is_audited_and_shows_on_the_public_page(computed, client, run_cli):
    code, out, _ = run_cli("publish", "--period", "2024")
    assert code == 0 and "Đã công bố kỳ 2024 của Thị xã Hương Trà" in out
    publication = PublishedScorecard.objects.get()
    assert (publication.period, publication.withdrawn_at, publication.published_by_name) == (
        "2024", None, "system"
    )  # fmt: skip
    log = ChangeLogEntry.objects.get(object_type="analytics.publishedscorecard")
    assert (log.action, log.origin, log.object_id) == ("create", "cli: hatangso publish", str(publication.pk))
    page = client.get("/cong-khai/1529-kh-ubnd/?indicator=internet_users").content.decode()
    assert "95,6%" in page  # the area: (39113 + 35021) / (40357 + 37219)
    assert "Kết quả thực hiện · Năm 2024 · Thị xã Hương Trà</h3>" in page  # the period in words
    assert "96,9" in page and "94,1" in page  # the communes' rates
    assert not [n for n in RAW if n in page]  # never a commune's reported figures
    assert 'href="/phan-anh/"' in page and "1529/KH-UBND" in page and "IV.1" in page
    assert "synthetic demo data" not in page  # these figures are not synthetic
    card = client.get(API).json()
    assert internet(card)["numerator"] == 74134 and "lineage" not in internet(card)  # area aggregates
    commune = client.get(f"{API}?unit=20005").json()
    assert commune["unit"] == {"code": "20005", "name": "Xã Hương Toàn"}
    assert (internet(commune)["value"], internet(commune)["numerator"]) == (94.1, None)
    shapes = client.get("/cong-khai/1529-kh-ubnd/xa-phuong.geojson?indicator=internet_users").json()
    assert shapes["properties"]["period"] == "2024" and shapes["properties"]["indicator"] == "internet_users"


def test_data_changed_after_publishing_leave_the_public_unchanged(computed, owner, client, actor):
    publish_scorecard(plan=computed, period="2024", actor=actor)
    enter(actor, "19996", "40357", "40000")  # Tứ Hạ now 99,1 %; the area 96,7 %
    compute(computed)
    page = client.get("/cong-khai/1529-kh-ubnd/?indicator=internet_users").content.decode()
    assert "95,6%" in page and "96,9" in page and "99,1" not in page
    assert internet(client.get(API).json())["value"] == 95.6
    assert internet(client.get(f"{API}?unit=19996").json())["value"] == 96.9
    client.force_login(owner)  # an account reads the live scorecard
    assert internet(client.get(API).json())["value"] == 96.7
    assert "99,1" in client.get("/ke-hoach/1529-kh-ubnd/ban-do/?indicator=internet_users").content.decode()
    client.logout()
    publish_scorecard(plan=computed, period="2024", actor=actor)  # publishing again replaces it
    assert internet(client.get(API).json())["value"] == 96.7
    assert PublishedScorecard.objects.filter(withdrawn_at__isnull=True).count() == 1
    replaced = PublishedScorecard.objects.get(withdrawn_at__isnull=False)
    log = ChangeLogEntry.objects.get(object_type="analytics.publishedscorecard", object_id=str(replaced.pk),
                                     action="update")  # fmt: skip
    assert log.before["withdrawn_at"] is None and log.after["withdrawn_at"] is not None
    assert log.reason.startswith("thay bằng bản công bố mới")


def test_withdraw_on_the_command_line(computed, client, run_cli, actor):
    publish_scorecard(plan=computed, period="2024", actor=actor)
    code, out, _ = run_cli("publish", "--period", "2024", "--withdraw")
    assert code == 0 and "Đã rút công bố kỳ 2024" in out
    assert "Chưa có kết quả nào được công bố" in client.get("/cong-khai/1529-kh-ubnd/").content.decode()
    assert client.get(API).status_code == 404
    assert (
        ChangeLogEntry.objects.filter(object_type="analytics.publishedscorecard", action="update").count()
        == 1
    )
    code, _, err = run_cli("publish", "--period", "2024", "--withdraw")
    assert (code, err) == (1, "Lỗi / Error: Kỳ 2024 chưa được công bố / Nothing is published for 2024")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("20x4", "Kỳ báo cáo '20X4' không hợp lệ; dùng 2024, 2024Q3 hoặc 202409 / "
                 "Period '20X4' is not valid; use 2024, 2024Q3 or 202409"),
        ("2023", "Kỳ 2023 nằm ngoài kỳ 2024 của kế hoạch 1529/KH-UBND: không công bố / "
                 "Period 2023 is outside the period 2024 of plan 1529/KH-UBND: nothing published"),
    ],
)  # fmt: skip
def test_a_bad_period_publishes_nothing(computed, run_cli, table_counts, period, message):
    before = table_counts()
    code, _, err = run_cli("publish", "--period", period)
    assert (code, err) == (1, f"Lỗi / Error: {message}")
    assert table_counts() == before


def test_the_publish_page_is_the_plan_owners(computed, owner, client, actor, table_counts):
    assert (
        client.post("/ke-hoach/1529-kh-ubnd/cong-bo/", {"period": "2024"}).url
        == "/dang-nhap/?next=/ke-hoach/1529-kh-ubnd/cong-bo/"
    )
    for role, membership in (("tuha", {"role": "commune", "unit": resolve_unit("19996", start=JUNE)}),
                             ("lanhdao", {"role": "leader", "unit": computed.area_unit})):  # fmt: skip
        client.force_login(account(actor, role, **membership))
        assert client.get("/ke-hoach/1529-kh-ubnd/cong-bo/").status_code == 404
        assert client.post("/ke-hoach/1529-kh-ubnd/cong-bo/", {"period": "2024"}).status_code == 404
    assert PublishedScorecard.objects.count() == 0
    client.force_login(owner)
    assert (
        'href="/ke-hoach/1529-kh-ubnd/cong-bo/"'
        in client.get("/ke-hoach/1529-kh-ubnd/bao-cao/").content.decode()
    )  # reached from the report page
    page = client.get("/ke-hoach/1529-kh-ubnd/cong-bo/").content.decode()
    assert '<option value="2024">2024</option>' in page and "Chưa công bố kỳ nào" in page
    before = table_counts()
    response = client.post("/ke-hoach/1529-kh-ubnd/cong-bo/", {"period": "2023"}, follow=True)
    assert "Kỳ 2023 nằm ngoài kỳ 2024 của kế hoạch 1529/KH-UBND" in response.content.decode()
    assert table_counts() == before
    response = client.post("/ke-hoach/1529-kh-ubnd/cong-bo/", {"period": "2024"}, follow=True)
    assert "Đã công bố kết quả kỳ 2024." in response.content.decode()
    publication = PublishedScorecard.objects.get()
    assert (publication.published_by, publication.published_by_name) == (owner, "vhtt")
    log = ChangeLogEntry.objects.get(object_type="analytics.publishedscorecard")
    assert (log.user, log.origin) == (owner, "web: /ke-hoach/1529-kh-ubnd/cong-bo/")
    response = client.post(
        "/ke-hoach/1529-kh-ubnd/cong-bo/", {"period": "2024", "action": "withdraw"}, follow=True
    )
    assert "Đã rút công bố kết quả kỳ 2024." in response.content.decode()
    assert PublishedScorecard.objects.get().withdrawn_by_name == "vhtt"


def test_only_the_plan_owner_may_publish_through_the_service(computed, actor, table_counts):
    clerk = account(actor, "tuha", "commune", unit=resolve_unit("19996", start=JUNE))
    before = table_counts()
    with pytest.raises(UserError) as refused:
        publish_scorecard(plan=computed, period="2024", actor=Actor(user=clerk, origin="test"))
    assert refused.value.en == "Only the plan owner may publish results"
    with pytest.raises(UserError):
        withdraw_publication(plan=computed, period="2024", actor=Actor(user=clerk, origin="test"))
    assert table_counts() == before


def test_bad_public_inputs_get_the_reason(computed, client, actor):
    publish_scorecard(plan=computed, period="2024", actor=actor)
    page = client.get("/cong-khai/1529-kh-ubnd/?indicator=khong_co")
    assert page.status_code == 404
    assert "Kết quả công bố không có chỉ tiêu &#x27;khong_co&#x27;" in page.content.decode()
    shapes = client.get("/cong-khai/1529-kh-ubnd/xa-phuong.geojson?indicator=khong_co")
    assert (shapes.status_code, shapes.json()["detail_en"]) == (
        404, "The published scorecard has no indicator 'khong_co'"
    )  # fmt: skip
    unit = client.get(f"{API}?unit=99999")
    assert (unit.status_code, unit.json()["detail_en"]) == (
        404, "The scorecard published for 2024 has no unit with code 99999"
    )  # fmt: skip
    assert client.get(f"{API}?period=2023").status_code == 404
    bad = client.get(f"{API}?period=20x4")
    # The schema types the period (DHIS2 codes), so the API refuses it before the view: 422.
    assert (bad.status_code, bad.json()["detail_en"]) == (422, "Invalid parameters: period")
    assert [e["loc"] for e in bad.json()["errors"]] == [["query", "period"]]
    assert client.get(API, HTTP_AUTHORIZATION="Bearer hts_not-a-token").status_code == 401


def test_synthetic_data_are_labelled_on_the_public_page(seed_plan, actor, client):
    for code, (population, users) in FIGURES.items():
        enter(actor, code, population, users, synthetic=True)
    compute(seed_plan)
    publication = publish_scorecard(plan=seed_plan, period="2024", actor=actor)
    assert publication.synthetic and publication.snapshot["scorecard"]["synthetic"]
    page = client.get("/cong-khai/1529-kh-ubnd/").content.decode()
    assert "synthetic demo data" in page and "kết quả dưới đây được tính từ số liệu mẫu" in page


def test_whether_any_value_is_synthetic_is_one_probe_of_their_own_index(seed_plan, actor, client):
    """Every page asks it (the demo's notice): a national home's millions of real values must not be
    scanned for it. The planner is told to avoid a scan, so that the index is shown to be usable
    for the page's own question (a few test rows alone would not make PostgreSQL choose it)."""
    for code, (population, users) in FIGURES.items():
        enter(actor, code, population, users)
    assert "synthetic demo data" not in client.get("/cong-khai/1529-kh-ubnd/").content.decode()
    assert "value_synthetic" in plan_without_scans(DataValue.objects.filter(synthetic=True))
