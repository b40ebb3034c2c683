"""The source view: original address, publisher and date, the full profile with its JAMA and HONcode criteria,
the span in context, a copyable citation in the one format that the audit accepts, and reference exports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import WAIT, ask, flat, wait, wait_for_download

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
IMT = "How can IMT link me with cervical cancer specialists in partner hospitals?"
CRITERIA = {"financial_disclosure": "financial disclosure", "advertising_policy": "advertising policy"}


def open_first(server: str, browser: WebDriver, question: str) -> dict:
    """Ask, open the first passage in its source, and return that passage as the API gives it."""
    cards = ask(browser, server, question)
    passage = httpx.get(f"{server}/v1/passages/{cards[0].get_attribute('data-passage-id')}", timeout=WAIT).json()
    cards[0].find_element(By.CSS_SELECTOR, ".open-source").click()
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#viewer mark.cited")))
    return passage


def table(section) -> list[tuple[str, str, str]]:
    return [(r.find_element(By.TAG_NAME, "th").text, *[td.text for td in r.find_elements(By.TAG_NAME, "td")])
            for r in section.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_the_source_view_shows_origin_profile_and_criteria(server: str, browser: WebDriver) -> None:
    passage = open_first(server, browser, CHEMO)
    source = passage["source"]
    assert source["url"], "the ENGAGe factsheet has an address in the manifest"
    link = browser.find_element(By.ID, "viewer-url")
    assert link.get_attribute("href") == source["url"] and source["url"] in link.text
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    about = browser.find_element(By.ID, "viewer-about")
    facts = dict(zip([dt_.text for dt_ in about.find_elements(By.TAG_NAME, "dt")],
                     [dd.text for dd in about.find_elements(By.TAG_NAME, "dd")], strict=True))
    assert facts["Publisher"] == source["publisher"] and facts["Publisher type"] == source["publisher_type"]
    assert facts["Date"] == (source["date"] or "not stated")
    assert facts["Authors"] == ", ".join(source["authors"])
    profile = source["profile"]
    side = browser.find_element(By.ID, "viewer-profile")
    sections = side.find_elements(By.CSS_SELECTOR, ".criteria")
    assert [s.find_element(By.TAG_NAME, "h4").text for s in sections] == ["JAMA benchmarks", "HONcode principles"]
    for section, key in zip(sections, ["jama", "honcode"], strict=True):
        assert table(section) == [(CRITERIA.get(name, name), "✓ met" if c["met"] else "✗ not met", c["evidence"])
                                  for name, c in profile[key].items()]
    assert len(table(sections[0])) == 4 and len(table(sections[1])) == 8
    reasons = [li.text for li in side.find_elements(By.CSS_SELECTOR, ".profile > ul > li")]
    assert reasons[:len(profile["reasons"])] == profile["reasons"]
    assert f"score {profile['score']:.2f}" in side.text and f"credibility {profile['grade']}" in side.text
    browser.find_element(By.ID, "viewer-close").click()


def test_the_citation_is_copyable_in_the_one_format_and_the_audit_accepts_it(server: str, browser: WebDriver) -> None:
    passage = open_first(server, browser, CHEMO)
    sid, start, end = passage["source_id"], passage["start"], passage["end"]
    marker = browser.find_element(By.ID, "cite-marker").get_attribute("value")
    assert marker == f"[{sid}:{start}-{end}]"
    text = httpx.get(f"{server}/v1/sources/{sid}", timeout=WAIT).json()["text"]
    assert text[start:end] == passage["text"]
    reference = browser.find_element(By.ID, "cite-ref").get_attribute("value")
    accessed = passage["source"]["ingested"] or dt.date.today().isoformat()  # as the service's exports say
    for part in (passage["source"]["title"], passage["source"]["url"], f"Accessed {accessed}", marker):
        assert part in reference
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": server, "permissions": [
        "clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.find_element(By.ID, "copy-marker").click()
    wait(browser, 10).until(lambda d: d.find_element(By.ID, "copy-status").text)
    assert browser.find_element(By.ID, "copy-status").text == "Copied"
    pasted = browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('error: ' + e));")
    assert pasted == marker
    claim = "Chemotherapy remains the backbone of first-line treatment in metastatic cervical cancer"
    audit = httpx.post(f"{server}/v1/audit", json={"answer": f"{claim} {marker}."}, timeout=WAIT).json()
    citation = audit["claims"][0]["citations"][0]
    assert citation["status"] == "ok"
    assert (citation["source_id"], citation["start"], citation["end"]) == (sid, start, end)
    assert claim in citation["aligned"]["text"]  # the claim rests on its own sentence inside the cited span
    browser.find_element(By.ID, "viewer-close").click()


def test_references_export_with_title_address_dates_quote_and_span(server: str, browser: WebDriver,
                                                                   downloads: Path) -> None:
    passage = open_first(server, browser, CHEMO)
    source = passage["source"]
    marker = f"[{passage['source_id']}:{passage['start']}-{passage['end']}]"
    today = source["ingested"] or dt.date.today().isoformat()  # the accessed date: when this copy was ingested
    quote = flat(passage["text"])
    bodies = {}
    for fmt, ext in {"ris": "ris", "bibtex": "bib", "csl": "json", "md": "md"}.items():
        for old in downloads.iterdir():
            old.unlink()
        browser.find_element(By.CSS_SELECTOR, f'#viewer-exports button[data-format="{fmt}"]').click()
        bodies[fmt] = wait_for_download(downloads, f"*.{ext}").read_bytes().decode("utf-8")  # keep RIS CRLFs
    lines = bodies["ris"].split("\r\n")
    assert lines[0] == "TY  - ELEC" and lines[-2] == "ER  - "
    assert f"TI  - {source['title']}" in lines and f"UR  - {source['url']}" in lines
    assert f"Y2  - {today}" in lines and f"AU  - {source['authors'][0]}" in lines
    assert any(line.startswith("N1  - ") and quote in line and marker in line for line in lines)
    bib = bodies["bibtex"]
    assert bib.startswith("@online{") and f"url = {{{source['url']}}}" in bib
    assert f"urldate = {{{today}}}" in bib and marker in bib and "title = {Metastatic Cervical Cancer" in bib
    item = json.loads(bodies["csl"])[0]
    assert item["type"] == "webpage" and item["title"] == source["title"] and item["URL"] == source["url"]
    assert item["accessed"]["date-parts"] == [[int(x) for x in today.split("-")]]
    assert item["id"] == marker[1:-1] and quote in item["note"]
    md = bodies["md"]
    assert md.startswith(f"> {quote}") and f"[{source['title']}]({source['url']})" in md
    assert f"`{marker}`" in md and today in md
    browser.find_element(By.ID, "viewer-close").click()


def test_flags_of_the_span_are_listed_in_the_source_view(server: str, browser: WebDriver) -> None:
    passage = open_first(server, browser, IMT)
    assert passage["flags"], "the first IMT passage is flagged"
    notes = browser.find_elements(By.CSS_SELECTOR, "#viewer-flags .flag-note")
    assert {n.find_element(By.CSS_SELECTOR, ".flag-reason").text for n in notes} >= \
        {f["reason"] for f in passage["flags"]}
    marks = browser.find_elements(By.CSS_SELECTOR, "#viewer-text mark.flag")
    assert marks and all(m.get_attribute("title") for m in marks)
    close = browser.find_element(By.ID, "viewer-close")
    close.click()
    assert not browser.find_element(By.ID, "viewer").is_displayed()
