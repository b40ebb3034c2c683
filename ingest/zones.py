"""Visible page text with the zone each stretch sits in: main content, page chrome, forms or advertising.

Where a sentence sits is evidence for what it is: "Order now" in a form or a sidebar is selling, the same
words in an article quoting an advert are not. The zone comes from the element's own tag and its ancestors'
tags, ids and classes; it is a coarse, explainable signal for the credibility classifier, not an extractor
of main content.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import (
    BeautifulSoup,
    CData,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)

ZONES = ("main", "chrome", "form", "ad")
_DROP = ("script", "style", "noscript", "template", "svg", "iframe", "head", "object", "embed", "canvas")
_BLOCKS = frozenset(("p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                     "h6", "br", "tr", "td", "th", "table", "blockquote", "pre", "dd", "dt", "dl", "figcaption",
                     "hr", "nav", "header", "footer", "aside", "form", "button", "option", "label", "center",
                     "address", "fieldset", "legend", "caption", "body"))
_WORD_BREAKS = frozenset(("a", "img", "span", "td", "input"))
_CHROME_TAGS = frozenset(("nav", "header", "footer", "aside"))
_FORM_TAGS = frozenset(("form", "button", "select", "option", "label", "fieldset", "input", "textarea"))
_AD_NAME = re.compile(r"(^|[\W_])(ads?|advert\w*|sponsor\w*|promo\w*|dfp|adsense|googlead\w*|banner\w*|"
                      r"commercial|affiliate)([\W_]|$)", re.IGNORECASE)
_CHROME_NAME = re.compile(r"(^|[\W_])(nav\w*|menu\w*|footer\w*|header\w*|masthead|sidebar\w*|side-bar|breadcrumbs?|"
                          r"toolbar|share|sharing|social|comments?|related|widget\w*|copyright|skip)([\W_]|$)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class Zone:
    start: int
    end: int
    zone: str


def _names(tag: Tag) -> str:
    classes = tag.get("class") or []
    return " ".join([*(classes if isinstance(classes, list) else [classes]), str(tag.get("id") or "")])


def _own_zone(tag: Tag) -> str | None:
    if tag.name in _FORM_TAGS:
        return "form"
    names = _names(tag)
    if names.strip() and _AD_NAME.search(names):
        return "ad"
    if tag.name in _CHROME_TAGS or (names.strip() and _CHROME_NAME.search(names)):
        return "chrome"
    return None


_PRIORITY = {"main": 0, "chrome": 1, "form": 2, "ad": 3}


def zoned_text(markup: str) -> tuple[str, list[Zone], str | None]:
    """(text, zones, title): block elements become line breaks; every character of text is in one zone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages: lxml's HTML parser reads them fine
        soup = BeautifulSoup(markup, "lxml")
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text(" ").split()) or None if title_tag else None
    for tag in soup.find_all(_DROP):
        tag.decompose()
    pieces: list[tuple[str, str]] = []

    def walk(node: Tag, zone: str) -> None:
        for child in node.children:
            if isinstance(child, Comment | Doctype | Declaration | ProcessingInstruction | CData):
                continue
            if isinstance(child, NavigableString):
                raw = str(child)
                if raw.strip():
                    lead = " " if raw[:1].isspace() and pieces and not pieces[-1][0].endswith((" ", "\n")) else ""
                    pieces.append((lead + " ".join(raw.split()) + (" " if raw[-1:].isspace() else ""), zone))
                continue
            if not isinstance(child, Tag):
                continue
            own = _own_zone(child)
            inner = own if own and _PRIORITY[own] > _PRIORITY[zone] else zone
            block = child.name in _BLOCKS
            if block:
                pieces.append(("\n", zone))
            elif child.name in _WORD_BREAKS:
                pieces.append(("", zone))
            walk(child, inner)
            if block:
                pieces.append(("\n", zone))
            elif child.name in _WORD_BREAKS:
                pieces.append(("", zone))

    walk(soup, "main")
    text_parts: list[str] = []
    zones: list[Zone] = []
    cursor = 0
    soft_break = False
    for piece, zone in pieces:
        if piece == "\n":
            if text_parts and not text_parts[-1].endswith("\n"):
                stripped = text_parts[-1].rstrip(" ")
                cursor -= len(text_parts[-1]) - len(stripped)
                text_parts[-1] = stripped + "\n"
                cursor += 1
            continue
        if piece == "":
            soft_break = True
            continue
        if not piece.strip():
            continue
        if text_parts and text_parts[-1].endswith("\n"):
            piece = piece.lstrip()
        elif soft_break and text_parts and text_parts[-1][-1:].isalnum() and piece[:1].isalnum():
            piece = " " + piece  # adjacent links ("Home</a><a>About") are separate words
        soft_break = False
        zones.append(Zone(cursor, cursor + len(piece), zone))
        text_parts.append(piece)
        cursor += len(piece)
    text = "".join(text_parts)
    return text, zones, title


def zone_at(zones: list[Zone], start: int, end: int) -> str:
    """The zone covering most of ``[start, end)`` (ties go to the more telling zone)."""
    share: dict[str, int] = {}
    for z in zones:
        overlap = min(end, z.end) - max(start, z.start)
        if overlap > 0:
            share[z.zone] = share.get(z.zone, 0) + overlap
    if not share:
        return "main"
    return max(share, key=lambda k: (share[k], _PRIORITY[k]))
