"""Query results as files a researcher keeps: Markdown, CSV, and references for citation managers.

Every format carries, per passage, what a citation needs: title, publisher, URL, date, the accessed date
(when this copy of the source was ingested), the exact quote and its span, written as the marker
``[source_id:start-end]`` that ``groundqa audit`` reads back.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from groundqa.service.schemas import PassageOut, QueryOut

# format -> media type; the HTTP API negotiates on these (service/negotiate.py)
QUERY_FORMATS: dict[str, str] = {
    "json": "application/json",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "csl": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "bibtex": "application/x-bibtex; charset=utf-8",
}
CSV_FIELDS = ("rank", "passage_id", "marker", "source_id", "start", "end", "page", "score", "title", "publisher",
              "publisher_type", "url", "date", "accessed", "authors", "grade", "credibility", "flags", "quote")


def _accessed(p: PassageOut, today: str) -> str:
    return p.source.ingested or today


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _date_parts(date: str | None) -> list[int] | None:
    """'2023-05-01', '2023-05' or '2023' as CSL date-parts; None when the date is not in that form."""
    match = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date or "")
    return [int(x) for x in match.groups() if x] if match else None


def _note(p: PassageOut) -> str:
    page = f", page {p.page}" if p.page else ""
    return f"Quote {p.marker}{page}, passage {p.passage_id}: \u201c{_flat(p.text)}\u201d"


def to_markdown(result: QueryOut, *, today: str) -> str:
    lines = [f"# {_flat(result.question)}", "",
             f"{len(result.passages)} passages, mode {result.mode}"
             + (f"; support {result.support:.2f}" if result.support is not None else "") + "."]
    if result.abstained:
        lines += ["", "> **No passage supports an answer**: the passages below are the closest found, "
                      "not an answer."]
    for rank, p in enumerate(result.passages, start=1):
        s = p.source
        title = p.title or p.source_id
        head = f"[{title}]({s.url})" if s.url else title
        facts = [x for x in (s.publisher, s.date, f"accessed {_accessed(p, today)}") if x]
        profile = s.profile or {}
        if "grade" in profile:
            facts.append(f"credibility {profile['grade']} ({profile['score']:.2f})")
        lines += ["", f"{rank}. **{head}**. {'; '.join(facts)}.",
                  f"   `{p.marker}` · passage `{p.passage_id}`" + (f" · page {p.page}" if p.page else "")
                  + (f" · score {p.score:.4f}" if p.score is not None else ""), ""]
        lines += [f"   > {line}" if line else "   >" for line in p.text.strip().splitlines()]
        for f in p.flags:
            lines += ["", f"   *{f.kind}*: {f.reason}"]
    return "\n".join(lines) + "\n"


def to_csv(result: QueryOut, *, today: str) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for rank, p in enumerate(result.passages, start=1):
        profile = p.source.profile or {}
        writer.writerow({
            "rank": rank, "passage_id": p.passage_id, "marker": p.marker, "source_id": p.source_id,
            "start": p.start, "end": p.end, "page": p.page or "", "score": "" if p.score is None else f"{p.score:.6f}",
            "title": p.title or "", "publisher": p.source.publisher or "", "publisher_type": p.source.publisher_type,
            "url": p.source.url or "", "date": p.source.date or "", "accessed": _accessed(p, today),
            "authors": "; ".join(p.source.authors), "grade": profile.get("grade", ""),
            "credibility": profile.get("score", ""), "flags": ";".join(f.kind for f in p.flags), "quote": p.text})
    return out.getvalue()


def csl_items(result: QueryOut, *, today: str) -> list[dict[str, Any]]:
    """CSL-JSON (the citation-style-language data schema): one item per passage, id = passage id."""
    items = []
    for p in result.passages:
        s = p.source
        item: dict[str, Any] = {
            "id": p.passage_id, "type": "webpage" if s.url else "document", "title": p.title or p.source_id,
            "accessed": {"date-parts": [_date_parts(_accessed(p, today)) or []]},
            "note": _note(p),
            "custom": {"quote": p.text, "source_id": p.source_id, "start": p.start, "end": p.end, "page": p.page,
                       "marker": p.marker, "passage_id": p.passage_id},
        }
        if s.publisher:
            item["publisher"] = s.publisher
        if s.url:
            item["URL"] = s.url
        if s.authors:
            item["author"] = [{"literal": a} for a in s.authors]
        issued = _date_parts(s.date)
        if issued:
            item["issued"] = {"date-parts": [issued]}
        if s.language:
            item["language"] = s.language
        items.append(item)
    return items


def to_csl(result: QueryOut, *, today: str) -> str:
    return json.dumps(csl_items(result, today=today), indent=2, ensure_ascii=False) + "\n"


def to_ris(result: QueryOut, *, today: str) -> str:
    import rispy

    entries = []
    for p in result.passages:
        s = p.source
        entry: dict[str, Any] = {"type_of_reference": "ELEC" if s.url else "GEN", "id": p.passage_id,
                                 "title": p.title or p.source_id, "access_date": _accessed(p, today),
                                 "notes": [_note(p)], "abstract": _flat(p.text)}
        if s.publisher:
            entry["publisher"] = s.publisher
        if s.url:
            entry["urls"] = [s.url]
        if s.authors:
            entry["authors"] = list(s.authors)
        if s.date:
            entry["date"] = s.date
            entry["year"] = s.date[:4]
        if s.language:
            entry["language"] = s.language
        entries.append(entry)
    class PlainRis(rispy.RisWriter):  # no "1." counter line before each record: plain RIS as Zotero writes it
        def set_header(self, count: int) -> str:
            return ""

    return rispy.dumps(entries, implementation=PlainRis)


def to_bibtex(result: QueryOut, *, today: str) -> str:
    """BibTeX/biblatex @online entries keyed by passage id; special characters are LaTeX-encoded."""
    import bibtexparser
    from bibtexparser.middlewares import LatexEncodingMiddleware
    from bibtexparser.model import Entry, Field

    library = bibtexparser.Library()
    for p in result.passages:
        s = p.source
        fields = {"title": p.title or p.source_id, "urldate": _accessed(p, today), "note": _note(p)}
        if s.publisher:
            fields["organization"] = s.publisher
        if s.url:
            fields["url"] = s.url
        if s.authors:
            fields["author"] = " and ".join(s.authors)
        if s.date:
            fields["date"] = s.date
            fields["year"] = s.date[:4]
        library.add(Entry("online", p.passage_id, [Field(k, v) for k, v in fields.items()]))
    # URLs are verbatim in BibTeX: encode every other field, keep url as it is
    encoded = LatexEncodingMiddleware(keep_math=True, enclose_urls=False).transform(library)
    return bibtexparser.write_string(encoded)


_WRITERS = {"md": to_markdown, "csv": to_csv, "csl": to_csl, "ris": to_ris, "bibtex": to_bibtex}


def render_query_as(result: QueryOut, fmt: str, *, today: str) -> str:
    """``result`` in one of QUERY_FORMATS; ``today`` stands in for the accessed date of sources with none."""
    if fmt == "json":
        return result.model_dump_json(indent=2) + "\n"
    return _WRITERS[fmt](result, today=today)
