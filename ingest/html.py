"""HTML: the page's main content (readability-lxml) and its metadata (declared metadata, then trafilatura
with htmldate for the date), each chosen by measurement on Mozilla Readability's test pages
(bench/README.md "Document reading").

Headings become lines of their own followed by a blank line, list items start with "- ", table rows read
"cell | cell". What the extractor leaves out is not thrown away: the page's menus, forms, adverts and contact
blocks are kept as ``Document.boilerplate`` (zoned by ``ingest.zones``) for the credibility profile.
"""

from __future__ import annotations

import logging
import math
import re
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from groundqa.core.errors import LoadError
from groundqa.core.records import Document
from groundqa.ingest.decode import decode_bytes, normalise_newlines
from groundqa.ingest.page_meta import declared, parse, split_authors
from groundqa.ingest.zones import zone_at, zoned_text

for _name in ("trafilatura", "htmldate", "courlan", "readability", "justext"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_INVISIBLE = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "svg",
              "iframe", "head", "button", "select", "form")
MIN_MAIN_SHARE = 0.15  # main content shorter than this share of the visible text: the extractor missed it
MIN_VISIBLE_CHARS = 400  # ... on a page with at least this much visible text


def html_to_text(markup: str) -> tuple[str, str | None]:
    """All visible text outside navigation, forms and page chrome (the fallback when no main content is found)."""
    soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title") or soup.find("h1")
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else None
    for tag in soup.find_all(_INVISIBLE):
        tag.decompose()
    for tag in soup.find_all(attrs={"hidden": True}):
        tag.decompose()
    return soup_text(soup), title or None


