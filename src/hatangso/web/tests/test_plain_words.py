"""Plain Vietnamese everywhere (issue 23 item 4): every page each role reaches (the links it is shown,
followed from its home and from every page of the URL conf, as crawling.py does in the browser),
rendered by the test client, shows no catalog code (households_ftth), no English state word
(draft, submitted) and no number of four digits or more written without its thousands dot."""

import re
from collections import deque
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.test import Client

from hatangso.web.tests.crawling import ROLES, _route, build_world, url_conf_pages

# English words a state, a rating or a comparison was once shown with.
ENGLISH = re.compile(
    r"\b(draft|submitted|approved|returned|pending|accepted|rejected|achieved|not met|no data|not_started"
    r"|in_progress|condition not met|open|closed|done|overdue|scorecard)\b",
    re.IGNORECASE,
)
# A bare number of four digits or more (10811), not a year, a date, a code inside a word (VT000001),
# a unit's code shown in brackets "(19996)", a plan's number (1529/KH-UBND), a decimal (16,530000) or
# the identifier of a data version ("phiên bản 5034", a name, not a quantity).
BARE_NUMBER = re.compile(r"(?<![\w.,/:#(\-])(?<!bản )(\d{4,})(?![\w.,/:)\-])")

# Pages whose subject is the codes themselves: the catalog and a plan's and a form's definitions,
# which people preparing import files and plan files read (each code beside its name).
SHOWS_CODES = {"catalog", "plan-detail", "form-fields"}


class VisibleText(HTMLParser):
    """The Vietnamese text a reader sees: no script or style, nothing marked lang="en" (the English
    glosses some pages give on purpose); a select's options included."""

    HIDDEN = ("script", "style", "template")
    VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")

    def __init__(self):
        super().__init__()
        self.parts, self.open = [], []  # open: (tag, hides its text) of each element not yet closed

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append((tag, tag in self.HIDDEN or (dict(attrs).get("lang") or "").startswith("en")))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if not any(hides for _, hides in self.open):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def _faults(text: str, codes: re.Pattern | None) -> list[str]:
    faults = [f"code {m}" for m in codes.findall(text)] if codes else []
    faults += [f"English {m}" for m in ENGLISH.findall(text)]
    faults += [f"number {m}" for m in BARE_NUMBER.findall(text) if not 1900 <= int(m) <= 2100]
    return faults


@pytest.fixture
def world(db, tmp_path):
    return build_world(tmp_path)


def test_every_page_of_every_role_speaks_plain_vietnamese(world):
    from hatangso.collection.models import DataElement
    from hatangso.plans.models import Indicator

    names = {*DataElement.objects.values_list("code", flat=True)}
    names |= {*Indicator.objects.values_list("code", flat=True)}
    longest_first = sorted((re.escape(name) for name in names if "_" in name), key=len, reverse=True)
    codes = re.compile(r"\b(" + "|".join(longest_first) + r")\b")
    starts = url_conf_pages(world)
    found, visited, with_outliers = {}, 0, 0
    for role in ROLES:
        client = Client()
        if role:
            client.force_login(_user(role))
        queue, seen, per_route = deque(["/", *(starts if role else ())]), set(), {}
        while queue:
            path = queue.popleft()
            route = _route(urlsplit(path).path)
            if path in seen or route is None or per_route.get(route, 0) >= 1:
                continue
            seen.add(path)
            response = client.get(path, follow=True)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            per_route[route] = per_route.get(route, 0) + 1
            visited += 1
            html = response.content.decode()
            with_outliers += "nhiều so với các kỳ trước" in html
            for fault in _faults(VisibleText.of(html), None if route in SHOWS_CODES else codes):
                found.setdefault(fault, f"{role or 'public'} {path}")
            for href in re.findall(r'href="(/[^"#]*)"', html):
                queue.append(href.replace("&amp;", "&"))
    assert visited > 100
    assert with_outliers >= 2  # the commune's entry page and the owner's review page (crawling.py's world)
    assert found == {}


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_a_broken_check_reads_as_a_sentence_and_marks_its_rows(world, actor):
    from hatangso.collection.models import DataElement
    from hatangso.collection.services import set_value
    from hatangso.geography.selectors import resolve_unit

    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    elements = {code: DataElement.objects.get(code=code) for code in ("households", "households_ftth")}
    for code, value in (("households", "2186"), ("households_ftth", "2200")):
        set_value(element=elements[code], unit=tu_ha, period="2024", value=value, actor=actor)
    client = Client()
    client.force_login(_user("tuha"))
    page = client.get(f"/nhap-lieu/{world.form}/2024/").content.decode()
    assert "là 2.200, phải không lớn hơn (≤) Tổng số hộ gia đình là 2.186." in page
    marked = re.findall(r'<tr class="[^"]*to-check[^"]*">\s*<td>[^<]*</td>\s*<td><label[^>]*>([^<]+)<', page)
    assert sorted(marked) == sorted(element.name for element in elements.values())  # the rows to look at
