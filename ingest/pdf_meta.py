"""A PDF's title, authors and date: from its document information when that is real, else from the first page.

Producers often fill the information dictionary with file names ("Microsoft Word - 02. 206.doc"), job ids
("ipg1300180a") or nothing, so a value is used only when it reads like what it claims to be; the title
otherwise comes from the largest type at the top of the first page and the authors from the line below it.
"""

from __future__ import annotations

import re
from typing import Any

import pypdfium2 as pdfium
from groundqa.ingest.pdf_layout import Line, Page, body_size

_JUNK_TITLE = re.compile(r"^(microsoft (word|powerpoint)|untitled|doi:?$|document\d*$|slide \d)|\.(docx?|pdf|tex|indd|"
                         r"dvi|qxd|rtf)\b|^[\w.-]*\d[\w.-]*$|^\S+$", re.IGNORECASE)
_ORGANISATION = re.compile(r"\b(journals?|press|publish\w*|university|ltd|inc|gmbh|elsevier|springer|wiley|"
                           r"organi[sz]ation|ministry|department|office|admin\w*|user|owner)\b", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){1,4}$")
_MARKS = re.compile(r"[\d*†‡§¶,]+$")


def _date(raw: str | None) -> str | None:
    """'D:20100215191627+05'30'' to '2010-02-15'; placeholder dates give None."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?", (raw or "").strip())
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    if not (1980 <= int(year) <= 2100 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def _good_title(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    if len(value) < 8 or _JUNK_TITLE.search(value):
        return None
    return value


def _people(value: str) -> list[str]:
    """Split an author line into names; an empty list when any part is not a person's name."""
    value = re.sub(r"\s+and\s+|\s*&\s*|;", ",", value)
    names = []
    for part in value.split(","):
        name = _MARKS.sub("", part.strip()).strip()
        name = re.sub(r"(?<=[a-z])\d+[*†‡]?$|\d[\d,*†‡]*$", "", name).strip()
        if not name:
            continue
        if not _NAME.match(name) or _ORGANISATION.search(name) or any(w.isupper() and len(w) > 2 for w in name.split()):
            return []
        names.append(name)
    return names


def _first_page_title(page: Page, size: float) -> tuple[str | None, Line | None]:
    top = [ln for ln in page.lines if ln.top < 0.6 * page.height and len(ln.text) > 2]
    if not top:
        return None, None
    largest = max(ln.size for ln in top)
    if largest < 1.25 * size:
        return None, None
    block: list[Line] = []
    for ln in top:
        if abs(ln.size - largest) <= 0.15 * largest:  # italic or other fonts in a title have other boxes
            if block and ln.top - block[-1].bottom > 1.5 * largest:
                break
            block.append(ln)
        elif block:
            break
    title = " ".join(ln.text for ln in block)
    return (_good_title(title), block[-1]) if block else (None, None)


def pdf_metadata(pdf: pdfium.PdfDocument, pages: list[Page]) -> dict[str, Any]:
    """Keys when found: title, authors (list of str), date (yyyy-mm-dd)."""
    info = pdf.get_metadata_dict(skip_empty=True)
    size = body_size(pages)
    meta: dict[str, Any] = {}
    page_title, after = _first_page_title(pages[0], size) if pages else (None, None)
    title = page_title or _good_title(info.get("Title"))
    if title:
        meta["title"] = title
    authors: list[str] = []
    if after is not None and pages:  # the author line under the title names everyone; the info field often one
        below = [ln for ln in pages[0].lines if ln.top >= after.bottom - 1]
        if below:
            authors = _people(below[0].text)
    authors = authors or _people(info.get("Author", ""))
    if authors:
        meta["authors"] = authors
    date = _date(info.get("CreationDate")) or _date(info.get("ModDate"))
    if date:
        meta["date"] = date
    return meta
