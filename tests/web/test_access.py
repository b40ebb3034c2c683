"""Accessible and responsive: every view at 420 and 1400 px (screenshots kept in tests/web/screenshots/), axe-core
with no serious or critical violation, keyboard operation with visible focus, colour never the only signal, and no
request leaving the machine."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import (
    NARROW,
    SCREENSHOTS,
    WIDE,
    audit_the_example,
    emulate,
    off_machine,
    open_page,
    requested_urls,
    run_axe,
    screenshot,
    wait,
)

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
IMT = "How can IMT link me with cervical cancer specialists in partner hospitals?"
BREAST = "How long do patients with metastatic breast cancer live?"
OFF_TOPIC = "How do I treat a migraine?"


def search_url(server: str, question: str, **params: str) -> str:
    return f"{server}/?{urlencode({'q': question, **params})}"


def no_sideways_scroll(driver: WebDriver) -> None:
    width, scroll = driver.execute_script("const html = document.documentElement; "
                                          "return [html.clientWidth, html.scrollWidth]")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px viewport (scrollbar excluded)"


def batch(folder: Path) -> Path:
    path = folder / "answers.jsonl"
    path.write_text(json.dumps({"id": "made-up", "answer": "Immunotherapy cures it [p_deadbeefdeadbeef]."}) + "\n"
                    + json.dumps({"id": "figure", "answer": "Patients with metastatic breast cancer live an average "
                                  "of 29 months [breast-cancer-with-metastases:893-1016]."}) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_every_view_fits_the_width_and_passes_axe(server: str, browser: WebDriver, tmp_path: Path,
                                                  width: int) -> None:
    emulate(browser, width)
    found: dict[str, list[dict]] = {}
    passed: dict[str, list[str]] = {}

    def check(state: str, *, full_page: bool = True) -> None:
        screenshot(browser, f"{state}-{width}", full_page=full_page)
        found[state] = run_axe(browser)
        passed[state] = browser.axe_passes

    open_page(browser, search_url(server, IMT, k="4"))
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .passage"))
    ask = browser.find_element(By.ID, "ask").rect
    assert ask["x"] >= 0 and ask["x"] + ask["width"] <= width, "the Ask button is cut off"
    no_sideways_scroll(browser)
    browser.find_element(By.CSS_SELECTOR, "#results .source-line button.grade").click()
    browser.find_element(By.CSS_SELECTOR, "#results .flag-note button.disclose").click()
    summary = browser.find_element(By.ID, "sources-summary")
    # chromedriver scrolls a target to the top edge, under the sticky header (a reader's scroll, and keyboard
    # focus with scroll-padding-top, do not): bring it to the middle as a reader would
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    no_sideways_scroll(browser)
    check("ask")

    open_page(browser, search_url(server, OFF_TOPIC))
    wait(browser).until(ec.visibility_of_element_located((By.ID, "abstain")))
    browser.find_element(By.CSS_SELECTOR, "#nearest > summary").click()
    no_sideways_scroll(browser)
    check("abstain")

    open_page(browser, search_url(server, CHEMO, k="3"))
    browser.find_element(By.CSS_SELECTOR, "#results .open-source").click()
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#viewer mark.cited")))
    dialog = browser.find_element(By.ID, "viewer").rect
    assert dialog["x"] >= 0 and dialog["x"] + dialog["width"] <= width
    check("source", full_page=False)
    browser.execute_script("document.getElementById('viewer-profile').scrollIntoView({block: 'start'})")
    screenshot(browser, f"source-profile-{width}", full_page=False)
    browser.find_element(By.ID, "viewer-close").click()

    audit_the_example(browser)
    no_sideways_scroll(browser)
    check("audit")

    open_page(browser, f"{server}/#audit")
    browser.find_element(By.CSS_SELECTOR, "#batch > summary").click()
    browser.find_element(By.ID, "batch-file").send_keys(str(batch(tmp_path)))
    browser.find_element(By.ID, "batch-run").click()
    wait(browser).until(lambda d: d.find_element(By.ID, "batch-status").text.startswith("Audited"))
    browser.find_elements(By.CSS_SELECTOR, "#batch-rows button")[1].click()
    no_sideways_scroll(browser)
    check("batch")

    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"axe-{width}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    (SCREENSHOTS / f"axe-{width}-passed.json").write_text(json.dumps(passed, indent=1), encoding="utf-8")
    assert all({"color-contrast", "label", "button-name", "aria-valid-attr-value"} <= set(p) for p in passed.values())
    serious = {state: [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
                       if v["impact"] in ("serious", "critical")] for state, violations in found.items()}
    assert not any(serious.values()), serious
    for state in ("ask", "abstain", "source", "audit", "batch"):
        assert (SCREENSHOTS / f"{state}-{width}.png").stat().st_size > 10_000


def focus_ring(driver: WebDriver) -> tuple[str, str]:
    return tuple(driver.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth];"))


def press(driver: WebDriver, *keys: str) -> None:
    ActionChains(driver).send_keys(*keys).perform()


def test_the_page_works_from_the_keyboard_with_visible_focus(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/")
    press(browser, Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.get_attribute("class") == "skip" and skip.rect["y"] >= 0  # shown when focused
    press(browser, Keys.ENTER)
    press(browser, Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "question"
    assert focus_ring(browser)[0] != "none"
    press(browser, CHEMO, Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .passage"))
    target = browser.find_element(By.CSS_SELECTOR, "#results .open-source")
    visited = []
    for _ in range(60):
        press(browser, Keys.TAB)
        active = browser.switch_to.active_element
        style, width = focus_ring(browser)
        visited.append(active.get_attribute("id") or active.get_attribute("class") or active.tag_name)
        assert style != "none" and float(width.rstrip("px")) >= 2, f"no visible focus on {visited[-1]}"
        if active == target:
            break
    else:
        raise AssertionError(f"Tab never reached 'Open in source': {visited}")
    assert {"k", "mode", "exclude-commercial", "min-cred"} <= set(visited)  # the options are in the tab order
    grade = browser.find_element(By.CSS_SELECTOR, "#results .source-line button.grade")
    assert "link disclose" in visited or "badge grade grade-A disclose" in " ".join(visited)
    press(browser, Keys.ENTER)
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#viewer mark.cited")))
    assert browser.execute_script("return document.getElementById('viewer').contains(document.activeElement)")
    press(browser, Keys.ESCAPE)
    wait(browser, 10).until(lambda d: not d.find_element(By.ID, "viewer").is_displayed())
    assert browser.switch_to.active_element == target  # focus returns where it was
    browser.execute_script("arguments[0].focus()", grade)
    press(browser, Keys.SPACE)
    assert grade.get_attribute("aria-expanded") == "true"
    browser.find_element(By.ID, "tab-ask").send_keys(Keys.ARROW_RIGHT)  # focuses the tab, then the key
    active = "return document.activeElement.id || document.activeElement.outerHTML.slice(0, 80)"
    wait(browser, 10).until(lambda d: d.execute_script(active) == "tab-audit", browser.execute_script(active))
    assert browser.find_element(By.ID, "panel-audit").is_displayed()
    assert not browser.find_element(By.ID, "panel-ask").is_displayed()
    browser.find_element(By.ID, "tab-audit").send_keys(Keys.HOME)
    wait(browser, 10).until(lambda d: d.find_element(By.ID, "tab-ask").get_attribute("aria-selected") == "true")
    assert browser.execute_script(active) == "tab-ask"


def test_colour_is_never_the_only_signal(server: str, browser: WebDriver) -> None:
    open_page(browser, search_url(server, IMT))
    commercial = browser.find_element(By.CSS_SELECTOR, "#results mark.flag-commercial")
    assert commercial.value_of_css_property("text-decoration-line") == "underline"
    assert commercial.value_of_css_property("text-decoration-style") == "solid"
    badges = browser.find_elements(By.CSS_SELECTOR, "#results .badge.flag-commercial")
    assert badges and all(b.text.startswith("⚑ ") for b in badges)
    grades = browser.find_elements(By.CSS_SELECTOR, "#results .source-line .grade")
    assert all(g.text.split()[1] in "ABCDE" for g in grades)
    levels = browser.find_elements(By.CSS_SELECTOR, "#results .relevance .rel-label")
    assert all(level.text.endswith("match") or level.text == "Does not answer" for level in levels)
    open_page(browser, search_url(server, BREAST))
    unverified = browser.find_element(By.CSS_SELECTOR, "#results mark.flag-unverified")
    assert unverified.value_of_css_property("text-decoration-style") == "dashed"  # unlike commercial's solid line


def test_no_request_leaves_the_machine(server: str, browser: WebDriver, tmp_path: Path) -> None:
    requested_urls(browser)  # what earlier tests did is checked too
    open_page(browser, search_url(server, IMT, exclude="commercial", flagged="last"))
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .passage"))
    browser.find_element(By.CSS_SELECTOR, "#results .open-source").click()
    wait(browser).until(ec.visibility_of_element_located((By.CSS_SELECTOR, "#viewer mark.cited")))
    browser.find_element(By.ID, "viewer-whole").click()
    wait(browser).until(lambda d: not d.find_element(By.ID, "viewer-whole").is_displayed())  # the whole text is in
    browser.find_element(By.CSS_SELECTOR, '#viewer-exports button[data-format="ris"]').click()
    browser.find_element(By.ID, "viewer-close").click()
    audit_the_example(browser)
    browser.find_element(By.ID, "report-html").click()
    urls = requested_urls(browser)
    paths = {u.split("?")[0].removeprefix(server) for u in urls if u.startswith(server)}
    assert {"/", "/web/app.js", "/web/style.css", "/v1/query", "/v1/audit", "/v1/sources"} <= paths, paths
    assert not off_machine(urls), off_machine(urls)
