"""Audit on the page: "Cite in audit" and the example write clean sentences with valid markers, a file of answers
is audited in a batch with progress, reports download as HTML and Markdown, support reads as a probability when
the service gives one, and the compare panel waits, hidden, for issue 16."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import (
    WAIT,
    ask,
    emulate,
    open_page,
    run_axe,
    screenshot,
    sent_requests,
    wait,
    wait_for_download,
)

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
BREAST = "breast-cancer-with-metastases"
MARKER = re.compile(r"\[([^\[\]:\s]+):(\d+)-(\d+)\]")
RANK = ["supported", "partly supported", "unclear", "not supported", "contradicted"]  # best first
GLYPHS = "»•▪●➤►"


def source_text(server: str, source_id: str) -> str:
    return httpx.get(f"{server}/v1/sources/{source_id}", timeout=WAIT).json()["text"]


def audit_api(server: str, body: dict) -> dict:
    response = httpx.post(f"{server}/v1/audit", json=body, timeout=WAIT)
    assert response.status_code == 200, response.text
    return response.json()


def run_page_audit(driver: WebDriver) -> list:
    driver.execute_script("document.getElementById('claims').replaceChildren()")
    driver.find_element(By.ID, "run-audit").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#claims .claim")))
    return driver.find_elements(By.CSS_SELECTOR, "#claims .claim")


def sentence_marker(server: str, source_id: str, opening: str) -> tuple[str, str]:
    """The sentence of a source that starts with ``opening`` and its [source_id:start-end] marker."""
    text = source_text(server, source_id)
    start = text.index(opening)
    end = text.index(".", start) + 1
    return text[start:end], f"[{source_id}:{start}-{end}]"


def test_cite_in_audit_writes_the_clean_sentence_and_a_valid_marker(server: str, browser: WebDriver) -> None:
    cards = ask(browser, server, CHEMO)
    cards[0].find_element(By.CSS_SELECTOR, ".cite").click()
    box = wait(browser).until(ec.visibility_of_element_located((By.ID, "answer")))
    assert browser.switch_to.active_element == box  # focus follows to the audit box
    line = box.get_attribute("value")
    assert line == ("Chemotherapy remains the backbone of first-line treatment in metastatic cervical cancer "
                    f"{MARKER.search(line)[0]}.")
    sid, start, end = MARKER.search(line).groups()
    assert source_text(server, sid)[int(start):int(end)] == \
        "Chemotherapy remains the backbone of first-line treatment in metastatic cervical cancer."
    browser.find_element(By.ID, "tab-ask").click()
    bullet_card = next(c for c in browser.find_elements(By.CSS_SELECTOR, "#results .passage") if "•" in c.text)
    bullet_card.find_element(By.CSS_SELECTOR, ".cite").click()
    lines = browser.find_element(By.ID, "answer").get_attribute("value").split("\n")
    assert len(lines) == 2 and not any(g in lines[1] for g in GLYPHS)
    sid, start, end = MARKER.search(lines[1]).groups()
    cited = re.sub(r"\s+", " ", source_text(server, sid)[int(start):int(end)])
    assert cited.rstrip(".") == MARKER.sub("", lines[1]).strip().rstrip(".").strip()
    claims = run_page_audit(browser)
    answer = browser.find_element(By.ID, "answer").get_attribute("value")
    api = audit_api(server, {"answer": answer})
    assert [c.get_attribute("data-verdict") for c in claims] == [c["verdict"] for c in api["claims"]]
    # each marker resolves, and the claim rests on exactly the sentence it cites (underlined on the page)
    for claim, line in zip(claims, answer.split("\n"), strict=True):
        assert claim.find_element(By.CSS_SELECTOR, ".citation:not(.missing)")
        underlined = " ".join(m.text for m in claim.find_elements(By.CSS_SELECTOR, ".citation mark.aligned"))
        assert re.sub(r"\s+", " ", underlined).strip().rstrip(".") == MARKER.sub("", line).strip().rstrip(".").strip()
    assert browser.find_element(By.ID, "uncited").get_attribute("hidden") is not None


def test_the_example_is_built_from_clean_sentences(server: str, browser: WebDriver) -> None:
    ask(browser, server, CHEMO)
    browser.find_element(By.ID, "tab-audit").click()
    browser.find_element(By.ID, "example").click()
    box = browser.find_element(By.ID, "answer")
    wait(browser, 30).until(lambda d: box.get_attribute("value"))
    lines = box.get_attribute("value").split("\n")
    assert len(lines) == 4 and not any(g in box.get_attribute("value") for g in GLYPHS)
    assert "It is not true that »" not in box.get_attribute("value")
    sid, start, end = MARKER.search(lines[0]).groups()
    cited = re.sub(r"\s+", " ", source_text(server, sid)[int(start):int(end)])
    assert cited == MARKER.sub("", lines[0]).replace(" .", ".")
    claims = run_page_audit(browser)
    verdicts = [c.get_attribute("data-verdict") for c in claims]
    api = audit_api(server, {"answer": box.get_attribute("value")})
    assert verdicts == [c["verdict"] for c in api["claims"]]
    # the altered sentence is judged worse than the faithful one it was made from
    assert RANK.index(verdicts[1]) > RANK.index(verdicts[0]), verdicts
    assert claims[2].find_elements(By.CSS_SELECTOR, ".citation.missing")
    assert "second opinion" in browser.find_element(By.ID, "uncited").text


def batch_file(server: str, folder: Path) -> tuple[Path, list[dict]]:
    faithful, faithful_marker = sentence_marker(server, ENGAGE, "Chemotherapy remains the backbone")
    records = [
        {"id": "faithful", "answer": f"{faithful[:-1]} {faithful_marker}."},
        {"id": "wrong-figure", "answer": f"Patients with metastatic breast cancer live an average of 29 months "
                                         f"[{BREAST}:893-1016]."},
        {"id": "made-up", "claims": [{"claim": "Immunotherapy alone cures metastatic cervical cancer",
                                      "citations": [{"passage_id": "p_deadbeefdeadbeef"}]}]},
    ]
    later = [
        {"id": "faithful", "answer": records[0]["answer"]},  # an id the file repeats: the page numbers answers itself
        {"id": "no-claim-text", "claims": [{"citations": [{"passage_id": "p_deadbeefdeadbeef"}]}]},  # refused: 422
    ]
    path = folder / "answers.jsonl"
    lines = [*(json.dumps(r) for r in records), "{not json", *(json.dumps(r) for r in later)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, records


def test_a_file_of_answers_is_audited_in_a_batch_with_progress(server: str, browser: WebDriver,
                                                               tmp_path: Path) -> None:
    path, records = batch_file(server, tmp_path)
    expected = [audit_api(server, {k: v for k, v in r.items() if k != "id"})["summary"]["verdict"] for r in records]
    assert expected[0] in ("pass", "review") and expected[1] == "fail" and expected[2] == "fail"
    refused = httpx.post(f"{server}/v1/audit", json={"claims": [{"citations": []}]}, timeout=WAIT)
    assert refused.status_code == 422
    open_page(browser, f"{server}/#audit")
    browser.find_element(By.CSS_SELECTOR, "#batch > summary").click()
    browser.find_element(By.ID, "batch-file").send_keys(str(path))
    browser.execute_script("""
        window.__statuses = [];
        new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes) {
          window.__statuses.push(n.textContent); } })
          .observe(document.getElementById('batch-status'), {childList: true, characterData: true, subtree: true});""")
    before = len(sent_requests(browser))
    browser.find_element(By.ID, "batch-run").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "batch-status").text.startswith("Audited"))
    statuses = browser.execute_script("return window.__statuses")
    bodies = [json.loads(body) for method, url, body in sent_requests(browser)[before:]
              if method == "POST" and urlsplit(url).path == "/v1/audit"]
    # the batch route, three answers and then two; the service refuses the second batch whole (one answer has no
    # claim text), so the page sends those two one by one and only the faulty one fails
    assert [len(b["answers"]) if "answers" in b else 1 for b in bodies] == [3, 2, 1, 1], bodies
    assert [a["id"] for a in bodies[0]["answers"]] == ["1", "2", "3"]
    # sent to POST /v1/audit as small batches ({"answers": [...]}, three at a time), progress after each;
    # the unreadable line is listed at once and never sent
    assert [s for s in statuses if s.startswith("Auditing")] == [
        "Auditing answers 1–3 of 6 (1 done)…", "Auditing answers 5–6 of 6 (4 done)…"]
    verdicts = [*expected, "error", expected[0], "error"]
    counts = {v: verdicts.count(v) for v in ("pass", "review", "fail")}
    assert statuses[-1] == (f"Audited 6 answers: {counts['pass']} pass, {counts['review']} review, "
                            f"{counts['fail']} fail, 2 not audited.")
    progress = browser.find_element(By.ID, "batch-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "6"
    rows = browser.find_elements(By.CSS_SELECTOR, "#batch-rows tr")
    assert [r.get_attribute("data-verdict") for r in rows] == verdicts
    assert "line 4 is not JSON" in rows[3].text
    # the service refused the last answer's body (no claim text); only that answer is not audited
    assert rows[4].find_element(By.TAG_NAME, "th").text == "faithful" and "claim" in rows[5].text
    rows[1].find_element(By.TAG_NAME, "button").click()
    summary = browser.find_element(By.ID, "summary")
    assert "2. wrong-figure" in summary.text and "FAIL" in summary.text.upper()
    claim = browser.find_element(By.CSS_SELECTOR, "#claims .claim")
    assert claim.get_attribute("data-verdict") == "contradicted" and "29 months" in claim.text


def test_csv_answers_with_quoted_commas_and_line_breaks(server: str, browser: WebDriver, tmp_path: Path) -> None:
    faithful, marker = sentence_marker(server, ENGAGE, "Chemotherapy remains the backbone")
    answer = f"{faithful[:-1]} {marker}.\nEvery patient, whatever the stage, should ask for a second opinion."
    path = tmp_path / "answers.csv"
    path.write_text('id,answer\r\n"with, comma","' + answer.replace('"', '""') + '"\r\n', encoding="utf-8")
    expected = audit_api(server, {"answer": answer})["summary"]["verdict"]
    open_page(browser, f"{server}/#audit")
    browser.find_element(By.CSS_SELECTOR, "#batch > summary").click()
    browser.find_element(By.ID, "batch-file").send_keys(str(path))
    browser.find_element(By.ID, "batch-run").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "batch-status").text.startswith("Audited"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#batch-rows tr")
    assert len(rows) == 1 and rows[0].find_element(By.TAG_NAME, "th").text == "with, comma"
    assert rows[0].get_attribute("data-verdict") == expected == "review"  # the uncited sentence asks for review


def test_the_report_downloads_as_html_and_markdown(server: str, browser: WebDriver, tmp_path: Path,
                                                   downloads: Path) -> None:
    path, records = batch_file(server, tmp_path)
    reports = [audit_api(server, {k: v for k, v in r.items() if k != "id"}) for r in records]
    open_page(browser, f"{server}/#audit")
    assert not browser.find_element(By.ID, "report-html").is_enabled()  # nothing to report yet
    browser.find_element(By.CSS_SELECTOR, "#batch > summary").click()
    browser.find_element(By.ID, "batch-file").send_keys(str(path))
    browser.find_element(By.ID, "batch-run").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "batch-status").text.startswith("Audited"))
    for old in downloads.iterdir():
        old.unlink()
    browser.find_element(By.ID, "report-md").click()
    md = wait_for_download(downloads, "groundqa-audit-*.md").read_text(encoding="utf-8")
    assert md.startswith("# groundqa audit report\n")
    verdicts = [r["summary"]["verdict"] for r in reports]
    verdicts = [*verdicts, "error", verdicts[0], "error"]
    counts = {v: verdicts.count(v) for v in ("pass", "review", "fail")}
    assert (f"6 answers: {counts['pass']} pass, {counts['review']} review, {counts['fail']} fail, "
            "2 not audited.") in md
    faithful = reports[0]["summary"]
    row = [faithful["claims"], *(faithful["by_verdict"].get(v, 0) for v in RANK), faithful["uncited_sentences"]]
    assert f"| faithful | {faithful['verdict'].upper()} | {' | '.join(map(str, row))} |" in md
    assert "## 2. wrong-figure — FAIL" in md and "the claim says '29 months', the cited text says '19 months'" in md
    assert "missing passage" in md and "## 4. line 4 — NOT AUDITED" in md and "## 6. no-claim-text — NOT AUDITED" in md
    assert f"[{BREAST}:893-1016]" in md
    for kind in {f["kind"] for f in reports[1]["claims"][0]["flags"]}:  # flags the wrong figure's sentence carries
        assert f"**inherits {kind}**" in md
    browser.find_element(By.ID, "report-html").click()
    html_path = wait_for_download(downloads, "groundqa-audit-*.html")
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # self-contained: nothing to fetch
    browser.get(html_path.as_uri())
    assert browser.title == "groundqa audit report"
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == [
        "faithful", "wrong-figure", "made-up", "line 4", "faithful", "no-claim-text"]
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == [
        "not audited" if v == "error" else v.upper() for v in verdicts]
    assert "29 months" in browser.find_element(By.ID, "answer-2").text
    serious = [v["id"] for v in run_axe(browser) if v["impact"] in ("serious", "critical")]
    assert not serious, serious


def test_support_reads_as_a_probability_when_the_service_gives_one(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/#audit")
    shown = browser.execute_async_script("""
        const done = arguments[0];
        import('/web/audit.js').then((m) => done([
          m.supportText({score: 0.82, probabilities: {supports: 0.82, refutes: 0.05, neither: 0.13}}),
          m.supportText({score: 0.74})]), (e) => done(String(e)));""")
    assert shown == ["support probability 0.82", "support score 0.74"]
    faithful, marker = sentence_marker(server, ENGAGE, "Chemotherapy remains the backbone")
    answer = f"{faithful[:-1]} {marker}."
    result = audit_api(server, {"answer": answer})["claims"][0]
    browser.find_element(By.ID, "answer").send_keys(answer)
    claim = run_page_audit(browser)[0]
    support = claim.find_element(By.CSS_SELECTOR, ".card-head .support").text
    # main's API: the score is the trained verifier's calibrated p(supports), sent with the three probabilities
    assert result["score"] == result["probabilities"]["supports"]
    assert support.startswith(f"support probability {result['score']:.2f}")
    assert f"refutes {result['probabilities']['refutes']:.2f}" in support
    assert f"neither {result['probabilities']['neither']:.2f}" in support
    title = claim.find_element(By.CSS_SELECTOR, ".card-head .support").get_attribute("title")
    assert "calibrated probability" in title and "not a probability" not in title
    summary = browser.find_element(By.ID, "summary").text
    assert "mean support probability" in summary and "support score" not in summary


def test_the_compare_panel_waits_hidden_for_the_compare_capability(server: str, browser: WebDriver) -> None:
    paths = httpx.get(f"{server}/openapi.json", timeout=WAIT).json()["paths"]
    has_compare = "post" in paths.get("/v1/compare", {})
    sent_requests(browser)
    before = len(browser.seen_requests)
    ask(browser, server, CHEMO)
    panel = browser.find_element(By.ID, "compare")
    assert browser.execute_script("return window.groundqa.compare.registered") is False
    # the page read the service's OpenAPI document and lights the panel only when POST /v1/compare is there
    assert browser.execute_script("return window.groundqa.compare.available") is has_compare
    asked = [urlsplit(url).path for _, url, _ in sent_requests(browser)[before:]]
    assert "/openapi.json" in asked
    if not has_compare:  # main before issue 16: nothing is asked of a route the service lacks, nothing shown
        assert "/v1/compare" not in asked
        assert panel.get_attribute("data-awaits") == "issue-16" and not panel.is_displayed()
    else:  # issue 16 merged: the built-in renderer asks the route after the search
        wait(browser).until(lambda d: any(urlsplit(u).path == "/v1/compare" for _, u, _ in sent_requests(d)[before:]))
    browser.execute_script("""
        window.groundqa.compare.register(async (query, result, {el}) =>
          el('p', {id: 'compare-probe'}, `${result.passages.length} passages for ${query.question}`));""")
    browser.find_element(By.ID, "ask").click()
    probe = wait(browser).until(ec.visibility_of_element_located((By.ID, "compare-probe")))
    assert probe.text == f"5 passages for {CHEMO}" and panel.is_displayed()
    browser.execute_script("window.groundqa.compare.register(async () => { throw new Error('service down'); })")
    browser.find_element(By.ID, "ask").click()
    wait(browser).until(lambda d: "Comparing the sources failed: service down" in panel.text)
    browser.execute_script("window.groundqa.compare.register(null)")  # back to the built-in one, if any
    browser.find_element(By.ID, "ask").click()
    wait(browser).until(lambda d: not d.find_elements(By.ID, "compare-probe"))
    if not has_compare:
        wait(browser).until(lambda d: not panel.is_displayed())


def test_brackets_that_are_not_citations_are_named_with_the_fix(server: str, browser: WebDriver) -> None:
    """The service's marker warnings (a bracket that looks like a citation but is not one) are shown with their
    fix, on the page and in the report, not left as an unexplained uncited sentence."""
    answer = "Chemotherapy is the backbone of first-line treatment for metastatic cervical cancer [1863:2292]."
    warnings = audit_api(server, {"answer": answer})["warnings"]
    assert warnings and warnings[0]["marker"] == "[1863:2292]"
    open_page(browser, f"{server}/#audit")
    browser.find_element(By.ID, "answer").send_keys(answer)
    browser.find_element(By.ID, "run-audit").click()
    box = wait(browser).until(ec.visibility_of_element_located((By.ID, "uncited")))
    wait(browser).until(lambda d: "Markers that are not citations" in box.text)
    shown = [li.text for li in box.find_elements(By.CSS_SELECTOR, ".marker-warnings li")]
    assert shown == [f"{w['marker']} — {w['message']}" for w in warnings]


def test_the_compare_panel_shows_disagreements_first_with_sources_and_grades(server: str, browser: WebDriver) -> None:
    """What the built-in renderer makes of a POST /v1/compare answer in the shape issue 16 describes (groups that
    agree, disagree or are unrelated; each statement with its span, source profile and flags), built from real
    spans of the seed corpus: the route itself arrives with issue 16."""
    sources = {s["source_id"]: s for s in httpx.get(f"{server}/v1/sources", timeout=WAIT).json()["sources"]}
    text = source_text(server, ENGAGE)
    start = text.index("usually not curable")
    end = text.index(".", start) + 1
    answer = {"groups": [
        {"topic": "chemotherapy first", "relation": "agree", "statements": [
            {"text": "Chemotherapy remains the backbone", "source_id": ENGAGE, "start": 10, "end": 40,
             "source": sources[ENGAGE], "flags": []}]},
        {"topic": "curability", "relation": "disagree", "statements": [
            {"text": text[start:end], "source_id": ENGAGE, "start": start, "end": end, "source": sources[ENGAGE],
             "flags": []},
            {"text": "Our therapy cures metastatic cancer.", "source_id": BREAST, "start": 0, "end": 30,
             "source": sources[BREAST], "flags": [{"kind": "unverified", "reason": "an outcome promise",
                                                   "cues": [], "confidence": 0.9, "evidence": []}]}]},
    ]}
    open_page(browser, f"{server}/")
    empty = browser.execute_async_script("""
        const done = arguments[0];
        import('/web/compare.js').then((m) => done(m.renderCompare({groups: []})), (e) => done(String(e)));""")
    assert empty is None  # nothing to compare: the panel stays hidden
    browser.execute_async_script("""
        const [answer, done] = arguments;
        import('/web/compare.js').then((m) => {
          const node = m.renderCompare(answer);
          node.id = 'compare-test';
          document.getElementById('compare-body').replaceChildren(node);
          document.getElementById('compare').hidden = false;
          done();
        });""", answer)
    groups = browser.find_elements(By.CSS_SELECTOR, "#compare-test .compare-group")
    assert [g.get_attribute("data-relation") for g in groups] == ["disagree", "agree"]  # disagreements first
    heading = groups[0].find_element(By.TAG_NAME, "h3").text
    assert heading == "≠ Sources disagree: curability"  # said in words and a sign, not by colour alone
    first, second = groups[0].find_elements(By.CSS_SELECTOR, ".statement")
    assert first.find_element(By.TAG_NAME, "q").text == text[start:end]
    assert f"credibility {sources[ENGAGE]['profile']['grade']}" in first.text
    assert f"[{ENGAGE}:{start}-{end}]" in first.text and sources[ENGAGE]["publisher_type"] in first.text
    assert "⚑ unverified" in second.text
    assert "1 where sources disagree" in browser.find_element(By.ID, "compare-test").text
    first.find_element(By.CSS_SELECTOR, "button.link").click()  # open the span in its source
    wait(browser).until(ec.visibility_of_element_located((By.ID, "viewer")))
    assert browser.find_element(By.ID, "cite-marker").get_attribute("value") == f"[{ENGAGE}:{start}-{end}]"
    browser.find_element(By.ID, "viewer-close").click()
    found = run_axe(browser, "document.getElementById('compare')")
    serious = [v["id"] for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    for width in (420, 1400):  # kept with the other page screenshots
        emulate(browser, width)
        panel = browser.find_element(By.ID, "compare")
        assert panel.size["width"] <= width and browser.execute_script(
            "return document.documentElement.scrollWidth") <= width  # no sideways scrolling
        screenshot(browser, f"compare-panel-{width}")
