"""The audit picks cited windows by the sentence vectors the index holds: it embeds the claims, and only cited
text the index does not hold (an altered quote, a range cut mid-sentence)."""

from __future__ import annotations

import numpy as np
from groundqa.engine.audit.auditor import Auditor
from groundqa.engine.audit.records import AuditRequest, CitationRef, ClaimRef

SOURCE = "engage-metastatic-cervical-cancer-factsheet"


def _passage(engine, n: int = 2):  # type: ignore[no-untyped-def]
    return engine.store.passages_of(SOURCE)[n]


def test_cited_passages_cost_no_encoding_beyond_the_claims(engine) -> None:
    p = _passage(engine)
    claims = (ClaimRef(text=p.text.split(".")[0] + ".", citations=(CitationRef(passage_id=p.passage_id),)),
              ClaimRef(text="Metastatic cervical cancer is treated with chemotherapy.",
                       citations=(CitationRef(source_id=SOURCE, start=p.start, end=p.end),)))
    auditor = Auditor(engine, max_span=10_000, max_claims=20)
    report = auditor.run(AuditRequest(claims=claims, suggest=False))
    assert len(report.claims) == 2
    assert auditor.encoded.encoded == 2  # the two claims; every cited sentence came from the index


def test_stored_window_vectors_are_the_encoders(engine) -> None:
    """A single sentence's stored vector is what the encoder gives for its text; a pair's, the normalised sum of
    its sentences', stays close to the pair's own embedding."""
    p = _passage(engine)
    auditor = Auditor(engine, max_span=10_000, max_claims=20)
    windows = auditor.windows_for("chemotherapy for metastatic cervical cancer", SOURCE, p.start, p.end, p.text, 50)
    auditor.encoded.add_stored([(SOURCE, windows)])
    stored = [w for w in windows if w.text in auditor.encoded._rows]
    assert stored and any(not w.pair for w in stored) and any(w.pair for w in stored)
    fresh = engine.encoder.encode([w.text for w in stored])
    cosines = np.sum(auditor.encoded.many([w.text for w in stored]) * fresh, axis=1)
    singles = [c for c, w in zip(cosines, stored, strict=True) if not w.pair]
    pairs = [c for c, w in zip(cosines, stored, strict=True) if w.pair]
    assert min(singles) > 0.999
    assert min(pairs) > 0.85


def test_an_altered_span_is_embedded(engine) -> None:
    p = _passage(engine)
    cut = p.start + 7  # mid-word: the index holds no sentence starting here
    auditor = Auditor(engine, max_span=10_000, max_claims=20)
    auditor.run(AuditRequest(claims=(ClaimRef(text="Chemotherapy is used.", citations=(
        CitationRef(source_id=SOURCE, start=cut, end=p.end),)),), suggest=False))
    assert auditor.encoded.encoded > 1
