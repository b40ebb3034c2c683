"""Terminal output a person reads at a glance: rank, title, span, and a snippet with the best sentence marked."""

from __future__ import annotations

import re

import click
from groundqa.index.sentences import lexical_best
from groundqa.service.schemas import PassageOut, QueryOut, SourceMetaOut

_FLAG_COLOURS = {"commercial": "magenta", "unverified": "yellow"}


def best_sentence(question: str, passage: PassageOut) -> tuple[int, int] | None:
    """The sentence to mark, as offsets into the passage text: the engine's best sentence (closest in
    meaning), else, for an index without sentence vectors, the one sharing most words with the question."""
    if passage.best_sentence is not None:
        return passage.best_sentence.start - passage.start, passage.best_sentence.end - passage.start
    return lexical_best(question, passage.text)


def _snippet(question: str, passage: PassageOut, width: int = 420) -> str:
    text = passage.text
    span = best_sentence(question, passage)
    if span is None:
        flat = re.sub(r"\s+", " ", text)
        return flat[:width] + ("…" if len(flat) > width else "")
    start, end = span
    before = re.sub(r"\s+", " ", text[max(0, start - 120):start]).lstrip()
    after = re.sub(r"\s+", " ", text[end:end + 120]).rstrip()
    marked = click.style(re.sub(r"\s+", " ", text[start:end]), bold=True, underline=True)
    return f"{'…' if start > 120 else ''}{before}{marked}{after}{'…' if end + 120 < len(text) else ''}"


def render_query(result: QueryOut) -> str:
    if not result.passages:
        return click.style(f"No passage found for: {result.question}", fg="yellow")
    lines = [click.style(f"{len(result.passages)} passages for: ", dim=True) + result.question + click.style(
        f"  [{result.mode}]", dim=True), ""]
    if result.abstained:
        lines[1:1] = [click.style(f"No passage supports an answer (nearest passage similarity {result.support:.2f}); "
                                  "the closest passages are shown below, but treat them as unrelated.",
                                  fg="yellow", bold=True), ""]
    for rank, p in enumerate(result.passages, start=1):
        tags = " ".join(click.style(f"[{f.kind}]", fg=_FLAG_COLOURS.get(f.kind, "red"), bold=True) for f in p.flags)
        lines.append(f"{click.style(f'{rank:>2}.', bold=True)} {click.style(p.title or p.source_id, fg='cyan')}  "
                     f"score {p.score:.4f} {tags}".rstrip())
        # The two citation forms `groundqa audit` reads, exactly as they are to be pasted.
        lines.append(f"    cite {click.style(p.marker, fg='green')} or {click.style(f'[{p.passage_id}]', fg='green')}"
                     + (f"  (page {p.page}{', OCR' if p.ocr else ''})" if p.page else ""))
        profile = p.source.profile or {}
        grade = f"; credibility {profile['grade']} ({profile['score']:.2f})" if "grade" in profile else ""
        if p.source.publisher_type != "unknown" or p.source.publisher or grade:
            lines.append(click.style(f"    {p.source.publisher or ''} ({p.source.publisher_type}){grade}", dim=True))
        for flag in p.flags:
            note = " [curator override]" if flag.override else ""
            lines.append(click.style(f"    ↳ {flag.kind}: {flag.reason}{note}", fg=_FLAG_COLOURS.get(flag.kind, "red")))
        lines.append("    " + _snippet(result.question, p))
        lines.append("")
    return "\n".join(lines).rstrip()


def render_sources(sources: list[SourceMetaOut]) -> str:
    """One block per source: id and title, then publisher, credibility grade and score, size and URL."""
    lines = []
    for s in sources:
        profile = s.profile or {}
        grade = (f"credibility {profile['grade']} ({profile['score']:.2f})" if "grade" in profile
                 else "credibility not assessed")
        lines.append(f"{click.style(s.source_id, fg='cyan', bold=True)}  {s.title or ''}".rstrip())
        lines.append(click.style(f"    {s.publisher or 'publisher unknown'} ({s.publisher_type}); {grade}; "
                                 f"{s.length} chars" + (f"; {s.url}" if s.url else ""), dim=True))
    return "\n".join(lines) if lines else click.style("the index holds no sources", fg="yellow")
