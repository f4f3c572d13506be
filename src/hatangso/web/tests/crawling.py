"""Every page each role can reach, visited in one browser: the phone-width and no-other-host tests.

The world is the journeys' (test_browser_journeys.py: every role, imported files, submissions,
stations, an incident, a published scorecard) with the plan's tasks and a few roads added, so the
task board, the roads list and a road's page have rows. Each role logs in and follows every link
it is shown, breadth first, from its home and from every page of the URL conf it may open; a route
is visited once (different objects of one page share a template)."""

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.urls import Resolver404, get_resolver, resolve
from playwright.sync_api import Error as PlaywrightError

from hatangso.web.tests.test_browser_journeys import JUNE_2024, PASSWORD, World, _build

PER_ROUTE = 1
ROLES = ["", "vhtt", "lanhdao", "qldt", "tuha", "viettel"]  # one login per role; "" is the public
# Routes that are not pages: files, map layers, downloads, actions, Django's admin (not this app's
# interface), and the JSON API (its docs page is visited).
NOT_PAGES = re.compile(
    r"(\.geojson|/excel/|/tai/|/yaml/|^/minh-chung/|^/phan-anh/anh/|^/dang-xuat/|^/i18n/|^/admin/"
    r"|^/static/|^/media/|^/api/(?!v1/docs$))"
)
ROADS = (
    "ten_duong,doan,ma_don_vi,hang_muc,trang_thai,nhiem_vu\n"
    "Đường Lý Bôn,từ Quốc lộ 1A đến cầu Tứ Phú qua khu dân cư tổ dân phố 5,19996,xây dựng mới,,VI.3.c\n"
    "Tỉnh lộ 16,,20005,sửa chữa,,\n"
)

WIDE_TABLES = (
    "[...document.querySelectorAll('main table')].filter(t => t.scrollWidth > t.clientWidth + 1).length"
)
REFUSED = re.compile(r"Refused to \w+ [^']*'([^']+)'")  # the CSP's console note of a blocked request


def build_world(folder: Path) -> World:
    from hatangso.collection.models import DataElement
    from hatangso.collection.services import set_value
    from hatangso.core.changelog import Actor
    from hatangso.geography.selectors import resolve_unit
    from hatangso.plans.models import Plan
    from hatangso.registry.models import Operator
    from hatangso.workplan.services import import_roads, sync_tasks

    world = _build(folder)
    actor = Actor.command("test")
    plan = Plan.objects.get()
    # A period before each file's, far below it: the entry and review pages show outliers, whose
    # words and width are then checked too.
    for element, unit, period, operator in (
        ("households_ftth", "19996", "2023", None),
        ("households_ftth", "20005", "2023", None),
        ("smartphone_subscriptions", "19996", "202405", "viettel"),
        ("smartphone_subscriptions", "19996", "202405", "vnpt"),
    ):
        set_value(
            element=DataElement.objects.get(code=element), unit=resolve_unit(unit, start=JUNE_2024),
            period=period, value="4000", actor=actor,
            operator=Operator.objects.get(code=operator) if operator else None,
        )  # fmt: skip
    sync_tasks(plan=plan, actor=actor)
    roads = folder / "duong.csv"
    roads.write_text(ROADS, encoding="utf-8")
    import_roads(path=roads, plan=plan, actor=actor)
    return world


def _route(path: str) -> str | None:
    """The URL conf's name of a page's address (None: not a page of this app)."""
    if NOT_PAGES.search(path):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def url_conf_pages(world: World) -> list[str]:
    """Every page of the URL conf without parameters, and the plan's pages (its slug filled in)."""
    from hatangso.plans.models import Plan

    slug = Plan.objects.get().slug
    pages = []

    def walk(patterns, prefix):
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, text)
                continue
            path = "/" + text.replace("<slug:slug>", slug)
            if "<" not in path and _route(path):
                pages.append(path)

    walk(get_resolver().url_patterns, "")
    return pages


@dataclass
class Visit:
    role: str
    path: str
    status: int
    width: int  # document.documentElement.scrollWidth
    wide_tables: int  # tables that scroll sideways inside the page (neither fit nor became cards)
    other_hosts: list[str] = field(default_factory=list)  # requests to another host


def crawl(chromium, world: World, *, width: int, height: int = 800) -> list[Visit]:
    """Every page every role reaches (see the module's docstring), each visit measured."""
    host = urlsplit(world.url).netloc
    starts = url_conf_pages(world)
    visits = []
    for role in ROLES:
        context = chromium.new_context(
            base_url=world.url, locale="vi-VN", viewport={"width": width, "height": height}
        )
        page = context.new_page()
        requested: list[str] = []  # every request, and every one the CSP refused before sending it
        page.on("request", lambda request, requested=requested: requested.append(request.url))
        page.on(
            "console",
            lambda message, requested=requested: requested.extend(REFUSED.findall(message.text)),
        )
        if role:
            page.goto("/dang-nhap/")
            page.get_by_label("Tên đăng nhập").fill(role)
            page.get_by_label("Mật khẩu").fill(PASSWORD)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(lambda url: "/dang-nhap/" not in url)
        # The public starts from the home page: every other page of the URL conf sends it to log in.
        queue, seen, per_route = deque(["/", *(starts if role else ())]), set(), {}
        while queue:
            path = queue.popleft()
            route = _route(urlsplit(path).path)
            if path in seen or route is None or per_route.get(route, 0) >= PER_ROUTE:
                continue
            seen.add(path)
            requested.clear()
            try:
                response = page.goto(path)
            except PlaywrightError:  # a download, not a page
                continue
            if response is None or response.status >= 400 or "text/html" not in response.headers.get(
                "content-type", ""
            ):
                continue
            per_route[route] = per_route.get(route, 0) + 1
            if page.url.removeprefix(world.url) != path:  # redirected (to the login, or elsewhere)
                path = page.url.removeprefix(world.url)
                if path in seen:
                    continue
                seen.add(path)
            visits.append(
                Visit(
                    role=role or "public",
                    path=path,
                    status=response.status,
                    width=page.evaluate("document.documentElement.scrollWidth"),
                    wide_tables=page.evaluate(WIDE_TABLES),
                    other_hosts=[url for url in requested if urlsplit(url).netloc not in (host, "")
                                 and not url.startswith(("data:", "blob:"))],
                )
            )
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                parts = urlsplit(href)
                if parts.netloc == host:
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        context.close()
    return visits
