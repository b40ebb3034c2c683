"""The reviewer page end to end: Debian's headless Chromium, driven by Selenium, against the live service."""

from __future__ import annotations

import json
import re

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import WAIT, ask, flat, open_page, wait

ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
MARKER = re.compile(r"\[([^\[\]:\s]+):(\d+)-(\d+)\]")


def test_page_is_served_with_its_assets(server: str) -> None:
    """The page, every asset it names and every module those import come from the app; none names another host."""
    page = httpx.get(f"{server}/", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    pending = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert "/web/app.js" in pending and "/web/style.css" in pending and "/favicon.ico" in pending
    seen: dict[str, str] = {}
    while pending:
        asset = pending.pop()
        if asset in seen:
            continue
        response = httpx.get(f"{server}{asset}", timeout=30)
        assert response.status_code == 200, asset
        seen[asset] = response.text if asset.endswith((".js", ".css", ".svg")) else ""
        if asset.endswith(".js"):
            assert "javascript" in response.headers["content-type"]  # ES modules need a script MIME type
            pending += [f"/web/{name}" for name in re.findall(r'from "\./([\w-]+\.js)"', response.text)]
    assert {"/web/ask.js", "/web/audit.js", "/web/batch.js", "/web/viewer.js", "/web/compare.js"} <= set(seen)
    for asset, text in [("/", page.text), *seen.items()]:
        text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a namespace name, never fetched
        assert not re.search(r"(?:src|href|url)\s*[=(]\s*[\"']?(?:https?:)?//", text), asset
        assert not re.search(r"\b(?:import|fetch)\s*\(?\s*[\"'`]https?://", text), asset
    icon = httpx.get(f"{server}/favicon.ico", timeout=30)
    assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file, not a 404


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
    card = next(c for c in cards if c.get_attribute("data-passage-id") == flagged["passage_id"])
    in_card = "".join(m.get_attribute("textContent") for m in card.find_elements(By.CSS_SELECTOR, "mark.flag"))
    assert flat(source[evidence["start"]:evidence["end"]]) in flat(in_card)  # the best-sentence mark may split it
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
    cited = MARKER.search(box.get_attribute("value"))
    assert cited and cited[1] == ENGAGE  # a marker for the exact sentence, in the one citation format
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
    # the page shows the service's verdicts: how well the verifier judges is the audit's tests' business
    api = httpx.post(f"{server}/v1/audit", json={"answer": box.get_attribute("value")}, timeout=WAIT).json()
    assert [c.get_attribute("data-verdict") for c in claims] == [c["verdict"] for c in api["claims"]]
    assert [c["verdict"] for c in api["claims"]][1:] == ["contradicted", "not supported"]
    assert claims[1].find_element(By.CSS_SELECTOR, ".verdict").text.lower() == "contradicted"
    assert "curable" in claims[1].find_element(By.CSS_SELECTOR, ".reasons").text
    assert claims[2].find_elements(By.CSS_SELECTOR, ".citation.missing")
    summary = browser.find_element(By.ID, "summary")
    assert "summary fail" == summary.get_attribute("class") and "FAIL" in summary.text.upper()
    assert "second opinion" in browser.find_element(By.ID, "uncited").text


def test_audit_shows_a_quote_diff(server: str, browser: WebDriver) -> None:
    passages = httpx.get(f"{server}/v1/sources/{ENGAGE}/passages", timeout=WAIT).json()["passages"]
    chemo = next(p for p in passages if "cisplatin or carboplatin with paclitaxel" in p["text"])["passage_id"]
    open_page(browser, f"{server}/")
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
