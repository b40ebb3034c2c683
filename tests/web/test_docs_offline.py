"""/docs (Swagger UI) and /redoc render in a browser that can reach nothing but the service: their scripts and
styles are served by the app (fastapi-offline), not by a CDN (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.web.conftest import CHROMEDRIVER, CHROMIUM, FLAGS

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian chromium and chromium-driver are "
                                "needed for the page tests: apt-get install chromium chromium-driver")
# Every host name but loopback fails to resolve: the network is off for everything but the service under test.
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1, EXCLUDE localhost"]


@pytest.fixture(scope="module")
def offline_browser() -> Iterator[WebDriver]:
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="groundqa-chromium-offline-")
    for flag in [*FLAGS, *OFFLINE, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def requested_urls(driver: WebDriver) -> list[str]:
    """What the page needs to work (scripts, styles, data, fonts) that it asked for; ReDoc's decorative
    "powered by" logo (an image on its own CDN) is left out: the docs do not depend on it."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent" and message["params"].get("type") != "Image":
            urls.append(message["params"]["request"]["url"])
    return urls


def test_swagger_ui_renders_offline(server: str, offline_browser: WebDriver) -> None:
    offline_browser.get(f"{server}/docs")
    WebDriverWait(offline_browser, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    paths = {e.text for e in offline_browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/v1/query", "/v1/audit", "/v1/sources"} <= {p.replace("\u200b", "") for p in paths}
    outside = [u for u in requested_urls(offline_browser) if u.startswith("http") and not u.startswith(server)]
    assert not outside, f"the docs asked the network for {outside}"


def test_redoc_renders_offline(server: str, offline_browser: WebDriver) -> None:
    offline_browser.get(f"{server}/redoc")
    WebDriverWait(offline_browser, 60).until(
        lambda d: "/v1/query" in d.find_element(By.TAG_NAME, "body").text)
    outside = [u for u in requested_urls(offline_browser) if u.startswith("http") and not u.startswith(server)]
    assert not outside, f"ReDoc asked the network for {outside}"
