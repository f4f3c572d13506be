"""The catalog page: signed-in users only, Vietnamese first, readable on a 390 px phone (Playwright
driving Debian's chromium, as web/tests do)."""

from hatangso.catalog.services import load_catalog
from hatangso.core.changelog import Actor
from hatangso.core.services import create_user
from hatangso.web.tests.browsing import launched_chromium, needs_chromium

PASSWORD = "a long passphrase 2024"
URL = "/danh-muc-chi-tieu/"


def _world():
    actor = Actor.command("test")
    load_catalog(actor=actor)
    return create_user(username="vhtt", password=PASSWORD, actor=actor)


def test_the_page_asks_for_a_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/dang-nhap/")


def test_the_page_lists_every_entry_vietnamese_first(db, client):
    client.force_login(_world())
    page = client.get(URL).content.decode()

    assert page.count('class="catalog-entry"') >= 30
    name = page.index("Số thuê bao băng rộng di động trên 100 dân")
    assert name < page.index("Mobile broadband subscriptions per 100 inhabitants")
    entry = page[name : page.index("</li>", page.index('id="fixed_broadband_subscriptions_per_100"'))]
    assert "trên 100 dân" in entry and "%" not in entry.split("Đơn vị tính")[1].split("</dd>")[0]
    assert "càng thấp càng tốt" in page and "QĐ 912/QĐ-BKHCN" in page
    assert "Biểu báo cáo năm của UBND xã, phường về hạ tầng số" in page


@needs_chromium
def test_the_page_fits_a_phone(live_server, transactional_db):
    _world()
    with launched_chromium() as chromium:
        errors = []
        phone = chromium.new_page(viewport={"width": 390, "height": 900})
        phone.on("pageerror", lambda error: errors.append(str(error)))
        phone.on("console", lambda message: message.type == "error" and errors.append(message.text))
        phone.goto(f"{live_server.url}/dang-nhap/?next={URL}")
        phone.fill("#id_username", "vhtt")
        phone.fill("#id_password", PASSWORD)
        phone.get_by_role("button", name="Đăng nhập").click()
        phone.locator("h1", has_text="Danh mục chỉ tiêu hạ tầng số").wait_for()
        assert phone.locator(".catalog-entry").count() >= 30
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone, long codes included
        assert phone.locator("#only_2g_subscription_share dd", has_text="càng thấp càng tốt").is_visible()
        assert errors == []
