"""Search results a reviewer reads at a glance: the best sentence, flag reasons in the open (and in print),
grade badges coloured by grade with their reasons one click away, relevance in words, abstention as such."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import WAIT, ask, flat, open_page, wait, wait_for_download

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
IMT = "How can IMT link me with cervical cancer specialists in partner hospitals?"
OFF_TOPIC = "How do I treat a migraine?"


def query(server: str, question: str, **body) -> dict:
    response = httpx.post(f"{server}/v1/query", json={"question": question, "k": 5, **body}, timeout=WAIT)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_best_sentence_of_each_passage_is_highlighted(server: str, browser: WebDriver) -> None:
    passages = {p["passage_id"]: p for p in query(server, CHEMO)["passages"]}
    cards = ask(browser, server, CHEMO)
    best = cards[0].find_elements(By.CSS_SELECTOR, ".passage-text mark.best")
    assert best, "the top passage has no highlighted sentence"
    sentence = flat("".join(m.get_attribute("textContent") for m in best))
    assert sentence == "Chemotherapy remains the backbone of first-line treatment in metastatic cervical cancer."
    assert best[0].value_of_css_property("font-weight") in ("600", "700")  # bold too, not colour alone
    for card in cards:  # each passage's marker as the service writes it, the one citation format
        marker = passages[card.get_attribute("data-passage-id")]["marker"]
        assert card.find_element(By.CSS_SELECTOR, ".where").text.startswith(marker)
    for card in cards:
        marks = card.find_elements(By.CSS_SELECTOR, ".passage-text mark.best")
        if not marks:
            continue
        text = flat("".join(m.get_attribute("textContent") for m in marks))
        assert text in flat(passages[card.get_attribute("data-passage-id")]["text"])
        assert "»" not in text and not text.startswith("•")  # heading glyphs are not part of the sentence
        words = {w[:6] for w in re.findall(r"[a-z]{4,}", text.lower())}
        assert words & {"chemot", "metast", "cervic", "cancer", "first"}, text


def test_the_services_best_sentence_is_used_when_it_sends_one(server: str, browser: WebDriver) -> None:
    """Issue 12 adds `best_sentence` (by meaning) to each passage; the page highlights it when present, cleaned of
    heading glyphs, and falls back to its own pick by shared words when it is absent, null or not in the passage."""
    api = query(server, CHEMO)["passages"]
    sent = "best_sentence" in api[0]
    cards = ask(browser, server, CHEMO)
    assert [c.get_attribute("data-best-by") for c in cards][0] == ("meaning" if sent else "words")
    text = "» Chemotherapy\nChemotherapy remains the backbone of treatment for most patients. It is given in cycles."
    start = 1000
    inner = text.index("Chemotherapy remains")
    picked = browser.execute_async_script("""
        const [passages, done] = arguments;
        import('/web/text.js').then((m) => done(m.pickBestSentences('how are cycles given', passages)),
                                    (e) => done(String(e)));""", [
        {"start": start, "end": start + len(text), "text": text,  # the service's sentence, heading line and all
         "best_sentence": {"start": start, "end": start + text.index(" It is"), "text": "", "score": 0.71}},
        {"start": start, "end": start + len(text), "text": text},  # no best_sentence: an older service
        {"start": start, "end": start + len(text), "text": text, "best_sentence": None},  # index without sentences
        {"start": start, "end": start + len(text), "text": text,  # outside this passage: not trusted
         "best_sentence": {"start": 5, "end": 40, "text": "elsewhere", "score": 0.9}},
    ])
    assert picked[0]["by"] == "meaning" and picked[0]["score"] == 0.71
    assert (picked[0]["start"], picked[0]["text"]) == (start + inner, text[inner:text.index(" It is")])
    for fallback in picked[1:]:
        assert fallback["by"] == "words" and fallback["text"] == "It is given in cycles."


def test_flag_reasons_are_shown_under_the_passage_expandable_and_printed(server: str, browser: WebDriver) -> None:
    api = query(server, IMT)["passages"]
    flagged = next(p for p in api if p["flags"])
    cards = ask(browser, server, IMT)
    card = next(c for c in cards if c.get_attribute("data-passage-id") == flagged["passage_id"])
    notes = card.find_elements(By.CSS_SELECTOR, ".flag-notes .flag-note")
    assert [n.get_attribute("data-kind") for n in notes] == [f["kind"] for f in flagged["flags"]]
    flag = flagged["flags"][0]
    reason = notes[0].find_element(By.CSS_SELECTOR, ".flag-reason")
    assert reason.is_displayed() and reason.text == flag["reason"]  # no hover needed
    detail = notes[0].find_element(By.CSS_SELECTOR, ".flag-detail")
    toggle = notes[0].find_element(By.CSS_SELECTOR, "button.disclose")
    assert not detail.is_displayed() and toggle.get_attribute("aria-expanded") == "false"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert detail.is_displayed(), "expandable flag details must print"
        assert not card.find_element(By.CSS_SELECTOR, ".card-actions").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    toggle.click()
    assert detail.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
    assert f"confidence {flag['confidence']:.2f}" in detail.text and flag["cues"][0] in detail.text
    source = httpx.get(f"{server}/v1/sources/{flagged['source_id']}", timeout=WAIT).json()["text"]
    quoted = [flat(q.text) for q in detail.find_elements(By.CSS_SELECTOR, ".evidence q")]
    ev = flag["evidence"][0]
    assert flat(source[ev["start"]:ev["end"]]) in quoted
    toggle.click()
    assert not detail.is_displayed()


def test_grade_badges_are_coloured_by_grade_and_open_their_reasons(server: str, browser: WebDriver) -> None:
    api = query(server, CHEMO)["passages"]
    cards = ask(browser, server, CHEMO)
    colours = {}
    for card, p in zip(cards, api, strict=True):
        profile = p["source"]["profile"]
        badge = card.find_element(By.CSS_SELECTOR, ".source-line .grade")
        assert badge.text.startswith(f"credibility {profile['grade']}")  # the letter says it, not colour alone
        colours.setdefault(profile["grade"], set()).add(badge.value_of_css_property("background-color"))
    assert len(colours) >= 2, f"the question should reach sources of different grades: {colours}"
    assert all(len(c) == 1 for c in colours.values()), colours  # one colour per grade
    assert len({next(iter(c)) for c in colours.values()}) == len(colours), colours  # and each grade its own
    # every grade A-E has its own colour, whatever grades this corpus happens to give
    palette = browser.execute_async_script("""
        const done = arguments[0];
        import('/web/credibility.js').then((m) => {
          const out = {};
          for (const g of ['A', 'B', 'C', 'D', 'E']) {
            const b = m.gradeBadge({profile: {grade: g}});
            document.body.append(b);
            out[g] = [b.textContent, getComputedStyle(b).backgroundColor];
            b.remove();
          }
          done(out);
        }, (e) => done(String(e)));""")
    assert [palette[g][0] for g in "ABCDE"] == [f"credibility {g}" for g in "ABCDE"]
    assert len({palette[g][1] for g in "ABCDE"}) == 5, palette
    worst = max(colours)
    e_card = next(c for c, p in zip(cards, api, strict=True) if p["source"]["profile"]["grade"] == worst)
    e_source = next(p for p in api if p["source"]["profile"]["grade"] == worst)["source"]
    badge = e_card.find_element(By.CSS_SELECTOR, ".source-line button.grade")
    panel = e_card.find_element(By.CSS_SELECTOR, ".profile-reasons")
    assert not panel.is_displayed()
    badge.click()  # one click
    assert panel.is_displayed() and badge.get_attribute("aria-expanded") == "true"
    shown = [li.text for li in panel.find_elements(By.TAG_NAME, "li")]
    assert shown == e_source["profile"]["reasons"]
    assert f"score {e_source['profile']['score']:.2f}" in panel.text


def searches(ranks: dict[str, int]) -> dict[str, int]:
    """The two searches' ranks, which the page reads; hybrid's third list (issue 12: the candidates re-scored by
    their best sentence) re-ranks what they found and is not a search of its own."""
    return {name: rank for name, rank in ranks.items() if name in ("bm25", "dense")}


def test_relevance_is_said_in_words_not_raw_fusion_scores(server: str, browser: WebDriver) -> None:
    api = query(server, CHEMO)["passages"]
    cards = ask(browser, server, CHEMO)
    results = browser.find_element(By.ID, "results").text
    assert not re.search(r"score 0\.0\d", results), "a raw reciprocal-rank-fusion score is shown"
    labels = [c.find_element(By.CSS_SELECTOR, ".relevance .rel-label").text for c in cards]
    assert set(labels) <= {"Strong match", "Good match", "Fair match", "Weak match"}
    top = searches(api[0]["ranks"])
    assert labels[0] == "Strong match" and max(top.values()) <= 3
    detail = cards[0].find_element(By.CSS_SELECTOR, ".relevance .rel-detail").text
    assert f"keyword search #{top['bm25']}" in detail and f"meaning search #{top['dense']}" in detail
    levels = [int(c.find_element(By.CSS_SELECTOR, ".relevance").get_attribute("data-level")) for c in cards]
    for level, p in zip(levels, api, strict=True):
        ranks = searches(p["ranks"])
        expected = 1 if len(ranks) < 2 else 4 if max(ranks.values()) <= 3 else 3 if max(ranks.values()) <= 10 else 2
        assert level == expected, (p["passage_id"], ranks)
    dense = query(server, CHEMO, mode="dense")["passages"][0]["score"]
    open_page(browser, f"{server}/?q={CHEMO}&mode=dense")
    first = browser.find_element(By.CSS_SELECTOR, "#results .passage .relevance")
    assert f"meaning similarity {dense:.2f}" in first.text


def test_abstention_says_no_source_answers_with_the_nearest_passages_collapsed(server: str,
                                                                               browser: WebDriver) -> None:
    api = query(server, OFF_TOPIC)
    assert api["abstained"], "the seed corpus should not answer a migraine question"
    open_page(browser, f"{server}/")
    browser.find_element(By.ID, "question").send_keys(OFF_TOPIC)
    browser.find_element(By.ID, "ask").click()
    banner = wait(browser).until(ec.visibility_of_element_located((By.ID, "abstain")))
    assert "No source in this corpus answers this" in banner.text
    assert f"{api['support']:.2f}" in banner.text
    nearest = browser.find_element(By.ID, "nearest")
    cards = nearest.find_elements(By.CSS_SELECTOR, ".passage")
    assert len(cards) == len(api["passages"]) and nearest.get_attribute("open") is None
    assert not any(c.is_displayed() for c in cards), "the nearest passages must start collapsed"
    nearest.find_element(By.TAG_NAME, "summary").click()
    assert all(c.is_displayed() for c in cards)
    assert {c.find_element(By.CSS_SELECTOR, ".rel-label").text for c in cards} == {"Does not answer"}
    answered = ask(browser, server, CHEMO)  # an answered question shows no such banner
    assert answered and not browser.find_elements(By.ID, "abstain")


def test_the_result_list_exports_are_the_services_own(server: str, browser: WebDriver, downloads: Path) -> None:
    """Markdown, CSV, JSON, RIS, BibTeX and CSL-JSON of the result list are the service's exports of the same
    search (POST /v1/query?format=, as `groundqa query --format`), byte for byte."""
    body = {"question": IMT, "k": 3, "mode": "hybrid", "filters": {}}
    api = query(server, IMT, k=3)
    open_page(browser, f"{server}/?q={IMT}&k=3")
    exts = {"md": "md", "csv": "csv", "json": "json", "ris": "ris", "bibtex": "bib", "csl": "csl.json"}
    for fmt, ext in exts.items():
        for old in downloads.iterdir():
            old.unlink()
        browser.find_element(By.CSS_SELECTOR, f'#results-tools button[data-export="{fmt}"]').click()
        got = wait_for_download(downloads, f"groundqa-*.{ext}").read_bytes().decode("utf-8")
        service = httpx.post(f"{server}/v1/query", params={"format": fmt}, json=body, timeout=WAIT)
        assert service.status_code == 200, service.text
        assert got == service.text, fmt
        if fmt == "json":
            assert [p["passage_id"] for p in json.loads(got)["passages"]] == [p["passage_id"] for p in api["passages"]]
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(got)))
            assert [r["passage_id"] for r in rows] == [p["passage_id"] for p in api["passages"]]
            assert rows[0]["marker"] == api["passages"][0]["marker"]
