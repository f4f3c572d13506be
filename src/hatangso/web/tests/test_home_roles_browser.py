"""The plan owner finds an approved report through the review list's filters and re-opens it, with
its confirmation, in a real browser at phone width (Playwright driving Debian's chromium)."""

import re

from playwright.sync_api import expect

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium
from hatangso.web.tests.test_map_browser import PASSWORD, watched

pytestmark = needs_chromium


def build():
    """The seed plan, its owner, Tứ Hạ's yearly report approved and Hương Toàn's waiting."""
    from datetime import date

    from hatangso.collection import workflow
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.operators import load_reference_operators

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=plan.area_unit, actor=actor)
    reports = {}
    for code in ("19996", "20005"):
        report = workflow.get_submission(form=plan.forms.get(code="ubnd_xa_nam"), unit=resolve_unit(
            code, start=date(2024, 6, 1)), operator=None, period="2024", user=COMMAND_LINE,
            actor=actor)  # fmt: skip
        reports[code] = workflow.submit(submission=report, user=COMMAND_LINE, actor=actor)
    reports["19996"] = workflow.approve(submission=reports["19996"], user=COMMAND_LINE, actor=actor)
    return reports


def test_the_owner_reopens_an_approved_report_found_through_the_filters(
    browser, live_server, transactional_db
):
    from hatangso.collection.models import Submission

    approved = build()["19996"]
    page, errors = watched(browser)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "vhtt")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(".plan-title")
    expect(page.locator("#viec-cho-duyet")).to_contain_text("Xã Hương Toàn · Năm 2024")

    page.goto(f"{live_server.url}/ke-hoach/1529-kh-ubnd/duyet/")
    page.get_by_label("Trạng thái", exact=True).select_option(label="Đã duyệt")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**/duyet/?**status=approved**")
    reports = page.locator("ul.report-list > li")
    expect(reports).to_have_count(1)
    expect(reports).to_contain_text("Phường Tứ Hạ · Năm 2024")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    reports.get_by_role("link", name="Mở lại để sửa").click()
    page.wait_for_url(f"**/duyet/{approved.pk}/?action=reopen")
    expect(page.get_by_role("heading", name="Xác nhận")).to_be_visible()
    assert Submission.objects.get(pk=approved.pk).status == "approved"  # nothing done before confirming
    page.get_by_label("Ý kiến / lý do (bắt buộc)").fill("Sai số hộ có cáp quang")
    page.get_by_role("button", name="Xác nhận mở lại").click()
    page.wait_for_url(re.compile(rf".*/duyet/{approved.pk}/$"))
    expect(page.get_by_role("status").filter(has_text="Đã cập nhật trạng thái báo cáo.")).to_be_visible()
    expect(page.locator("p.meta").first).to_contain_text("Đang nhập")
    approved.refresh_from_db()
    assert (approved.status, approved.comment) == ("draft", "Sai số hộ có cáp quang")
    assert errors == []
