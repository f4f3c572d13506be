"""The English catalogue (issue 8): every marked string of the source is translated, the shipped .mo
is the compiled .po, translations keep their placeholders, and the main pages render in English
when the language cookie says so — in Vietnamese otherwise."""

import re
import shutil
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

import hatangso
from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period
from hatangso.workplan.services import sync_tasks

SOURCE = Path(hatangso.__file__).parent
PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HOW_TO_FIX = (
    "Run `make messages`, translate every empty or fuzzy msgstr in "
    "src/hatangso/locale/en/LC_MESSAGES/django.po (remove the `fuzzy` flag once checked), "
    "then run `make messages` again to compile django.mo, and commit both files."
)
# A string that exists only in the test's copy of the source: the check must report it, which shows
# that the check sees a new, untranslated string.
CANARY = "Chuỗi kiểm thử chưa dịch"
JUNE = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"


def _key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _source_messages(tmp_path: Path, monkeypatch) -> list[polib.POEntry]:
    """Every msgid of the source, as `make messages` collects it (Django's makemessages over
    src/hatangso), run on a copy so the working tree and the shipped catalogue stay untouched."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is not installed; install the Debian package `gettext`.")
    copy = tmp_path / "hatangso"

    def ignore(folder, names):
        return [
            n
            for n in names
            if n in ("locale", "__pycache__", "static")
            or n.startswith(".")
            or ((Path(folder) / n).is_file() and Path(n).suffix not in (".py", ".html", ".txt"))
        ]

    shutil.copytree(SOURCE, copy, ignore=ignore)
    (copy / "web" / "templates" / "canary.html").write_text(
        f'{{% load i18n %}}{{% translate "{CANARY}" %}}', encoding="utf-8"
    )
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
        call_command("makemessages", locale=["en"], keep_pot=True, add_location="file", verbosity=0)
    return [e for e in polib.pofile(str(tmp_path / "locale" / "django.pot")) if e.msgid]


def test_every_source_string_has_an_english_translation(tmp_path, monkeypatch):
    shipped = {_key(e): e for e in polib.pofile(str(PO)) if not e.obsolete}
    untranslated = [
        e.msgid
        for e in _source_messages(tmp_path, monkeypatch)
        if _key(e) not in shipped or not shipped[_key(e)].translated()
    ]
    assert CANARY in untranslated, "the check did not see a string added to the source"
    untranslated.remove(CANARY)
    assert not untranslated, (
        f"{len(untranslated)} string(s) have no English translation:\n"
        + "\n".join(f"  {m!r}" for m in untranslated)
        + f"\n{HOW_TO_FIX}"
    )


def _translations(catalogue) -> dict[tuple[str | None, str], tuple[str, ...]]:
    out = {}
    for e in catalogue:
        if not e.msgid or e.obsolete or "fuzzy" in e.flags:
            continue
        strings = (
            tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)) if e.msgid_plural else (e.msgstr,)
        )
        if all(strings):
            out[_key(e)] = strings
    return out


def test_the_shipped_mo_is_the_compiled_po():
    # the .po compiled in memory by polib, against the shipped .mo (what Django reads at run time)
    compiled = _translations(polib.mofile(polib.pofile(str(PO)).to_binary()))
    shipped = _translations(polib.mofile(str(MO)))
    stale = sorted(m for _, m in compiled.keys() ^ shipped.keys()) + sorted(
        m for k in compiled.keys() & shipped.keys() if compiled[k] != shipped[k] for _, m in [k]
    )
    assert compiled and not stale, (
        f"django.mo differs from django.po for {len(stale)} string(s), e.g. {stale[:5]}.\n{HOW_TO_FIX}"
    )


PYTHON_FORMAT = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{\{?\s*[\w.]*\s*\}?\}")


def placeholders(text: str) -> tuple[set, Counter]:
    """The placeholders of a message: the named ones (%(name)s, {name}, {{ name }}) as a set — a
    bilingual msgid may name one twice — and the positional ones (%s, %d, %%) counted."""
    found = [m.group(0) for m in PYTHON_FORMAT.finditer(text)]
    named = {p for p in found if p.startswith("%(")} | {
        re.sub(r"\s", "", m.group(0)) for m in BRACES.finditer(text)
    }
    return named, Counter(p for p in found if not p.startswith("%("))


def test_placeholders_finds_a_lost_or_renamed_variable():
    assert placeholders("Đã lưu %(n)d giá trị, %(name)s {code} {{ x }} 100%% %s") == (
        {"%(n)d", "%(name)s", "{code}", "{{x}}"},
        Counter({"%%": 1, "%s": 1}),
    )
    assert placeholders("Saved %(n)d values") != placeholders("Saved %(count)d values")
    assert placeholders("Saved {n} values") != placeholders("Saved n values")
    assert placeholders("Ratio above 100%%") != placeholders("Ratio above 100%")
    assert placeholders("Mã %(code)s / %(code)s is a code") == placeholders("%(code)s is a code")


def test_every_translation_keeps_the_placeholders():
    broken = []
    for e in polib.pofile(str(PO)):
        if not e.msgid or e.obsolete:
            continue
        if e.msgid_plural:
            pairs = [(e.msgid_plural, s) for s in e.msgstr_plural.values()]
        else:
            pairs = [(e.msgid, e.msgstr)]
        for source, translation in pairs:
            if translation and placeholders(source) != placeholders(translation):
                broken.append(f"  {source!r}\n    -> {translation!r}")
    assert not broken, "Translations that lose, add or rename a placeholder:\n" + "\n".join(broken)


# ---------------------------------------------------------------------------------------------------
# Pages in English and in Vietnamese.


@pytest.fixture
def world(seed_plan, actor):
    tu_ha = resolve_unit("19996", start=JUNE)
    for code, value in (("population", "12345"), ("internet_users", "12000")):
        set_value(
            element=DataElement.objects.get(code=code),
            unit=tu_ha,
            period="2024",
            value=value,
            actor=actor,
            synthetic=True,
        )
    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    users = {}
    for role, unit, operator, agency in (
        ("plan_owner", "480", None, None),
        ("agency", "480", None, "phong_qldt"),
        ("leader", "480", None, None),
        ("commune", "19996", None, None),
        ("enterprise", None, "viettel", None),
    ):
        user = create_user(username=role, password=PASSWORD, actor=actor)
        grant_membership(
            user=user,
            role=role,
            actor=actor,
            unit=resolve_unit(unit, start=JUNE) if unit else None,
            operator=Operator.objects.get(code=operator) if operator else None,
            agency=Agency.objects.get(code=agency) if agency else None,
        )
        users[role] = user
    return users


# The main journeys' pages: (who, url, English strings the page shows, their Vietnamese originals).
PAGES = [
    ("public", "/dang-nhap/", ["Log in", "Username", "Password"], ["Đăng nhập", "Tên đăng nhập", "Mật khẩu"]),
    (
        "plan_owner",
        "/",
        ["Report due", "Completed", "No data", "Not carried out", "Log out"],
        ["Hạn báo cáo", "Hoàn thành", "Chưa có thông tin", "Không thực hiện", "Đăng xuất"],
    ),
    ("leader", "/", ["Tasks", "Roads", "Log out"], ["Nhiệm vụ", "Tuyến đường", "Đăng xuất"]),
    (
        "commune",
        "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/",
        ["Method", "By commune / ward", "Trend over periods", "Actual"],
        ["Cách tính", "Theo xã, phường", "Diễn biến theo kỳ", "Thực hiện"],
    ),
    ("commune", "/nhap-lieu/", ["Data entry", "days after the period"], ["Nhập số liệu", "ngày sau kỳ"]),
    ("enterprise", "/nhap-lieu/", ["Data entry", "Not yet reported"], ["Nhập số liệu", "Chưa báo cáo"]),
    (
        "agency",
        "/ke-hoach/1529-kh-ubnd/nhiem-vu/",
        ["Tasks, measures, responsibilities", "Lead agency", "Due", "Status"],
        ["Nhiệm vụ, giải pháp, trách nhiệm", "Cơ quan chủ trì", "Tình trạng"],
    ),
    (
        "agency",
        "/ke-hoach/1529-kh-ubnd/tuyen-duong/",
        ["List of roads", "Add a road", "Filter"],
        ["Danh mục tuyến đường", "Thêm tuyến đường", "Lọc"],
    ),
    (
        "plan_owner",
        "/ke-hoach/1529-kh-ubnd/duyet/",
        ["Awaiting review", "Reporting completeness", "On time"],
        ["Chờ duyệt", "Tình hình nộp báo cáo", "Đúng hạn"],
    ),
    (
        "plan_owner",
        "/ke-hoach/1529-kh-ubnd/bao-cao/",
        ["Report on the results of implementation", "Download the report", "Difficulties"],
        ["Báo cáo kết quả thực hiện", "Tải báo cáo", "Khó khăn"],
    ),
    (
        "public",
        "/phan-anh/",
        ["Report a problem with telecom infrastructure works", "Send the report", "Latitude"],
        ["Phản ánh công trình hạ tầng viễn thông", "Gửi phản ánh", "Vĩ độ"],
    ),
    ("agency", "/phan-anh/xu-ly/", ["Handle reports", "Assigned to"], ["Xử lý phản ánh", "Giao cho"]),
    (
        "public",
        "/cong-khai/1529-kh-ubnd/",
        ["Public results of digital infrastructure development", "No results have been published yet."],
        ["Công khai kết quả phát triển hạ tầng số", "Chưa có kết quả nào được công bố."],
    ),
    (
        "plan_owner",
        "/ke-hoach/1529-kh-ubnd/cong-bo/",
        ["Publish the results for citizens"],
        ["Công bố kết quả cho người dân"],
    ),
    (
        "leader",
        "/ke-hoach/1529-kh-ubnd/ban-do/",
        ["Digital infrastructure map", "Legend"],
        ["Bản đồ hạ tầng số", "Chú giải"],
    ),
    (
        "enterprise",
        "/ha-tang/",
        ["Telecom infrastructure", "Kind of infrastructure"],
        ["Hạ tầng viễn thông", "Loại hạ tầng"],
    ),
    ("commune", "/tep-nhap/", ["File imports", "No files yet."], ["Các lần nhập tệp", "Chưa có tệp nào."]),
]


class _Text(HTMLParser):
    """The page's text as people read it: text nodes split at the separators the templates use, and
    the attributes read aloud or shown (title, aria-label, placeholder, alt)."""

    def __init__(self):
        super().__init__()
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style", "svg")
        self.chunks += [v for k, v in attrs if k in ("title", "aria-label", "placeholder", "alt") and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks += [part.strip(" ·:()—|.,") for part in re.split(r"\s[·|]\s|\n", data)]


def _still_vietnamese(page: str) -> list[str]:
    """Catalogue strings shown untranslated: a piece of the page's text that is exactly a msgid
    whose English differs (a string marked but rendered outside the reader's language, such as a
    label frozen by gettext at import time)."""
    vietnamese = {
        e.msgid
        for e in polib.pofile(str(PO))
        if e.translated() and not e.msgid_plural and e.msgstr.strip(" .:") != e.msgid.strip(" .:")
    }
    parser = _Text()
    parser.feed(page)
    return sorted({c for c in parser.chunks if c} & vietnamese)


def _get(client, users, who, url, language=None):
    client.logout()
    client.cookies.clear()
    if who != "public":
        client.force_login(users[who])
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, (who, url, language, response.status_code)
    return response.content.decode()


def test_the_main_pages_render_in_english_with_the_cookie(client, world):
    problems = []
    for who, url, english, vietnamese in PAGES:
        page = _get(client, world, who, url, language="en")
        if '<html lang="en">' not in page:
            problems.append(f"{who} {url}: <html lang> is not en")
        problems += [f"{who} {url}: no {s!r}" for s in english if s not in page]
        problems += [f"{who} {url}: shows {s!r}" for s in vietnamese if s in page]
        problems += [f"{who} {url}: untranslated {s!r}" for s in _still_vietnamese(page)]
    assert not problems, "\n".join(problems)


def test_the_main_pages_render_in_vietnamese_by_default(client, world):
    problems = []
    for who, url, english, vietnamese in PAGES:
        page = _get(client, world, who, url)
        if '<html lang="vi">' not in page:
            problems.append(f"{who} {url}: <html lang> is not vi")
        problems += [f"{who} {url}: no {s!r}" for s in vietnamese if s not in page]
        problems += [f"{who} {url}: shows {s!r}" for s in english if s in page]
    assert not problems, "\n".join(problems)


def test_the_untranslated_check_sees_a_frozen_label():
    page = (
        '<html lang="en"><p>Plan <span>Chưa có thông tin</span> · Quá hạn</p><p title="Tử số / mẫu số">x</p>'
    )
    assert _still_vietnamese(page) == ["Chưa có thông tin", "Quá hạn", "Tử số / mẫu số"]
    assert _still_vietnamese('<p>Phường Tứ Hạ · No data</p><script>var a = "Quá hạn"</script>') == []


def test_the_language_switch_keeps_the_choice_in_the_cookie(client, world):
    page = client.get("/dang-nhap/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="language" value="en"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/phan-anh/"})
    assert response.status_code == 302 and response["Location"] == "/phan-anh/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/phan-anh/").content.decode()
    assert '<html lang="en">' in page and "Send the report" in page
    client.post("/i18n/setlang/", {"language": "vi", "next": "/phan-anh/"})
    assert "Gửi phản ánh" in client.get("/phan-anh/").content.decode()
    # a foreign `next` goes home; a language the site does not offer shows Vietnamese
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "https://example.com/"})
    assert response["Location"] == "/"
    assert '<html lang="vi">' in client.get("/phan-anh/").content.decode()


def test_a_browser_asking_for_english_still_gets_vietnamese_until_the_switch(client, db):
    # Many civil servants' browsers send Accept-Language: en; the default stays Vietnamese.
    page = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi">' in page.content.decode() and page["Content-Language"] == "vi"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"  # a variant of a language we have
    assert '<html lang="en">' in client.get("/dang-nhap/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # a stale or forged cookie
    assert '<html lang="vi">' in client.get("/dang-nhap/").content.decode()


def test_the_official_report_stays_vietnamese_for_an_english_reader(client, world, seed_plan, actor):
    import io
    import zipfile

    sync_tasks(plan=seed_plan, actor=actor)  # the report lists the plan's tasks
    client.force_login(world["plan_owner"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/ke-hoach/1529-kh-ubnd/bao-cao/tai/docx/")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as docx:
        text = re.sub(r"<[^>]+>", "", docx.read("word/document.xml").decode())
    assert "Quá hạn" in text and "Chưa có thông tin" in text  # task states and ratings, in Vietnamese
    assert "Overdue" not in text and "No data" not in text
