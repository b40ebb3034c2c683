"""Filters and options on the page: flags left out or listed last, minimum source credibility, chosen sources and
publisher types, k and mode; each goes to POST /v1/query and into the URL, and a shared URL restores the search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from tests.web.conftest import WAIT, open_page, wait

CHEMO = "Which chemotherapy is used first for metastatic cervical cancer?"
IMT = "How can IMT link me with cervical cancer specialists in partner hospitals?"
ENGAGE = "engage-metastatic-cervical-cancer-factsheet"
IMT_SOURCE = "imt-metastatic-cervical-cancer"


def api_ids(server: str, question: str, k: int, mode: str = "hybrid", **filters) -> list[str]:
    body = {"question": question, "k": k, "mode": mode, "filters": filters}
    response = httpx.post(f"{server}/v1/query", json=body, timeout=WAIT)
    assert response.status_code == 200, response.text
    return [p["passage_id"] for p in response.json()["passages"]]


def submit(driver: WebDriver, question: str) -> None:
    """Ask ``question`` with the options as set, and wait for this search's results."""
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(question)
    driver.execute_script("document.getElementById('results').replaceChildren()")
    driver.find_element(By.ID, "ask").click()
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .passage, #results .message"))


def page_ids(driver: WebDriver) -> list[str]:
    return [c.get_attribute("data-passage-id") for c in driver.find_elements(By.CSS_SELECTOR, "#results .passage")]


