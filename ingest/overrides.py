"""Curator overrides from the manifest: force or suppress a flag on a whole source or on a quoted span.

Shape, per source in manifest.toml::

    [[sources.overrides]]
    action = "suppress"          # or "force"
    kind = "unverified"          # or "commercial"
    quote = "exact text"         # optional: absent means the whole source
    reason = "why, for the record"

Forced flags carry ``override: true`` and the curator's reason; suppressions remove the rule-based flag and
are listed in the source profile, so both stay visible to a reviewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from groundqa.core.errors import ManifestError
from groundqa.core.records import KINDS, Flag, Passage, Span

ACTIONS = ("force", "suppress")
_FIELDS = {"action", "kind", "quote", "reason"}


@dataclass(frozen=True)
class Override:
    action: str
    kind: str
    reason: str
    quote: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "kind": self.kind, "quote": self.quote, "reason": self.reason}


def parse_overrides(raw: Any, *, where: str) -> tuple[Override, ...]:
    """Check the manifest's ``overrides`` array; every problem names the entry and the fix."""
    if not isinstance(raw, list | tuple):
        raise ManifestError(f"{where}: 'overrides' must be an array of tables ([[sources.overrides]])")
    parsed = []
    for number, item in enumerate(raw, start=1):
        at = f"{where}: override {number}"
        if not isinstance(item, dict):
            raise ManifestError(f"{at}: must be a table with action, kind, reason and optionally quote")
        unknown = set(item) - _FIELDS
        if unknown:
            raise ManifestError(f"{at}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_FIELDS)}")
        action, kind, reason, quote = (item.get(k) for k in ("action", "kind", "reason", "quote"))
        if action not in ACTIONS:
            raise ManifestError(f"{at}: action must be one of {list(ACTIONS)}, got {action!r}")
        if kind not in KINDS:
            raise ManifestError(f"{at}: kind must be one of {list(KINDS)}, got {kind!r}")
        if not isinstance(reason, str) or not reason.strip():
            raise ManifestError(f"{at}: needs a 'reason' (a non-empty string) saying why the curator overrides")
        if quote is not None and (not isinstance(quote, str) or len(quote.strip()) < 3):
            raise ManifestError(f"{at}: 'quote' must be the exact text (3 characters or more) the override applies "
                                "to; leave it out to apply the override to the whole source")
        parsed.append(Override(action=action, kind=kind, reason=reason.strip(),
                               quote=quote.strip() if quote else None))
    return tuple(parsed)


def quote_spans(text: str, quote: str) -> list[Span]:
    """Every occurrence of ``quote`` in ``text``, whitespace-insensitive (line breaks differ between copies)."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    return [Span(m.start(), m.end()) for m in re.finditer(pattern, text)]


def apply_overrides(passages: list[Passage], overrides: tuple[Override, ...], text: str) -> list[Passage]:
    """Passages with the curator's decisions applied; a quote that matches nothing is an error, not a no-op."""
    for rule in overrides:
        spans = None
        if rule.quote is not None:
            spans = quote_spans(text, rule.quote)
            if not spans:
                raise ManifestError(f"override {rule.action} {rule.kind}: quote {rule.quote!r} does not occur in the "
                                    "document; copy the exact text from the source file")
        passages = [_apply(p, rule, spans) for p in passages]
    return passages


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _apply(p: Passage, rule: Override, spans: list[Span] | None) -> Passage:
    region = Span(p.start, p.end)
    targets = [region] if spans is None else [s for s in spans if _overlaps(s, region)]
    if not targets:
        return p
    others = [f for f in p.flags if f.kind != rule.kind]
    current = next((f for f in p.flags if f.kind == rule.kind), None)
    if rule.action == "suppress":
        if current is None or current.override:
            return p
        kept = tuple(e for e in current.evidence if not any(_overlaps(e, t) for t in targets))
        if spans is not None and kept:
            return replace(p, flags=(*others, replace(current, evidence=kept)))
        return replace(p, flags=tuple(others))
    evidence = tuple(Span(max(t.start, p.start), min(t.end, p.end)) for t in targets)
    if current is not None and current.override:
        evidence = tuple(dict.fromkeys((*current.evidence, *evidence)))
    forced = Flag(kind=rule.kind, reason=f"Curator: {rule.reason}", cues=("curator override",), confidence=1.0,
                  evidence=evidence, override=True)
    return replace(p, flags=tuple(sorted((*others, forced), key=lambda f: KINDS.index(f.kind))))
