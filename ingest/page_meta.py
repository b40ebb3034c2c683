"""A web page's title, authors and language: what the page declares first, then what trafilatura infers.

The order follows Mozilla Readability (the reference the test pages come from): declared metadata (JSON-LD,
Dublin Core, Open Graph, ``<meta name="author">``) wins over inference from the body, because a page's own
declaration is what a reader can check; trafilatura's guess and byline elements fill the gaps.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import html as lxml_html

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|"
           "jun|jul|aug|sep|sept|oct|nov|dec")
_TRAILING_DATE = re.compile(rf"(\s+(updated|published|posted|on|{_MONTHS})\b.*|\s*\d.*)$", re.IGNORECASE)
_BY = re.compile(r"^\s*(by|von|par|door|di|por|written by|posted by|author:?)\s+", re.IGNORECASE)
_JUNK_AUTHOR = re.compile(r"^(username|admin|administrator|author|authors|staff|guest|anonymous|unknown|"
                          r"authority control|follow|作者|编辑)$", re.IGNORECASE)
_TITLE_META = ("dc:title", "dcterm:title", "dcterms:title", "og:title", "weibo:article:title", "title",
               "twitter:title", "parsely:title")
_AUTHOR_META = ("dc:creator", "dcterm:creator", "dcterms:creator", "author", "parsely:author", "article:author",
                "og:article:author", "sailthru:author")
_BYLINE_XPATH = ('//*[@rel="author" or contains(concat(" ", normalize-space(@itemprop), " "), " author ") '
                 'or contains(@class, "byline") or contains(@id, "byline")]')


_PARSER = lxml_html.HTMLParser(encoding="utf-8")


def parse(markup: str) -> Any | None:
    try:
        return lxml_html.document_fromstring(markup.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None


def _meta(tree: Any) -> dict[str, str]:
    """Lower-cased meta names/properties to their content (the first of each; space-separated names split)."""
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = " ".join((el.get("content") or "").split())
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            for name in (el.get(attr) or "").lower().split():
                found.setdefault(re.sub(r"\s*[.:-]\s*", ":", name), content)  # dc.creator == dc:creator
    return found


def _json_ld(tree: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", (script.text_content() or "").strip())
            data = json.loads(raw)
        except (json.JSONDecodeError, ValueError):
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                items.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return items


def clean_author(raw: str) -> str | None:
    name = " ".join(raw.replace("_", " ").split())
    name = _BY.sub("", name)
    name = _TRAILING_DATE.sub("", name).strip(" ,;:|-–—•·")
    if not name or len(name) > 80 or _JUNK_AUTHOR.match(name) or "http" in name or "@" in name:
        return None
    return name


def split_authors(raw: str) -> list[str]:
    parts = re.split(r"\s*;\s*|\s*\|\s*|\s+(?:and|und|et|y|&)\s+|,\s+(?=\S+\s+\S)", raw)
    seen: dict[str, str] = {}
    for part in parts:
        name = clean_author(part)
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def _ld_authors(items: list[dict[str, Any]]) -> list[str]:
    for item in items:
        author = item.get("author")
        entries = author if isinstance(author, list) else [author]
        names = [e.get("name") if isinstance(e, dict) else e for e in entries]
        names = [n for n in names if isinstance(n, str) and n.strip()]
        if names:
            return split_authors("; ".join(names))
    return []


def _closest(candidates: list[str], html_title: str | None) -> str | None:
    """Of JSON-LD's name and headline, the one nearer the page's <title> (as Readability chooses)."""
    if not candidates:
        return None
    words = set(re.findall(r"\w+", (html_title or "").lower()))
    return max(candidates, key=lambda c: len(words & set(re.findall(r"\w+", c.lower()))))


def declared(markup: str, html_title: str | None = None) -> dict[str, Any]:
    """What the page declares of itself: title, authors, language (keys present only when found)."""
    tree = parse(markup)
    if tree is None:
        return {}
    meta = _meta(tree)
    ld = _json_ld(tree)
    out: dict[str, Any] = {}
    articles = [i for i in ld if str(i.get("@type", "")).lower().endswith(("article", "posting", "report"))]
    ld_title = next((_closest([v for v in (i.get("name"), i.get("headline")) if isinstance(v, str) and v.strip()],
                              html_title) for i in articles), None)
    title = ld_title or next((meta[k] for k in _TITLE_META if k in meta), None)
    if title:
        out["title"] = " ".join(title.split())
    authors = _ld_authors(articles)
    if not authors:
        raw = next((meta[k] for k in _AUTHOR_META if k in meta and not meta[k].startswith("http")), None)
        authors = split_authors(raw) if raw else []
    if authors:
        out["authors"] = authors
    byline = [" ".join(el.text_content().split()) for el in tree.xpath(_BYLINE_XPATH)]
    byline_authors = next((split_authors(b) for b in byline if 0 < len(b) < 100 and split_authors(b)), [])
    if byline_authors:
        out["byline"] = byline_authors
    lang = tree.get("lang") or tree.get("xml:lang") or meta.get("content-language") or meta.get("og:locale")
    if lang and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?", lang.strip()):
        out["language"] = lang.strip().replace("_", "-")
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    if canonical and canonical[0].startswith("http"):
        out["url"] = canonical[0].strip()
    return out
