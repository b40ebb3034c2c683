"""Fielded BM25 (index/lexical.py): titles and headings are searchable fields with their own weights."""

from __future__ import annotations

import json
from pathlib import Path

from groundqa.index.lexical import FIELDS_FILE, LEXICAL_DIR, Lexical

TEXTS = ["The virus spreads by droplets when people cough.",
         "Rest and fluids help; antiviral drugs shorten the illness.",
         "Wash your hands often and stay home when ill.",
         "Seasonal affective disorder is a kind of depression tied to the seasons."]
TITLES = ["Flu: how it spreads", "What are the treatments of Flu?", "Flu: how it spreads", None]
HEADINGS = [None, "Treatment", None, None]


def test_a_word_only_in_the_title_finds_the_passages_of_that_document() -> None:
    lexical = Lexical.build(TEXTS, titles=TITLES, headings=HEADINGS)
    no_title = {"title": 0.0, "heading": 0.0}
    assert lexical.search("flu treatments", 10, no_title) == []  # the text alone never says "flu" or "treat"
    rows = [r for r, _ in lexical.search("flu treatments", 10, {"title": 1.0, "heading": 0.0})]
    assert rows[0] == 1 and set(rows) == {0, 1, 2}  # every passage under a Flu title; the treatments one first


def test_field_weights_scale_each_fields_score() -> None:
    lexical = Lexical.build(TEXTS, titles=TITLES, headings=HEADINGS)
    question = "flu treatment for the seasons"
    fields = lexical.field_scores(question)
    assert set(fields) == {"text", "title", "heading"}
    weighted = dict(lexical.search(question, 10, {"title": 3.0, "heading": 2.0}))
    assert len(weighted) == 4
    for row, score in weighted.items():
        assert abs(score - (fields["text"][row] + 3 * fields["title"][row] + 2 * fields["heading"][row])) < 1e-4


def test_fields_survive_save_and_load(tmp_path: Path) -> None:
    built = Lexical.build(TEXTS, titles=TITLES, headings=HEADINGS)
    built.save(tmp_path)
    assert json.loads((tmp_path / FIELDS_FILE).read_text())["fields"].keys() == {"text", "title", "heading"}
    loaded = Lexical.load(tmp_path, len(TEXTS))
    assert loaded.search("seasonal depression flu", 4, {"title": 2.0}) == \
        built.search("seasonal depression flu", 4, {"title": 2.0})


def test_a_snapshot_from_before_fields_loads_its_text_field(tmp_path: Path) -> None:
    Lexical.build(TEXTS).save(tmp_path)
    (tmp_path / FIELDS_FILE).unlink()  # as written before fields existed: bm25/ only
    assert (tmp_path / LEXICAL_DIR).is_dir()
    old = Lexical.load(tmp_path, len(TEXTS))
    assert set(old.fields) == {"text"} and old.search("droplets cough", 2)[0][0] == 0
