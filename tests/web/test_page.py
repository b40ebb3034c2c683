"""The reviewer page end to end: Debian's headless Chromium, driven by Selenium, against the live service."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator

import httpx
import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                else None)
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1280,1200"]
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
WAIT = 120

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian chromium and chromium-driver are "
                                "needed for the page tests: apt-get install chromium chromium-driver "
                                "(scripts/install --test does it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """Headless Chromium with a fresh profile, driven through the system chromedriver (nothing downloaded)."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must never fetch a driver or browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="groundqa-chromium-")
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver):
    return WebDriverWait(driver, WAIT)


def ask(driver: WebDriver, server: str, question: str) -> list:
    driver.get(f"{server}/")
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    driver.find_element(By.ID, "ask").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#results .passage")))
    return driver.find_elements(By.CSS_SELECTOR, "#results .passage")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_page_is_served_with_its_assets(server: str) -> None:
    page = httpx.get(f"{server}/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for asset in re.findall(r'(?:src|href)="(/web/[^"]+)"', page.text):
        assert httpx.get(f"{server}{asset}", timeout=30).status_code == 200
    assert "https://" not in page.text  # nothing from a CDN


def test_ask_shows_flagged_sentences_with_reasons(server: str, browser: WebDriver) -> None:
    question = "How can IMT link me with cervical cancer specialists in partner hospitals?"
    api = httpx.post(f"{server}/v1/query", json={"question": question, "k": 5}, timeout=WAIT).json()["passages"]
    assert any(p["flags"] for p in api), "the IMT promotion should carry credibility flags"
    cards = ask(browser, server, question)
    assert [c.get_attribute("data-passage-id") for c in cards] == [p["passage_id"] for p in api]
    marks = browser.find_elements(By.CSS_SELECTOR, "#results mark.flag")
    assert marks, "no flagged sentence is highlighted"
    flagged = [p for p in api if p["flags"]][0]
    reason = flagged["flags"][0]["reason"]
    titles = [m.get_attribute("title") for m in marks]
    assert any(t.startswith(f"{flagged['flags'][0]['kind']}: ") and reason in t for t in titles)
    evidence = flagged["flags"][0]["evidence"][0]
    source = httpx.get(f"{server}/v1/sources/{flagged['source_id']}", timeout=WAIT).json()["text"]
    assert flat(source[evidence["start"]:evidence["end"]]) in {flat(m.text) for m in marks}
    card = next(c for c in cards if c.get_attribute("data-passage-id") == flagged["passage_id"])
    assert flat(card.find_element(By.CSS_SELECTOR, ".passage-text").text) == flat(flagged["text"])


def test_open_source_highlights_the_span_in_context(server: str, browser: WebDriver) -> None:
    cards = ask(browser, server, "Which chemotherapy is used first for metastatic cervical cancer?")
    first = cards[0]
    passage_id = first.get_attribute("data-passage-id")
    passage = httpx.get(f"{server}/v1/passages/{passage_id}", timeout=WAIT).json()
    first.find_element(By.CSS_SELECTOR, ".open-source").click()
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#viewer mark.cited")))
    viewer = browser.find_element(By.ID, "viewer-text")
    cited = "".join(m.get_attribute("textContent") for m in viewer.find_elements(By.CSS_SELECTOR, "mark.cited"))
    assert cited == passage["text"]
    shown = viewer.get_attribute("textContent")
    assert len(shown) > len(passage["text"])  # the span sits in its context
    browser.find_element(By.ID, "viewer-whole").click()
    source = httpx.get(f"{server}/v1/sources/{passage['source_id']}", timeout=WAIT).json()["text"]
    wait(browser).until(lambda d: d.find_element(By.ID, "viewer-text").get_attribute("textContent") == source)
    browser.find_element(By.ID, "viewer-close").click()


def test_audit_an_answer_shows_each_claims_verdict(server: str, browser: WebDriver) -> None:
    cards = ask(browser, server, "Which chemotherapy is used first for metastatic cervical cancer?")
    chemo = next(c for c in cards if "Chemotherapy remains the backbone" in c.text)
    chemo.find_element(By.CSS_SELECTOR, ".cite").click()  # the page writes the marker into the audit box
    wait(browser).until(ec.visibility_of_element_located((By.ID, "answer")))
    box = browser.find_element(By.ID, "answer")
    cited = box.get_attribute("value")
    assert f"[{chemo.get_attribute('data-passage-id')}]" in cited
    passages = httpx.get(f"{server}/v1/sources/{ENGAGE}/passages", timeout=WAIT).json()["passages"]
    curable = next(p for p in passages if "usually not curable" in p["text"])["passage_id"]
    box.clear()
    box.send_keys("Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer "
                  f"[{chemo.get_attribute('data-passage-id')}].\n"
                  f"Metastatic cervical cancer is usually curable [{curable}].\n"
                  "Immunotherapy alone cures metastatic cervical cancer [p_deadbeefdeadbeef].\n"
                  "Every patient should also ask for a second opinion.")
    browser.find_element(By.ID, "run-audit").click()
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#claims .claim")))
    claims = browser.find_elements(By.CSS_SELECTOR, "#claims .claim")
    assert [c.get_attribute("data-verdict") for c in claims] == ["supported", "contradicted", "not supported"]
    assert claims[1].find_element(By.CSS_SELECTOR, ".verdict").text.lower() == "contradicted"
    assert "curable" in claims[1].find_element(By.CSS_SELECTOR, ".reasons").text
    assert claims[2].find_elements(By.CSS_SELECTOR, ".citation.missing")
    summary = browser.find_element(By.ID, "summary")
    assert "summary fail" == summary.get_attribute("class") and "FAIL" in summary.text.upper()
    assert "second opinion" in browser.find_element(By.ID, "uncited").text


def test_audit_shows_a_quote_diff(server: str, browser: WebDriver) -> None:
    passages = httpx.get(f"{server}/v1/sources/{ENGAGE}/passages", timeout=WAIT).json()["passages"]
    chemo = next(p for p in passages if "cisplatin or carboplatin with paclitaxel" in p["text"])["passage_id"]
    browser.get(f"{server}/")
    browser.find_element(By.ID, "tab-audit").click()
    box = browser.find_element(By.ID, "answer")
    quote = "The most commonly used combination is cisplatin or carboplatin with docetaxel"
    box.send_keys(json.dumps([{"claim": "The usual first-line combination",
                               "citations": [{"passage_id": chemo, "quote": quote}]}]))
    browser.find_element(By.ID, "run-audit").click()
    wait(browser).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#claims .claim .diff")))
    diff = browser.find_element(By.CSS_SELECTOR, "#claims .claim .diff")
    assert diff.find_element(By.TAG_NAME, "del").text == "docetaxel"
    assert diff.find_element(By.TAG_NAME, "ins").text == "paclitaxel"


def test_each_card_marks_its_best_sentence_and_cites_it(server: str, browser: WebDriver) -> None:
    question = "When should palliative care start?"
    api = httpx.post(f"{server}/v1/query", json={"question": question, "k": 5}, timeout=WAIT).json()["passages"]
    cards = ask(browser, server, question)
    assert [c.get_attribute("data-passage-id") for c in cards] == [p["passage_id"] for p in api]
    for card, passage in zip(cards, api, strict=True):
        marks = card.find_elements(By.CSS_SELECTOR, "mark.best-sentence")  # split where a flag overlaps it
        assert flat("".join(m.get_attribute("textContent") for m in marks)) == flat(passage["best_sentence"]["text"])
    answering = next(i for i, p in enumerate(api) if "Palliative care is not only for the end of life" in p["text"])
    assert api[answering]["best_sentence"]["text"].startswith("Palliative care is not only for the end of life")
    cards[answering].find_element(By.CSS_SELECTOR, ".cite").click()
    wait(browser).until(ec.visibility_of_element_located((By.ID, "answer")))
    line = browser.find_element(By.ID, "answer").get_attribute("value").splitlines()[-1]
    assert line.startswith("Palliative care is not only for the end of life")
    assert line.endswith(f"[{api[answering]['passage_id']}].")