def _inline(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def body_text(body: Any) -> str:
    """trafilatura's XML body as readable text: headings, paragraphs, lists and tables on lines of their own."""
    blocks: list[str] = []

    def walk(node: Any, depth: int = 0) -> None:
        for child in node:
            tag = child.tag
            if tag == "head":
                text = _inline(child)
                if text:
                    blocks.append(f"\n{text}\n")
            elif tag == "list":
                for item in child:
                    if item.tag != "item":
                        continue
                    nested = [c for c in item if c.tag == "list"]
                    for c in nested:
                        item.remove(c)
                    text = _inline(item)
                    if text:
                        blocks.append("  " * depth + "- " + text)
                    for c in nested:
                        walk([c], depth + 1)
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [_inline(cell) for cell in row if cell.tag == "cell"]
                    if any(cells):
                        blocks.append(" | ".join(c for c in cells if c))
                blocks.append("")
            elif tag in ("p", "quote", "code", "item", "cell"):
                text = _inline(child)
                if text:
                    blocks.append(text + "\n")
            elif len(child):
                walk(child, depth)
            else:
                text = _inline(child)
                if text:
                    blocks.append(text + "\n")

    walk(body)
    text = "\n".join(blocks)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def page_metadata(extracted: Any, markup: str, html_title: str | None = None) -> dict[str, Any]:
    """title, authors, date (yyyy-mm-dd), site_name, url (canonical), language, description: those found.

    Declared metadata first (``ingest.page_meta``), then trafilatura's (its date comes from htmldate)."""
    own = declared(markup, html_title)
    found: dict[str, Any] = {}
    if extracted is not None:
        for key, attr in (("title", "title"), ("date", "date"), ("site_name", "sitename"), ("url", "url"),
                          ("description", "description")):
            value = getattr(extracted, attr, None)
            if isinstance(value, str) and value.strip():
                found[key] = " ".join(value.split())
        authors = split_authors(getattr(extracted, "author", None) or "")
        if authors:
            found["authors"] = authors
    meta: dict[str, Any] = {}
    title = own.get("title") or html_title or found.get("title")
    site = found.get("site_name")
    if title and site and title.lower().endswith(site.lower()) and len(title) > len(site) + 3:
        head = re.sub(r"\s*[|\-–—·:»]\s*$", "", title[:-len(site)])
        title = head if head != title[:-len(site)] and head.strip() else title  # "Article | Site" -> "Article"
    if title:
        meta["title"] = title
    authors = own.get("authors") or found.get("authors") or own.get("byline")
    if authors:
        meta["authors"] = authors
    for key in ("date", "site_name", "description"):
        if key in found:
            meta[key] = found[key]
    url = own.get("url") or found.get("url")
    if url:
        meta["url"] = url
    if "language" in own:
        meta["language"] = own["language"]
    return meta


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _without_hidden(markup: str) -> str:
    """The page without what a visitor never sees (hidden, aria-hidden, display:none)."""
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(lambda t: t.has_attr("hidden") or t.get("aria-hidden") == "true"
                             or _HIDDEN_STYLE.search(str(t.get("style") or ""))):
        tag.decompose()
    return str(soup)


def boilerplate_blocks(markup: str, main_text: str) -> tuple[tuple[str, str], ...]:
    """(zone, text) blocks of the visible page that are not in the main text, consecutive lines of a zone
    merged. A stretch ``ingest.zones`` calls main but the extractor left out is chrome from the reader's view."""
    text, zones, _ = zoned_text(_without_hidden(markup))
    main_key = _key(main_text)
    blocks: list[tuple[str, str]] = []
    cursor = 0
    for line in text.split("\n"):
        start, end = cursor, cursor + len(line)
        cursor = end + 1
        stripped = line.strip()
        key = _key(stripped)
        if not key or key in main_key:
            continue
        zone = zone_at(zones, start, end)
        zone = "chrome" if zone == "main" else zone
        if blocks and blocks[-1][0] == zone:
            blocks[-1] = (zone, blocks[-1][1] + "\n" + stripped)
        else:
            blocks.append((zone, stripped))
    return tuple(blocks)


_READABLE_BLOCKS = ("p", "div", "section", "article", "main", "ul", "ol", "table", "blockquote", "pre", "dd", "dt",
                    "dl", "figcaption", "figure", "hr", "br", "tr", "li", "title")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def fragment_text(fragment: str) -> str:
    """Article HTML as readable text (see ``soup_text``)."""
    return soup_text(BeautifulSoup(fragment, "lxml"))


def soup_text(soup: BeautifulSoup) -> str:
    """Headings on their own line before a blank line, "- " list items, "cell | cell" table rows, one block
    per line; the source's line breaks inside a paragraph are spaces, as a browser shows them."""
    for tag in soup.find_all(("script", "style", "noscript", "template", "svg")):
        tag.decompose()
    for string in soup.find_all(string=True):
        if not string.find_parent("pre") and ("\n" in string or "\t" in string):
            string.replace_with(re.sub(r"\s+", " ", str(string)))
    for row in soup.find_all("tr"):
        cells = [" ".join(c.get_text(" ").split()) for c in row.find_all(("td", "th"), recursive=False)]
        row.clear()
        row.append(" | ".join(c for c in cells if c))
    for item in soup.find_all("li"):
        item.insert(0, "  " * len(item.find_parents("li")) + "- ")
    for tag in soup.find_all(_HEADINGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for tag in soup.find_all(_READABLE_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def readerable(markup: str) -> bool:
    """Mozilla Readability's isProbablyReaderable: enough long <p>, <pre>, <article> (or <div> with <br>) blocks
    for an article extractor to find the article. Short pages (a clinic's contact page) keep their visible text."""
    tree = parse(markup)
    if tree is None:
        return False
    nodes = list(tree.iter("p", "pre", "article"))
    nodes += [div for div in tree.iter("div") if any(child.tag == "br" for child in div)]
    score = 0.0
    for node in nodes:
        hidden = node.get("hidden") is not None or _HIDDEN_STYLE.search(node.get("style") or "")
        length = len(" ".join(node.text_content().split())) if not hidden else 0
        if length >= 140:
            score += math.sqrt(length - 140)
            if score > 20:
                return True
    return False


def readable_text(markup: str) -> str:
    """readability-lxml's main content; empty when it finds none."""
    from readability import Document as Readable
    from readability.readability import Unparseable

    try:
        return fragment_text(Readable(markup).summary(html_partial=True))
    except (Unparseable, ValueError, TypeError, AttributeError, IndexError, KeyError):
        return ""


def trafilatura_text(markup: str, *, favor: str = "balanced") -> tuple[str, Any]:
    """trafilatura's main content and its document object (kept for the comparison in bench/)."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            markup, with_metadata=True, include_tables=True, include_comments=False, include_formatting=False,
            include_images=False, include_links=False, favor_recall=favor == "recall",
            favor_precision=favor == "precision", deduplicate=False)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):  # trafilatura on hostile markup
        extracted = None
    text = body_text(extracted.body) if extracted is not None and extracted.body is not None else ""
    return text, extracted


def metadata_of(markup: str) -> dict[str, Any]:
    """Declared metadata, then trafilatura's (date by htmldate, site name, canonical URL)."""
    from trafilatura.metadata import extract_metadata

    try:
        found = extract_metadata(markup)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        found = None
    return page_metadata(found, markup, _html_title(markup))


def extract(markup: str, *, extractor: str = "readability") -> tuple[str, dict[str, Any]]:
    """(main text, metadata); the visible text stands in when the extractor finds (almost) no main content."""
    visible, _ = html_to_text(markup)
    if extractor == "readability":
        text = readable_text(markup) if readerable(markup) else visible
        meta = metadata_of(markup)
    else:
        text, extracted = trafilatura_text(markup, favor=extractor.removeprefix("trafilatura-"))
        meta = page_metadata(extracted, markup, _html_title(markup))
    if len(visible) >= MIN_VISIBLE_CHARS and len(text) < MIN_MAIN_SHARE * len(visible) or not re.search(r"\w", text):
        text = visible
    return text, meta


def _html_title(markup: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", markup, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    from html import unescape

    title = " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
    return title or None


def load_html(path: Path, *, source_id: str, data: bytes | None = None) -> list[Document]:
    raw = path.read_bytes() if data is None else data
    markup = normalise_newlines(decode_bytes(raw, name=str(path)))
    text, meta = extract(markup)
    if not re.search(r"\w", text):
        raise LoadError(f"{path}: has no visible text once scripts, styles and navigation are removed")
    return [Document(source_id=source_id, text=text, title=meta.get("title") or path.stem, path=str(path),
                     metadata=meta, boilerplate=boilerplate_blocks(markup, text))]
