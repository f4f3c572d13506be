"""The plan owner's plan-document pages through the real pages: upload, review side by side, correct,
download, load; and every bad input, with its message and nothing written."""

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.drafting import DRAFT_FOLDER, MAX_UPLOAD_BYTES
from hatangso.plans.models import Plan
from hatangso.plans.planfile import PlanFile
from hatangso.plans.tests.test_parsing import OTHER_PLAN, SEED, seed_text
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import CATALOG_TARGETS, needs_shared

PASSWORD = "a long passphrase 2024"
UPLOAD = "/ke-hoach/doc/"


class FormReader(HTMLParser):
    """What a browser would post from a page's form: its inputs, textareas and selects."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_of(response) -> dict:
    reader = FormReader()
    reader.feed(response.content.decode())
    data = {}
    for name, values in reader.data.items():
        if name == "csrfmiddlewaretoken":
            continue
        data[name] = values if len(values) != 1 else values[0]
    # A textarea's first newline is not part of its value (HTML parsing rule).
    return {k: (v[1:] if isinstance(v, str) and v.startswith("\n") else v) for k, v in data.items()}


def problems_of(response) -> str:
    html = response.content.decode()
    return html[html.find('<div class="problems"') :][:2000]


def field(data: dict, prefix: str, key: str, value: str, attribute: str) -> str:
    """The name of the `attribute` field of the formset row whose `key` field equals `value`."""
    for name, current in data.items():
        if name.startswith(f"{prefix}-") and name.endswith(f"-{key}") and current == value:
            return name.rsplit("-", 1)[0] + f"-{attribute}"
    raise KeyError(f"{prefix} row with {key}={value}")


@pytest.fixture
def people(reference_units, actor):
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit

    def account(name, role=None, unit=None):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        if role:
            grant_membership(
                user=user, role=role, actor=actor, unit=resolve_unit(unit, start=date(2024, 6, 1))
            )
        return user

    return {
        "owner": account("chu_tri", "plan_owner", "480"),
        "owner_phong_dien": account("chu_tri_pd", "plan_owner", "476"),
        "leader": account("lanh_dao", "leader", "480"),
    }


def drafts() -> set[str]:
    folder = settings.HOME / DRAFT_FOLDER
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def upload(client, name: str, content: bytes):
    return client.post(UPLOAD, {"document": SimpleUploadedFile(name, content)})


@needs_shared(SEED)
def test_the_owner_uploads_reviews_corrects_and_loads_the_seed(people, client, table_counts):
    client.force_login(people["owner"])
    assert UPLOAD in client.get("/").content.decode()  # the menu offers the page
    response = upload(client, "ke-hoach-1529.txt", seed_text().encode())
    assert response.status_code == 302
    draft_url = response.url
    page = client.get(draft_url)
    html = page.content.decode()
    assert page.status_code == 200
    # The source text with its line numbers beside the form; each row links to its source line.
    lines = seed_text().splitlines()
    bts_line = next(n for n, line in enumerate(lines, 1) if "trạm BTS giữa" in line)
    assert f'<li id="L{bts_line}" value="{bts_line}">- Tỷ lệ dùng chung vị trí trạm BTS' in html
    assert f'<a href="#L{bts_line}">{bts_line}</a>' in html
    fixed_line = next(n for n, line in enumerate(lines, 1) if "băng rộng cố định (cáp quang FTTH)" in line)
    assert f'<a href="#L{fixed_line - 1}">{fixed_line - 1}</a>' in html  # lines that begin alike
    assert f'<a href="#L{fixed_line}">{fixed_line}</a>' in html
    data = form_of(page)
    assert data["plan-code"] == "1529/KH-UBND" and data["plan-issued_on"] == "06/05/2024"
    assert data["plan-report_deadline"] == "30/11/2024" and data["plan-parent_code"] == "159/KH-UBND"
    assert {v for k, v in data.items() if k.startswith("ind-") and k.endswith("-code")} == set(
        CATALOG_TARGETS
    )
    assert data[field(data, "item", "number", "VI.3.d", "coordinating")] == [
        "co_quan_lien_quan",
        "phong_vhtt",
    ]

    # Correct: a target, the deadline, a lead agency; drop an item.
    data[field(data, "ind", "code", "bts_site_sharing", "target")] = "20"
    data["plan-report_deadline"] = "15/12/2024"
    data[field(data, "item", "number", "III.1.d", "DELETE")] = "on"
    saved = client.post(draft_url, {**data, "action": "save"})
    assert saved.status_code == 302 and saved.url == draft_url
    data = form_of(client.get(draft_url))
    assert data[field(data, "ind", "code", "bts_site_sharing", "target")] == "20"
    assert data["plan-report_deadline"] == "15/12/2024"

    # Download the corrected plan file: a YAML attachment the schema accepts.
    download = client.get(f"{draft_url}yaml/")
    assert download["Content-Type"] == "application/x-yaml; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="ban-nhap-1529-kh-ubnd.yaml"'
    spec = PlanFile.model_validate(yaml.safe_load(download.content.decode()))
    assert spec.plan.report_deadline == date(2024, 12, 15)

    before = table_counts()
    loaded = client.post(draft_url, {**data, "action": "load"})
    assert loaded.status_code == 302 and loaded.url == "/ke-hoach/1529-kh-ubnd/noi-dung/"
    plan = Plan.objects.get(code="1529/KH-UBND")
    assert plan.report_deadline == date(2024, 12, 15) and plan.source_file == "ke-hoach-1529.txt"
    assert str(plan.indicators.get(code="bts_site_sharing").target.normalize()) == "2E+1"
    assert not plan.items.filter(number="III.1.d").exists()
    assert set(plan.items.get(number="VI.3.d").coordinating.values_list("code", flat=True)) == {
        "phong_vhtt",
        "co_quan_lien_quan",
    }
    assert table_counts()["core.ChangeLogEntry"] > before["core.ChangeLogEntry"]
    assert ChangeLogEntry.objects.filter(actor="chu_tri", object_type="plans.plan").exists()
    shown = client.get(loaded.url).content.decode()
    assert "Đã nạp kế hoạch 1529/KH-UBND: 15 chỉ tiêu" in shown
    assert "Sở Thông tin và Truyền thông" in shown and "bts_site_sharing" in shown


@needs_shared(SEED)
def test_a_docx_upload(people, client):
    document = Document()
    for line in seed_text().splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    client.force_login(people["owner"])
    response = upload(client, "ke-hoach.docx", buffer.getvalue())
    assert response.status_code == 302
    assert form_of(client.get(response.url))["plan-code"] == "1529/KH-UBND"


@needs_shared(SEED)
def test_invalid_corrections_are_shown_inline_and_nothing_is_loaded(people, client, table_counts):
    client.force_login(people["owner"])
    draft_url = upload(client, "ke-hoach.txt", seed_text().encode()).url
    draft_file = settings.HOME / DRAFT_FOLDER / f"{draft_url.strip('/').rsplit('/', 1)[1]}.json"
    stored = draft_file.read_text(encoding="utf-8")
    data = form_of(client.get(draft_url))
    before = table_counts()

    # A date that is not dd/mm/yyyy, a target that is not a number: the form's own checks.
    bad = {
        **data,
        "plan-issued_on": "2024-05-06",
        field(data, "ind", "code", "pole_sharing", "target"): "95 %",
    }
    page = client.post(draft_url, {**bad, "action": "load"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ngày dạng dd/mm/yyyy / a date as dd/mm/yyyy" in html
    assert "Có lỗi trong biểu mẫu, xem các ô tô đỏ / the form has errors, see below" in html
    assert form_of(page)["plan-issued_on"] == "2024-05-06"  # the owner's input is kept to correct

    # Dropping an indicator that items still link to: the plan-file schema's reference check, inline.
    bad = {**data, field(data, "ind", "code", "duct_sharing", "DELETE"): "on"}
    html = client.post(draft_url, {**bad, "action": "load"}).content.decode()
    assert (
        "items[III.1.e].indicators: chỉ tiêu &#x27;duct_sharing&#x27; chưa được khai báo / "
        "items[III.1.e].indicators: indicator &#x27;duct_sharing&#x27; is not declared"
    ) in html
    assert "Chưa hợp lệ, chưa nạp" not in html or "items[III.1.e]" in html

    # Two items with one number.
    bad = {**data, field(data, "item", "number", "III.1.b", "number"): "III.1.a"}
    html = client.post(draft_url, {**bad, "action": "save"}).content.decode()
    assert "items: trùng mã III.1.a / items: duplicate code III.1.a" in html

    assert table_counts() == before
    assert not Plan.objects.exists()
    assert draft_file.read_text(encoding="utf-8") == stored  # the draft is not changed either


def test_an_unmatched_target_is_flagged_and_the_owner_may_assign_it(people, client, table_counts):
    client.force_login(people["owner_phong_dien"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    page = client.get(draft_url)
    html = page.content.decode()
    line = OTHER_PLAN.splitlines().index("+ Tỷ lệ trường học có wifi miễn phí đạt 60%.") + 1
    assert "1 chỉ tiêu chưa khớp danh mục (tô vàng)" in html
    assert '<tr class="unmatched">' in html
    assert "Tỷ lệ trường học có wifi miễn phí đạt 60%.' — mục II, kế hoạch 60%" in html.replace("&#x27;", "'")
    assert f'<a href="#L{line}">dòng {line}</a>' in html  # the review list links to the source line
    data = form_of(page)
    row = field(data, "ind", "text", "Tỷ lệ trường học có wifi miễn phí đạt 60%.", "code")
    assert data[row] == ""
    assert data["plan-area_unit"] == "?"  # not found by the issuer's name: the owner gives it
    html = client.post(draft_url, {**data, "action": "save"}).content.decode()
    assert "Không có đơn vị hành chính mã ? / No administrative unit has code ?" in html
    data["plan-area_unit"] = "476"
    data[row] = "internet_users"  # the owner decides what the line measures
    loaded = client.post(draft_url, {**data, "action": "load"})
    assert loaded.status_code == 302, problems_of(loaded)
    plan = Plan.objects.get(code="87/KH-UBND")
    assert plan.area_unit.code == "476"
    assert set(plan.indicators.values_list("code", flat=True)) == {
        "household_fiber",
        "pole_sharing",
        "village_mobile_broadband_coverage",
        "internet_users",
    }


def test_a_plan_outside_the_owners_area_is_not_loaded(people, client, table_counts):
    client.force_login(people["owner"])  # Hương Trà's owner, Phong Điền's plan
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    data = {**form_of(client.get(draft_url)), "plan-area_unit": "476"}
    before = table_counts()
    html = client.post(draft_url, {**data, "action": "load"}).content.decode()
    assert (
        "Chưa nạp kế hoạch: Địa bàn Thị xã Phong Điền không thuộc phạm vi của bạn / "
        "The area Thị xã Phong Điền is outside your scope"
    ) in html
    assert table_counts() == before


GARBAGE = [
    ("empty", "rong.txt", b"", "Tệp rong.txt rỗng / File rong.txt is empty"),
    (
        "binary",
        "rac.txt",
        b"\x00\x01\x02\xff\xfe binary",
        "Tệp rac.txt không phải văn bản (TXT UTF-8, DOCX hoặc PDF có chữ) / "
        "File rac.txt is not a document (UTF-8 text, DOCX or text PDF)",
    ),
    (
        "random_pdf",
        "hong.pdf",
        b"%PDF-1.4\n" + bytes(range(256)) * 8,
        "Không đọc được PDF hong.pdf / Cannot read the PDF hong.pdf",
    ),
    (
        "zip_not_docx",
        "nen.docx",
        b"PK\x03\x04" + b"\x00" * 64,
        "Tệp nen.docx không phải DOCX hợp lệ / File nen.docx is not a valid DOCX",
    ),
    (
        "not_a_plan",
        "bien-ban.txt",
        "Biên bản họp thôn về vệ sinh môi trường.".encode(),
        "Văn bản không giống một kế hoạch (không có số/ký hiệu, mục I, II, … hay chỉ tiêu) / "
        "The document does not look like a plan (no number, no sections I, II, …, no targets)",
    ),
    (
        "html",
        "trang.html",
        b"<html><script>alert(1)</script></html>",
        "Tệp trang.html: chỉ nhận văn bản TXT, DOCX hoặc PDF / "
        "File trang.html: only TXT, DOCX or PDF documents are accepted",
    ),
    (
        "too_large",
        "lon.txt",
        b"a" * (MAX_UPLOAD_BYTES + 1),
        "Tệp lon.txt lớn hơn 5 MB / File lon.txt is larger than 5 MB",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), [pytest.param(*g[1:], id=g[0]) for g in GARBAGE])
def test_garbage_uploads_get_a_clear_message_and_nothing_is_kept(
    people, client, table_counts, name, content, message
):
    client.force_login(people["owner"])
    before, kept = table_counts(), drafts()
    response = upload(client, name, content)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert f'<p class="message error" role="alert">{message}</p>' in html
    assert "Traceback" not in html
    assert table_counts() == before and drafts() == kept


def test_a_scanned_pdf_without_text(people, client, table_counts):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    client.force_login(people["owner"])
    before, kept = table_counts(), drafts()
    html = upload(client, "ban-quet.pdf", buffer.getvalue()).content.decode()
    assert "PDF ban-quet.pdf không có lớp chữ (bản quét); cần bản có chữ hoặc DOCX" in html
    assert table_counts() == before and drafts() == kept


def test_who_may_use_the_pages(people, client, actor):
    from hatangso.core.services import create_user

    client.force_login(people["owner"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    client.logout()
    for url in (UPLOAD, draft_url, f"{draft_url}yaml/"):
        assert client.get(url).url == f"/dang-nhap/?next={url}"
    client.force_login(people["leader"])
    assert client.get(UPLOAD).status_code == 404
    assert client.get(draft_url).status_code == 404
    client.force_login(people["owner_phong_dien"])  # a plan owner, but not this draft's uploader
    assert client.get(UPLOAD).status_code == 200
    assert client.get(draft_url).status_code == 404 and client.get(f"{draft_url}yaml/").status_code == 404
    assert client.get("/ke-hoach/doc/..%2F..%2Fsecret_key/").status_code == 404
    superuser = create_user(username="quan_tri", password=PASSWORD, actor=actor)
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    assert client.get(draft_url).status_code == 200


def test_the_plan_page_is_for_the_accounts_following_the_plan(people, seed_plan, client):
    client.force_login(people["owner"])
    html = client.get("/ke-hoach/1529-kh-ubnd/noi-dung/").content.decode()
    assert "Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024" in html
    assert "30/11/2024" in html
    assert "Đọc văn bản kế hoạch khác" in html  # the owner may read another plan document
    task = seed_plan.items.get(number="VI.3.c").task
    assert f'href="/ke-hoach/1529-kh-ubnd/nhiem-vu/{task.pk}/"' in html  # each item opens its task
    # Another district's owner does not follow it: as every page of the plan, its text is a 404 that
    # names nothing (the public reads a plan on /cong-khai/ once its results are published).
    client.force_login(people["owner_phong_dien"])
    response = client.get("/ke-hoach/1529-kh-ubnd/noi-dung/")
    assert response.status_code == 404 and "30/11/2024" not in response.content.decode()
    assert client.get("/ke-hoach/khong-co/").status_code == 404
    client.logout()
    assert (
        client.get("/ke-hoach/1529-kh-ubnd/noi-dung/").url
        == "/dang-nhap/?next=/ke-hoach/1529-kh-ubnd/noi-dung/"
    )


def test_the_upload_is_kept_and_never_served(people, client):
    client.force_login(people["owner"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    token = draft_url.strip("/").rsplit("/", 1)[1]
    kept = settings.HOME / DRAFT_FOLDER / f"{token}.txt"
    assert kept.read_bytes() == OTHER_PLAN.encode()
    page = client.get(draft_url)
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert Path(kept).name not in page.content.decode()


WIFI = "Tỷ lệ trường học có wifi miễn phí đạt 60%."


def test_the_owner_names_a_new_indicator_for_an_unmatched_target(people, client, table_counts):
    client.force_login(people["owner_phong_dien"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    data = form_of(client.get(draft_url))
    assert data[field(data, "ind", "text", WIFI, "name")] == WIFI  # the name is prefilled from the line
    data["plan-area_unit"] = "476"
    data[field(data, "ind", "text", WIFI, "code")] = "__new__"
    data[field(data, "ind", "text", WIFI, "new_code")] = "school_free_wifi"
    data[field(data, "ind", "text", WIFI, "name")] = "Trường học có wifi miễn phí"
    data[field(data, "ind", "text", WIFI, "reporter")] = "commune"
    saved = client.post(draft_url, {**data, "action": "save"})
    assert saved.status_code == 302, problems_of(saved)

    # Saved: the row is now the new indicator, no longer unmatched nor on the review list.
    page = client.get(draft_url)
    html = page.content.decode().replace("&#x27;", "'")
    assert "chỉ tiêu chưa khớp danh mục (tô vàng)" not in html and '<tr class="unmatched">' not in html
    assert "trường học có wifi miễn phí đạt 60%.' — mục II" not in html
    data = form_of(page)
    assert data[field(data, "ind", "new_code", "school_free_wifi", "code")] == "__new__"
    download = yaml.safe_load(client.get(f"{draft_url}yaml/").content.decode())
    new = next(i for i in download["indicators"] if i["code"] == "school_free_wifi")
    assert (new["name"], new["target"], new["comparison"], new["unit"]) == (
        "Trường học có wifi miễn phí",
        60,
        ">=",
        "%",
    )
    assert (new["numerator"], new["denominator"], new["factor"]) == (
        "school_free_wifi_numerator",
        "school_free_wifi_denominator",
        100.0,
    )
    commune_form = next(f for f in download["forms"] if f["code"] == "ubnd_xa_nam")
    assert commune_form["elements"][-2:] == ["school_free_wifi_numerator", "school_free_wifi_denominator"]
    # Saving again does not declare the data elements twice.
    assert client.post(draft_url, {**data, "action": "save"}).status_code == 302
    download = yaml.safe_load(client.get(f"{draft_url}yaml/").content.decode())
    codes = [d["code"] for d in download["data_elements"]]
    assert codes.count("school_free_wifi_numerator") == 1

    loaded = client.post(draft_url, {**data, "action": "load"})
    assert loaded.status_code == 302, problems_of(loaded)
    plan = Plan.objects.get(code="87/KH-UBND")
    indicator = plan.indicators.get(code="school_free_wifi")
    assert indicator.name == "Trường học có wifi miễn phí" and indicator.target == 60
    assert DataElement.objects.get(code="school_free_wifi_numerator").reporter == "commune"
    assert (
        plan.forms.get(code="ubnd_xa_nam")
        .fields.filter(element__code="school_free_wifi_denominator")
        .exists()
    )
    card = compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period("2024"))
    wifi = next(e for e in card.evaluations if e.indicator.code == "school_free_wifi")
    assert wifi.status == "no_data"
    assert (
        "Chưa có số liệu: school_free_wifi_numerator / no data for school_free_wifi_numerator" in wifi.reason
    )
    assert "school_free_wifi" in client.get(loaded.url).content.decode()  # the plan page lists it

    # Once a commune reports the two counts, the indicator has its value.
    commune = AdministrativeUnit.objects.filter(parent=plan.area_unit).order_by("code").first()
    actor = Actor(user=COMMAND_LINE, origin="test")
    for element, value in (("numerator", "3"), ("denominator", "5")):
        element = DataElement.objects.get(code=f"school_free_wifi_{element}")
        set_value(element=element, unit=commune, period="2024", value=value, actor=actor)
    card = compute_scorecard(plan=plan, unit=commune, period=parse_period("2024"))
    wifi = next(e for e in card.evaluations if e.indicator.code == "school_free_wifi")
    assert (wifi.status, wifi.value) == ("achieved", 60)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (
            "School_Wifi",
            "Mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ / "
            "a code is lowercase letters, digits and underscores, starting with a letter",
        ),
        ("pole_sharing", "Mã pole_sharing đã có trong danh mục / pole_sharing is already a catalog code"),
        ("", "Cần mã cho chỉ tiêu mới / a new indicator needs a code"),
    ],
)
def test_a_bad_new_indicator_code_is_refused_inline(people, client, table_counts, code, message):
    client.force_login(people["owner_phong_dien"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    draft_file = settings.HOME / DRAFT_FOLDER / f"{draft_url.strip('/').rsplit('/', 1)[1]}.json"
    stored = draft_file.read_text(encoding="utf-8")
    data = {**form_of(client.get(draft_url)), "plan-area_unit": "476"}
    data[field(data, "ind", "text", WIFI, "code")] = "__new__"
    data[field(data, "ind", "text", WIFI, "new_code")] = code
    before = table_counts()
    for action in ("save", "load"):
        page = client.post(draft_url, {**data, "action": action})
        assert page.status_code == 200
        html = page.content.decode()
        assert f'<span class="error">{message}</span>' in html
        assert "Có lỗi trong biểu mẫu, xem các ô tô đỏ / the form has errors, see below" in html
    assert table_counts() == before
    assert not Plan.objects.exists()
    assert draft_file.read_text(encoding="utf-8") == stored


def test_a_new_indicator_code_used_twice_in_the_draft(people, client, table_counts):
    client.force_login(people["owner_phong_dien"])
    draft_url = upload(client, "phong-dien.txt", OTHER_PLAN.encode()).url
    data = {**form_of(client.get(draft_url)), "plan-area_unit": "476"}
    row = field(data, "ind", "code", "pole_sharing", "code")
    data[row] = "__new__"
    data[row.replace("-code", "-new_code")] = "school_free_wifi"
    data[field(data, "ind", "text", WIFI, "code")] = "__new__"
    data[field(data, "ind", "text", WIFI, "new_code")] = "school_free_wifi"
    before = table_counts()
    html = client.post(draft_url, {**data, "action": "load"}).content.decode()
    assert (
        "Mã school_free_wifi đã dùng cho chỉ tiêu khác của kế hoạch / school_free_wifi is used by another "
        "indicator of the plan"
    ) in html
    assert table_counts() == before
