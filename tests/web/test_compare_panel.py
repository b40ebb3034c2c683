"""The compare panel shows each position's statements with their text (a group names them by id; the panel must
resolve the ids against the answer's statement list, not render empty bullets)."""

from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.web.conftest import ask, wait

QUESTION = "Can metastatic cervical cancer be cured?"


def test_every_statement_in_the_panel_has_its_text(server: str, browser: WebDriver) -> None:
    answer = httpx.post(f"{server}/v1/compare", json={"question": QUESTION}, timeout=120).json()
    positioned = [s for g in answer["groups"] for p in g["positions"] for s in p["statements"]]
    assert positioned, "the bundled corpus gives this question no positions to show"
    ask(browser, server, QUESTION)
    panel = browser.find_element(By.ID, "compare")
    wait(browser, 120).until(lambda d: panel.find_elements(By.CSS_SELECTOR, ".compare-group"))
    quotes = [q.text.strip() for q in panel.find_elements(By.CSS_SELECTOR, ".positions .statement q")]
    assert quotes and all(quotes), f"empty statements in the panel: {quotes}"
    texts = {s["text"].strip() for s in answer["statements"]}
    assert set(quotes) <= texts