def url_params(driver: WebDriver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def set_k(driver: WebDriver, k: int) -> None:
    box = driver.find_element(By.ID, "k")
    box.clear()
    box.send_keys(str(k))


def test_flag_credibility_k_and_mode_go_to_the_api_and_the_url(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/")
    set_k(browser, 7)  # any k, not only 3, 5 or 10
    Select(browser.find_element(By.ID, "mode")).select_by_value("bm25")
    browser.find_element(By.ID, "exclude-commercial").click()
    assert browser.find_element(By.ID, "flagged-drop").is_enabled()
    Select(browser.find_element(By.ID, "min-cred")).select_by_value("0.5")
    submit(browser, IMT)
    expected = api_ids(server, IMT, 7, "bm25", exclude_flags=["commercial"], min_source_credibility=0.5)
    assert page_ids(browser) == expected and expected
    assert api_ids(server, IMT, 7, "bm25") != expected  # the filters changed something
    params = url_params(browser)
    assert params == {"q": [IMT], "k": ["7"], "mode": ["bm25"], "exclude": ["commercial"], "min_credibility": ["0.5"]}
    for card in browser.find_elements(By.CSS_SELECTOR, "#results .passage"):
        assert not card.find_elements(By.CSS_SELECTOR, ".flag-note-commercial")
        assert card.find_element(By.CSS_SELECTOR, ".grade").text.split()[1] in "ABC"
    line = browser.find_element(By.CSS_SELECTOR, "#results .result-line").text
    assert "without commercial passages" in line and "source score ≥ 0.5" in line


def test_flagged_passages_can_be_listed_last_instead(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/")
    browser.find_element(By.ID, "exclude-commercial").click()
    browser.find_element(By.ID, "exclude-unverified").click()
    browser.find_element(By.ID, "flagged-last").click()
    submit(browser, IMT)
    expected = api_ids(server, IMT, 5, exclude_flags=["commercial", "unverified"], downrank_flagged=True)
    assert page_ids(browser) == expected
    assert sorted(expected) == sorted(api_ids(server, IMT, 5))  # the same passages, reordered
    flagged = [bool(c.find_elements(By.CSS_SELECTOR, ".flag-note"))
               for c in browser.find_elements(By.CSS_SELECTOR, "#results .passage")]
    assert any(flagged) and flagged == sorted(flagged)  # every flagged passage after every unflagged one
    assert url_params(browser)["flagged"] == ["last"]
    assert url_params(browser)["exclude"] == ["commercial,unverified"]


def test_sources_and_publisher_types_can_be_chosen(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/")
    sources = httpx.get(f"{server}/v1/sources", timeout=WAIT).json()["sources"]
    browser.find_element(By.ID, "sources-summary").click()
    boxes = browser.find_elements(By.CSS_SELECTOR, '#source-list input[name="source"]')
    assert sorted(b.get_attribute("value") for b in boxes) == sorted(s["source_id"] for s in sources)
    browser.find_element(By.CSS_SELECTOR, f'#source-list input[value="{ENGAGE}"]').click()
    assert browser.find_element(By.ID, "sources-summary").text == "Sources: 1 chosen"
    submit(browser, IMT)
    assert page_ids(browser) == api_ids(server, IMT, 5, source_ids=[ENGAGE])
    assert all(w.text.startswith(f"[{ENGAGE}:") for w in browser.find_elements(By.CSS_SELECTOR, "#results .where"))
    assert url_params(browser)["source"] == [ENGAGE]
    browser.find_element(By.CSS_SELECTOR, f'#source-list input[value="{ENGAGE}"]').click()
    browser.find_element(By.CSS_SELECTOR, '#ptype-list input[value="commercial-clinic"]').click()
    submit(browser, CHEMO)
    assert page_ids(browser) == api_ids(server, CHEMO, 5, publisher_types=["commercial-clinic"])
    assert {b.text for b in browser.find_elements(By.CSS_SELECTOR, "#results .source-line .badge:not(.grade)")
            if not b.text.startswith("⚑")} == {"commercial-clinic"}
    assert url_params(browser)["publisher_type"] == ["commercial-clinic"]


def test_the_page_follows_the_paged_list_routes_to_the_end(server: str, browser: WebDriver) -> None:
    """/v1/sources and /v1/sources/{id}/passages are paged (issue 14); the source chooser and the source view's
    flags must read every page, not the first 100 items. With a page of one item, every item still comes back."""
    sources = httpx.get(f"{server}/v1/sources", timeout=WAIT).json()
    passages = httpx.get(f"{server}/v1/sources/{IMT_SOURCE}/passages", timeout=WAIT).json()
    assert sources["next_offset"] is None and passages["next_offset"] is None  # the seed corpus fits one page
    open_page(browser, f"{server}/")
    got = browser.execute_async_script("""
        const [sourceId, done] = arguments;
        import('/web/dom.js').then(async (m) => done([
          (await m.allPages('/v1/sources', 'sources', 1)).map((s) => s.source_id),
          (await m.allPages(`/v1/sources/${sourceId}/passages`, 'passages', 1)).map((p) => p.passage_id)]),
          (e) => done(String(e)));""", IMT_SOURCE)
    assert got[0] == [s["source_id"] for s in sources["sources"]] and len(got[0]) > 1
    assert got[1] == [p["passage_id"] for p in passages["passages"]] and len(got[1]) > 1


def test_a_shared_link_restores_the_search_and_back_goes_to_the_previous_one(server: str,
                                                                             browser: WebDriver) -> None:
    params = [("q", CHEMO), ("k", "3"), ("mode", "dense"), ("exclude", "unverified"), ("flagged", "last"),
              ("min_credibility", "0.2"), ("source", ENGAGE), ("source", IMT_SOURCE)]
    open_page(browser, f"{server}/?{urlencode(params)}")
    wait(browser).until(lambda d: page_ids(d))
    assert browser.find_element(By.ID, "question").get_attribute("value") == CHEMO
    assert browser.find_element(By.ID, "k").get_attribute("value") == "3"
    assert Select(browser.find_element(By.ID, "mode")).first_selected_option.get_attribute("value") == "dense"
    assert browser.find_element(By.ID, "exclude-unverified").is_selected()
    assert not browser.find_element(By.ID, "exclude-commercial").is_selected()
    assert browser.find_element(By.ID, "flagged-last").is_selected()
    chosen = Select(browser.find_element(By.ID, "min-cred")).first_selected_option
    assert chosen.get_attribute("value") == "0.2" and "0.2" in chosen.text  # a value the menu lacks is added
    ticked = [b.get_attribute("value") for b in browser.find_elements(By.CSS_SELECTOR, 'input[name="source"]:checked')]
    assert sorted(ticked) == sorted([ENGAGE, IMT_SOURCE])
    first = api_ids(server, CHEMO, 3, "dense", exclude_flags=["unverified"], downrank_flagged=True,
                    min_source_credibility=0.2, source_ids=[ENGAGE, IMT_SOURCE])
    assert page_ids(browser) == first
    submit(browser, IMT)
    assert url_params(browser)["q"] == [IMT] and page_ids(browser) != first
    browser.back()
    wait(browser).until(lambda d: d.find_element(By.ID, "question").get_attribute("value") == CHEMO)
    wait(browser).until(lambda d: page_ids(d) == first)


def test_copy_link_gives_the_search_and_a_k_beyond_the_limit_is_explained(server: str, browser: WebDriver) -> None:
    open_page(browser, f"{server}/")
    browser.find_element(By.ID, "exclude-unverified").click()
    set_k(browser, 4)
    submit(browser, CHEMO)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": server, "permissions": [
        "clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.find_element(By.ID, "copy-link").click()
    wait(browser, 10).until(lambda d: d.find_element(By.ID, "share-status").text == "Copied")
    link = browser.execute_async_script("const done = arguments[0]; navigator.clipboard.readText().then(done);")
    assert link == browser.current_url
    assert parse_qs(urlsplit(link).query) == {"q": [CHEMO], "k": ["4"], "mode": ["hybrid"], "exclude": ["unverified"]}
    set_k(browser, 500)
    browser.find_element(By.ID, "ask").click()
    message = wait(browser).until(lambda d: d.find_element(By.ID, "ask-message").text)
    limit = httpx.post(f"{server}/v1/query", json={"question": CHEMO, "k": 500}, timeout=WAIT).json()
    assert message == limit["error"]["message"] and "k must be between 1 and" in message
