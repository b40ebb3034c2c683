"""Credibility flags and profiles on the seed corpus and on small corpora made here (overrides, attribution)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from groundqa.core.errors import ManifestError
from groundqa.core.records import Document, Passage, SourceMeta
from groundqa.core.sentences import split_sentences
from groundqa.credibility.flags import annotate, judge_document
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.loaders import load_file
from groundqa.ingest.manifest import load_manifest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _annotated(source_id: str, corpus: Path = CORPUS) -> tuple[Document, dict, list[Passage]]:
    manifest = load_manifest(corpus)
    entry = next(e for e in manifest.entries.values() if e.source_id == source_id)
    path = corpus / entry.file
    (doc,), _ = load_file(path, source_id=source_id, data=path.read_bytes())
    profile, passages = annotate(doc, entry.meta, chunk_document(doc, ChunkSettings()), list(entry.overrides))
    return doc, profile, passages


@pytest.fixture(scope="module")
def seeds() -> dict[str, tuple[Document, dict, list[Passage]]]:
    ids = ["imt-metastatic-cervical-cancer", "oncocare-cancer-with-metastases", "breast-cancer-with-metastases",
           "engage-metastatic-cervical-cancer-factsheet"]
    return {sid: _annotated(sid) for sid in ids}


def _evidence(passages: list[Passage], kind: str) -> set[tuple[int, int]]:
    return {(e.start, e.end) for p in passages for f in p.flags if f.kind == kind for e in f.evidence}


def _sentence(doc: Document, needle: str) -> tuple[int, int]:
    """The exact sentence span (as the splitter cuts it) containing ``needle``."""
    spans = [(s.start, s.end) for s in split_sentences(doc.text) if needle in doc.text[s.start:s.end]]
    assert len(spans) == 1, f"{needle!r} is in {len(spans)} sentences"
    return spans[0]


def _flagged_share(passages: list[Passage], kind: str) -> float:
    return sum(any(f.kind == kind for f in p.flags) for p in passages) / max(len(passages), 1)


def test_the_selling_pages_carry_commercial_flags_and_the_patient_guide_carries_none(seeds) -> None:
    """Page-level behaviour a reader relies on (sentence-level figures are in ``groundqa flags-eval``)."""
    guide = seeds["engage-metastatic-cervical-cancer-factsheet"][2]
    assert _flagged_share(guide, "commercial") == 0.0
    for sid in ("imt-metastatic-cervical-cancer", "oncocare-cancer-with-metastases"):
        assert _flagged_share(seeds[sid][2], "commercial") > 0, sid


def test_a_clinic_promising_results_is_flagged_unverified_somewhere(seeds) -> None:
    _, _, passages = seeds["oncocare-cancer-with-metastases"]
    assert _flagged_share(passages, "unverified") > 0


def test_flags_carry_a_reason_and_a_probability(seeds) -> None:
    flags = [f for _, _, passages in seeds.values() for p in passages for f in p.flags]
    assert flags
    for flag in flags:
        assert flag.reason and 0 < flag.confidence <= 1 and flag.evidence


def test_every_evidence_span_is_a_whole_sentence_inside_its_passage(seeds) -> None:
    for doc, _, passages in seeds.values():
        sentences = {(s.start, s.end) for s in split_sentences(doc.text)}
        for p in passages:
            for flag in p.flags:
                for e in flag.evidence:
                    assert (e.start, e.end) in sentences and p.start <= e.start < e.end <= p.end


def test_profiles_rank_the_patient_guide_above_the_commercial_pages(seeds) -> None:
    score = {sid: profile["score"] for sid, (_, profile, _) in seeds.items()}
    assert score["engage-metastatic-cervical-cancer-factsheet"] > score["breast-cancer-with-metastases"]
    assert score["engage-metastatic-cervical-cancer-factsheet"] > score["imt-metastatic-cervical-cancer"]
    for _, profile, _ in seeds.values():
        json.dumps(profile)  # stored as JSON in SQLite
        assert profile["grade"] in "ABCDE" and profile["reasons"]
        assert set(profile["jama"]) == {"authorship", "attribution", "disclosure", "currency"}
        assert len(profile["honcode"]) == 8
    assert seeds["oncocare-cancer-with-metastases"][1]["jama"]["authorship"]["met"]
    assert not seeds["imt-metastatic-cervical-cancer"][1]["jama"]["authorship"]["met"]


@pytest.mark.xfail(strict=True, reason="a known error of the shipped profile score (models/profile/MODEL_CARD.md): "
                   "the selling clinic scores above the unattributed page")
def test_the_selling_clinic_scores_below_the_unattributed_page(seeds) -> None:
    score = {sid: profile["score"] for sid, (_, profile, _) in seeds.items()}
    assert score["breast-cancer-with-metastases"] > score["oncocare-cancer-with-metastases"]


def test_publisher_type_is_inferred_when_the_manifest_is_silent(seeds) -> None:
    doc, _, passages = seeds["imt-metastatic-cervical-cancer"]
    profile, _ = annotate(doc, SourceMeta(), passages, [])
    assert profile["publisher"]["type"] == "commercial-other" and profile["publisher"]["basis"].startswith("inferred")


# -- single sentences outside the seeds, with no page around them ------------------------------------------------
KNOWN_MISS = "a known error of the shipped model (models/flags/MODEL_CARD.md, Limits)"


@pytest.mark.parametrize(("text", "kinds"), [
    pytest.param("Book your free consultation with our fertility experts today.", {"commercial"},
                 marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISS + ": also read as unverified")),
    pytest.param("For free, confidential advice, call the national Cancer Information Service at 1-800-422-6237.",
                 set(), marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISS + ": a public helpline as commercial")),
    ("Median survival with the vaccine reached 36 months in our patients.", {"unverified"}),
    ("In a randomised trial of 452 women (Tewari et al., 2014), median survival reached 17 months.", set()),
    ("Radiotherapy may relieve bone pain in most patients.", set()),
    ("This supplement has no side effects.", {"unverified"}),
    ("This supplement may have side effects.", set()),
    ("Order now and save 50% - free shipping on orders over $50!", {"commercial"}),
    ("Studies have shown that our therapy cures 90% of patients.", {"commercial", "unverified"}),
    ("Immunotherapy treatment is offered in clinical trials.", set()),
])
def test_sentences_outside_the_seeds(text: str, kinds: set[str]) -> None:
    assert {k for j in judge_document(text) for k in j.kinds()} == kinds


# -- curator overrides ------------------------------------------------------------------------------------------
def _corpus(tmp_path: Path, overrides: str) -> Path:
    root = tmp_path / "c"
    root.mkdir(parents=True)
    (root / "page.txt").write_text(
        "Our clinic cures back pain.\n\nPatients live an average of 40 months after our treatment.\n\n"
        "Back pain is common in adults and usually improves within weeks.\n", encoding="utf-8")
    (root / "manifest.toml").write_text(f'[[sources]]\nfile = "page.txt"\nid = "page"\n{overrides}', encoding="utf-8")
    return root


@pytest.mark.parametrize(("entry", "message"), [
    ('action = "hide"\nkind = "commercial"\nreason = "x"', "action must be one of"),
    ('action = "force"\nkind = "advert"\nreason = "x"', "kind must be one of"),
    ('action = "force"\nkind = "commercial"', "needs a 'reason'"),
    ('action = "force"\nkind = "commercial"\nreason = "x"\nquote = ""', "'quote' must be the exact text"),
    ('action = "force"\nkind = "commercial"\nreason = "x"\nspan = 3', "unknown field(s) ['span']"),
])
def test_bad_override_entries_are_refused_with_a_clear_message(tmp_path: Path, entry: str, message: str) -> None:
    root = _corpus(tmp_path, f"[[sources.overrides]]\n{entry}\n")
    with pytest.raises(ManifestError, match="override 1") as info:
        load_manifest(root)
    assert message in str(info.value) and "manifest.toml" in str(info.value)


def test_override_quote_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    root = _corpus(tmp_path, '[[sources.overrides]]\naction = "suppress"\nkind = "unverified"\n'
                             'quote = "not in the page"\nreason = "x"\n')
    with pytest.raises(ManifestError, match="does not occur in the document"):
        _annotated("page", root)


def test_suppress_on_a_quote_and_force_on_the_whole_source(tmp_path: Path) -> None:
    base = _annotated("page", _corpus(tmp_path / "a", ""))[2]
    assert {f.kind for p in base for f in p.flags} == {"commercial", "unverified"}
    root = _corpus(tmp_path / "b", '[[sources.overrides]]\naction = "suppress"\nkind = "unverified"\n'
                   'quote = "live an average of 40 months"\nreason = "figure checked against the cited registry"\n'
                   '[[sources.overrides]]\naction = "force"\nkind = "commercial"\n'
                   'reason = "advertorial: the whole page sells the clinic"\n')
    doc, profile, passages = _annotated("page", root)
    assert all(f.kind != "unverified" or "40 months" not in doc.text[e.start:e.end]
               for p in passages for f in p.flags for e in f.evidence)
    forced = [f for p in passages for f in p.flags if f.kind == "commercial"]
    assert forced and all(f.override and f.reason.startswith("Curator: advertorial") for f in forced)
    assert len(forced) == len(passages)  # whole source
    assert [o["action"] for o in profile["overrides"]] == ["suppress", "force"]


def test_force_on_a_quote_flags_only_the_passage_holding_it(tmp_path: Path) -> None:
    root = _corpus(tmp_path, '[[sources.overrides]]\naction = "force"\nkind = "unverified"\n'
                             'quote = "usually improves within weeks"\nreason = "no source for the time course"\n')
    doc, _, passages = _annotated("page", root)
    forced = [(p, f) for p in passages for f in p.flags if f.override]
    assert len(forced) == 1
    passage, flag = forced[0]
    (span,) = flag.evidence
    assert doc.text[span.start:span.end] == "usually improves within weeks" and flag.kind == "unverified"
