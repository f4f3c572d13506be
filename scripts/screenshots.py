"""Screenshots of the main pages of the synthetic demo, each as the role that uses it, into
docs/screenshots/ (Playwright driving Debian's chromium, as the browser tests do).

    HATANGSO_SCREENSHOTS=1 .venv/bin/python scripts/screenshots.py [--homes] [--home DIR] [--out DIR]
        [--port N]

With --homes it takes every role's home page instead, on a desktop (1366 px) and a phone (390 px):
home-<role>-desktop.png and home-<role>-phone.png (and the public's published results, home-public-plan-*).

Without --home it builds the demo (`hatangso demo --no-serve`, synthetic data) in a temporary data
directory; with it, it serves that directory as it is. Pages that do not exist (yet) are skipped and
said so; script errors and content-security-policy violations seen on a page are printed.
It writes into the repository, so it runs only when HATANGSO_SCREENSHOTS=1 is set (never in CI).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HATANGSO = ROOT / ".venv" / "bin" / "hatangso"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "hatangso-demo"  # the demo's logins (hatangso demo prints them)

# (file, who (None: the public), address, special: "entry-form" (follow the 2024 link), "map" (wait for it))
SHOTS = [
    ("tong-quan.png", "lanhdao", "/", None),
    ("chi-tieu-household-fiber.png", "vhtt", "/chi-tieu/household_fiber/", None),
    ("nhap-lieu.png", "binhthanh", "/nhap-lieu/", "entry-form"),  # a commune yet to report
    ("duyet-bao-cao.png", "vhtt", "/duyet/", None),
    ("nhiem-vu.png", "qldt", "/nhiem-vu/", None),
    ("tuyen-duong.png", "qldt", "/tuyen-duong/", None),
    ("phan-anh-xu-ly.png", "qldt", "/phan-anh/xu-ly/", None),
    ("phan-anh-ban-do.png", None, "/phan-anh/", "map"),
    ("ban-do.png", "vhtt", "/ban-do/?indicator=household_fiber", "map"),
    ("cong-khai.png", None, "/cong-khai/", None),
    ("ha-tang.png", "vhtt", "/ha-tang/", None),
]
# Every role's home page (issue 23): (role in the file name, who (None: the public), address), and
# the published results the public's home leads to.
HOMES = [
    ("leader", "lanhdao", "/"),
    ("owner", "vhtt", "/"),
    ("commune", "tuha", "/"),
    ("operator", "viettel", "/"),
    ("agency", "qldt", "/"),
    ("public", None, "/"),
    ("public-plan", None, "/cong-khai/1529-kh-ubnd/"),
]
WIDTH, MAX_HEIGHT = 1280, 2200
SCREENS = {"desktop": (1366, 2200), "phone": (390, 3200)}  # width, longest picture


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="a data directory with the demo (default: build one)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--homes", action="store_true", help="every role's home, desktop and phone")
    args = parser.parse_args()
    if os.environ.get("HATANGSO_SCREENSHOTS") != "1":
        print("Đặt HATANGSO_SCREENSHOTS=1 để ghi ảnh vào kho mã / set HATANGSO_SCREENSHOTS=1 to write them.")
        return 1
    home = args.home or Path(tempfile.mkdtemp(prefix="hatangso-screenshots-"))
    env = {**os.environ, "HATANGSO_HOME": str(home)}
    if args.home is None:
        print(f"Building the synthetic demo in {home} …")
        subprocess.run([str(HATANGSO), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(HATANGSO), "serve", "--port", str(args.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(f"{base}/dang-nhap/")
        args.out.mkdir(parents=True, exist_ok=True)
        if args.homes:
            shots = [
                (f"home-{role}-{screen}.png", who, address, None, *size)
                for role, who, address in HOMES
                for screen, size in SCREENS.items()
            ]
        else:
            shots = [(*shot, WIDTH, MAX_HEIGHT) for shot in SHOTS]
        return _shoot(base, args.out, shots)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _shoot(base: str, out: Path, shots: list) -> int:
    from playwright.sync_api import sync_playwright

    problems = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {}
        for name, who, address, special, width, max_height in shots:
            if (who, width) not in contexts:
                contexts[who, width] = browser.new_context(
                    base_url=base, locale="vi-VN", viewport={"width": width, "height": 900}
                )
                if who:
                    _log_in(contexts[who, width], who)
            page = contexts[who, width].new_page()
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            page.on(
                "console",
                lambda message, errors=errors: message.type == "error" and errors.append(message.text),
            )
            response = page.goto(address)
            if response is None or response.status != 200:
                print(f"- {name}: {address} answers {response and response.status}; skipped")
                page.close()
                continue
            if special == "entry-form":  # the commune's yearly form for the plan's year
                page.get_by_role("link", name="2024", exact=True).first.click()
                page.wait_for_load_state()
            if special == "map":
                page.wait_for_selector(".leaflet-container")
                page.wait_for_timeout(1500)  # the layers' GeoJSON
            height = min(page.evaluate("document.documentElement.scrollHeight"), max_height)
            page.screenshot(
                path=str(out / name), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
            )
            print(f"- {name}: {page.url.removeprefix(base)} as {who or 'the public'}")
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            if overflow > 0:
                problems += 1
                print(f"    {overflow} px wider than the screen")
            for error in errors:
                problems += 1
                print(f"    error: {error}")
            page.close()
        browser.close()
    return 1 if problems else 0


def _log_in(context, username: str) -> None:
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if page.url.endswith("/dang-nhap/"):
        raise SystemExit(f"{username} could not log in")
    page.close()


if __name__ == "__main__":
    sys.exit(main())
