"""Audit on the page: "Cite in audit" and the example write clean sentences with valid markers, a file of answers
is audited in a batch with progress, reports download as HTML and Markdown, support reads as a probability when
the service gives one, and the compare panel waits, hidden, for issue 16."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import WAIT, ask, open_page, run_axe, wait, wait_for_download

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
BREAST = "breast-cancer-with-metastases"
MARKER = re.compile(r"\[([^\[\]:\s]+):(\d+)-(\d+)\]")
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
    assert [c.get_attribute("data-verdict") for c in claims][0] == "supported"
    assert all(c.find_element(By.CSS_SELECTOR, ".citation:not(.missing)") for c in claims)
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
    assert verdicts[0] == "supported" and verdicts[1] != "supported"
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
    path = folder / "answers.jsonl"
    path.write_text("\n".join([*(json.dumps(r) for r in records), "{not json"]) + "\n", encoding="utf-8")
    return path, records


def test_a_file_of_answers_is_audited_in_a_batch_with_progress(server: str, browser: WebDriver,
                                                               tmp_path: Path) -> None:
    path, records = batch_file(server, tmp_path)
    expected = [audit_api(server, {k: v for k, v in r.items() if k != "id"})["summary"]["verdict"] for r in records]
    assert expected[0] == "pass" and expected[1] == "fail" and expected[2] == "fail"
    open_page(browser, f"{server}/#audit")
    browser.find_element(By.CSS_SELECTOR, "#batch > summary").click()
    browser.find_element(By.ID, "batch-file").send_keys(str(path))
    browser.execute_script("""
        window.__statuses = [];
        new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes) {
          window.__statuses.push(n.textContent); } })
          .observe(document.getElementById('batch-status'), {childList: true, characterData: true, subtree: true});""")
    browser.find_element(By.ID, "batch-run").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "batch-status").text.startswith("Audited"))
    statuses = browser.execute_script("return window.__statuses")
    assert [s for s in statuses if s.startswith("Auditing")] == [
        "Auditing 1 of 4: faithful…", "Auditing 2 of 4: wrong-figure…", "Auditing 3 of 4: made-up…",
        "Auditing 4 of 4: line 4…"]
    assert statuses[-1] == "Audited 4 answers: 1 pass, 0 review, 2 fail, 1 not audited."
    progress = browser.find_element(By.ID, "batch-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "4"
    rows = browser.find_elements(By.CSS_SELECTOR, "#batch-rows tr")
    assert [r.get_attribute("data-verdict") for r in rows] == [*expected, "error"]
    assert "line 4 is not JSON" in rows[3].text
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
    path, _ = batch_file(server, tmp_path)
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
    assert "4 answers: 1 pass, 0 review, 2 fail, 1 not audited." in md
    assert "| faithful | PASS | 1 | 1 | 0 | 0 | 0 | 0 | 0 |" in md
    assert "## 2. wrong-figure — FAIL" in md and "the claim says '29 months', the cited text says '19 months'" in md
    assert "missing passage" in md and "## 4. line 4 — NOT AUDITED" in md
    assert f"[{BREAST}:893-1016]" in md and "**inherits unverified**" in md
    browser.find_element(By.ID, "report-html").click()
    html_path = wait_for_download(downloads, "groundqa-audit-*.html")
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # self-contained: nothing to fetch
    browser.get(html_path.as_uri())
    assert browser.title == "groundqa audit report"
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["faithful", "wrong-figure", "made-up", "line 4"]
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in rows] == ["PASS", "FAIL", "FAIL", "not audited"]
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
    if "probabilities" in result:  # the calibrated verifier (issue 10) is in this branch's API
        assert support.startswith(f"support probability {result['probabilities']['supports']:.2f}")
        assert f"refutes {result['probabilities']['refutes']:.2f}" in support
    else:
        assert support == f"support score {result['score']:.2f}"
        assert "not a probability" in claim.find_element(By.CSS_SELECTOR, ".card-head .support").get_attribute("title")


def test_the_compare_panel_waits_hidden_for_the_compare_capability(server: str, browser: WebDriver) -> None:
    ask(browser, server, CHEMO)
    panel = browser.find_element(By.ID, "compare")
    assert panel.get_attribute("data-awaits") == "issue-16" and not panel.is_displayed()
    assert browser.execute_script("return window.groundqa.compare.registered") is False
    browser.execute_script("""
        window.groundqa.compare.register(async (query, result, {el}) =>
          el('p', {id: 'compare-probe'}, `${result.passages.length} passages for ${query.question}`));""")
    browser.find_element(By.ID, "ask").click()
    probe = wait(browser).until(ec.visibility_of_element_located((By.ID, "compare-probe")))
    assert probe.text == f"5 passages for {CHEMO}" and panel.is_displayed()
    browser.execute_script("window.groundqa.compare.register(async () => { throw new Error('service down'); })")
    browser.find_element(By.ID, "ask").click()
    wait(browser).until(lambda d: "Comparing the sources failed: service down" in panel.text)
    browser.execute_script("window.groundqa.compare.register(null)")
    browser.find_element(By.ID, "ask").click()
    wait(browser).until(lambda d: not panel.is_displayed())
