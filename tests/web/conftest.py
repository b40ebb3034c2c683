"""Headless Debian Chromium driven by Selenium against the live service: the browser, screen sizes, full-page
screenshots, downloads, the network log and the axe-core check shared by the page tests."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"  # git-ignored; .ci/run lists it so CI keeps the files in its log
AXE = HERE / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                else None)
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-features=Translate,OptimizationHints,MediaRouter", "--window-size=1280,1200"]
WAIT = 120
NARROW, WIDE = 420, 1400


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason="Debian chromium and chromium-driver are needed for the page tests: apt-get "
                            "install chromium chromium-driver (scripts/install --test does it)")
    for item in items:
        if "tests/web/" in str(item.path) and not (CHROMIUM and CHROMEDRIVER):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def downloads() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="groundqa-downloads-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser(downloads: Path) -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile through the system chromedriver (nothing downloaded), with the
    network log on (to prove no request leaves the machine) and downloads landing in ``downloads``."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never fetch a driver or browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="groundqa-chromium-")
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.seen_requests = []  # every request the browser sent, kept across tests (see sent_requests)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _desktop_size(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each page test starts at the default desktop size, whatever the previous one emulated."""
    yield
    if "browser" in request.fixturenames:
        driver = request.getfixturevalue("browser")
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def wait(driver: WebDriver, timeout: float = WAIT) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def open_page(driver: WebDriver, url: str) -> None:
    """Load the page afresh and wait until its start-up (sources listed, a search in the URL run) is over."""
    driver.get("about:blank")  # a URL differing only in its #fragment would not reload the page
    driver.get(url)
    wait(driver).until(lambda d: d.execute_script("return document.documentElement.dataset.ready") == "true")


def ask(driver: WebDriver, server: str, question: str) -> list:
    open_page(driver, f"{server}/")
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    driver.find_element(By.ID, "ask").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results .passage")))
    return driver.find_elements(By.CSS_SELECTOR, "#results .passage")


def audit_the_example(driver: WebDriver) -> None:
    """Open the audit tab, fill in the example answer the page builds from the last search, and audit it."""
    driver.find_element(By.ID, "tab-audit").click()
    driver.find_element(By.ID, "example").click()
    wait(driver, 30).until(lambda d: d.find_element(By.ID, "answer").get_attribute("value"))
    driver.find_element(By.ID, "run-audit").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#claims .claim")))


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def emulate(driver: WebDriver, width: int, height: int = 900) -> None:
    """A viewport exactly ``width`` CSS pixels wide (headless windows cannot be narrower than 500)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
    wait(driver, 10).until(lambda d: d.execute_script("return innerWidth") == width)


def screenshot(driver: WebDriver, name: str, *, full_page: bool = True) -> Path:
    """A PNG of the page (all of it, or the viewport when a modal is open) in tests/web/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    params: dict = {"format": "png", "captureBeyondViewport": full_page}
    if full_page:
        size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        # Captured beyond the viewport the page has no scrollbar, so it lays out at the full window width.
        width = max(size["width"], driver.execute_script("return innerWidth"))
        params["clip"] = {"x": 0, "y": 0, "width": width, "height": min(size["height"], 8000), "scale": 1}
    data = driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
    path = SCREENSHOTS / f"{name}.png"
    path.write_bytes(base64.b64decode(data))
    return path


def run_axe(driver: WebDriver, context: str = "document") -> list[dict]:
    """axe-core's violations (WCAG 2.0-2.2 A and AA rules plus best practices) for the page as it is now."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(WAIT)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"axe.run({context}, {{resultTypes: ['violations']}})"
        ".then((r) => done(JSON.stringify({violations: r.violations, passes: r.passes.map((p) => p.id)})))"
        ".catch((e) => done(JSON.stringify({error: String(e)})));")
    found = json.loads(result)
    assert "error" not in found, found
    driver.axe_passes = found["passes"]  # the rules checked and passed, e.g. color-contrast
    return found["violations"]


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the browser has requested so far in this session (the DevTools network log)."""
    return [url for _, url, _ in sent_requests(driver)]


def sent_requests(driver: WebDriver) -> list[tuple[str, str, str | None]]:
    """Every request the browser has sent so far in this session: (method, URL, body or None)."""
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            request = message["params"]["request"]
            driver.seen_requests.append((request["method"], request["url"], request.get("postData")))
    return list(driver.seen_requests)


def off_machine(urls: list[str]) -> list[str]:
    """The URLs among ``urls`` that would leave this machine (anything but loopback, data: and blob:)."""
    out = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome", "devtools"):
            continue
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            out.append(url)
    return out


def wait_for_download(folder: Path, pattern: str, timeout: float = 30) -> Path:
    """The file matching ``pattern`` in ``folder`` once Chromium has finished writing it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if done and not list(folder.glob("*.crdownload")):
            return max(done, key=lambda p: p.stat().st_mtime)
        time.sleep(0.1)
    raise AssertionError(f"no download matching {pattern} in {folder}: {sorted(p.name for p in folder.iterdir())}")
