"""`groundqa ingest` adds and updates; only --prune and `groundqa remove` take sources out (issue 14)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import IngestedCorpus, groundqa

FACTSHEET = "engage-metastatic-cervical-cancer-factsheet"
IMT = "imt-metastatic-cervical-cancer"


def ingest(*args: str) -> tuple[int, dict]:
    out = groundqa("ingest", *args, "--json")
    return out.returncode, json.loads(out.stdout)


def ids(index: Path) -> set[str]:
    out = groundqa("sources", "--json", "--index", str(index))
    assert out.returncode == 0, out.stderr
    return {s["source_id"] for s in json.loads(out.stdout)["sources"]}


@pytest.fixture()
def indexed(cli_ingested: IngestedCorpus, tmp_path: Path) -> Path:
    """An index of the bundled corpus as `groundqa ingest CORPUS --index IDX` leaves it (the session's one ingest,
    copied for this test)."""
    return cli_ingested.fresh(tmp_path)


@pytest.fixture()
def corpus_copy(cli_ingested: IngestedCorpus, indexed: Path) -> Path:
    """The folder ``indexed`` was ingested from, holding the bundled files again: the test may change it."""
    return cli_ingested.corpus


def test_adding_one_file_keeps_the_corpus_and_says_what_it_did(indexed: Path, tmp_path: Path) -> None:
    new = tmp_path / "bone-pain.txt"
    new.write_text("Radiotherapy relieves pain from bone metastases within a few weeks for most patients.\n")
    out = groundqa("ingest", str(new), "--index", str(indexed))
    assert out.returncode == 0, out.stderr
    assert "1 added, 0 updated, 0 unchanged, 0 removed (4 other sources kept)" in out.stdout
    assert "added: bone-pain" in out.stdout
    assert ids(indexed) == {FACTSHEET, IMT, "breast-cancer-with-metastases", "oncocare-cancer-with-metastases",
                            "bone-pain"}
    # with no path, every path ingested so far is looked at again: nothing to do
    code, again = ingest("--index", str(indexed))
    assert code == 0 and not again["changed"] and again["sources_unchanged"] == 5


def test_an_edited_file_is_updated_under_its_own_id(indexed: Path, corpus_copy: Path) -> None:
    target = corpus_copy / "breast-cancer-with-metastases.txt"
    target.write_text(target.read_text() + "\nFollow-up scans are done every six months.\n")
    code, report = ingest(str(corpus_copy), "--index", str(indexed))
    assert code == 0 and report["updated"] == ["breast-cancer-with-metastases"]
    assert report["sources_unchanged"] == 3 and report["sources_added"] == report["sources_removed"] == 0
    assert 0 < report["passages_embedded"] <= 2


def test_a_deleted_file_stays_until_pruned(indexed: Path, corpus_copy: Path) -> None:
    (corpus_copy / f"{IMT}.txt").unlink()
    out = groundqa("ingest", str(corpus_copy), "--index", str(indexed))
    assert out.returncode == 0 and "0 removed" in out.stdout
    assert f"no longer have a file: {IMT}" in out.stderr and "--prune" in out.stderr
    assert IMT in ids(indexed)
    code, report = ingest(str(corpus_copy), "--prune", "--index", str(indexed))
    assert code == 0 and report["removed"] == [IMT] and report["sources_unchanged"] == 3
    assert IMT not in ids(indexed)


def test_prune_only_reaches_under_the_given_paths(indexed: Path, corpus_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.md").write_text("# Notes\n\nBisphosphonates reduce fractures from bone metastases.\n")
    assert ingest(str(other), "--index", str(indexed))[0] == 0
    shutil.rmtree(other)
    (corpus_copy / f"{IMT}.txt").unlink()
    code, report = ingest(str(corpus_copy), "--prune", "--index", str(indexed))
    assert code == 0 and report["removed"] == [IMT]
    assert "notes" in ids(indexed)  # its folder was not given: untouched although its file is gone
    code, report = ingest(str(other), "--prune", "--index", str(indexed))  # a folder that is gone, pruned
    assert code == 0 and report["removed"] == ["notes"]


def test_a_gone_path_without_prune_is_an_error_that_names_the_fix(indexed: Path, tmp_path: Path) -> None:
    single = tmp_path / "single.txt"
    single.write_text("Palliative care teams help with symptoms of advanced cancer at home.\n")
    assert ingest(str(single), "--index", str(indexed))[0] == 0
    single.unlink()
    out = groundqa("ingest", str(single), "--index", str(indexed))
    assert out.returncode == 1 and "still in the index" in out.stderr and "--prune" in out.stderr
    assert "single" in ids(indexed)


def test_a_new_file_cannot_take_the_id_of_another(indexed: Path, tmp_path: Path) -> None:
    clash = tmp_path / "elsewhere"
    clash.mkdir()
    (clash / f"{IMT}.txt").write_text("A different document that happens to have the same file name.\n")
    code, report = ingest(str(clash), "--index", str(indexed))
    assert code == 1 and "already used by" in report["errors"][0] and report["sources_added"] == 0
    out = groundqa("query", "International Medical Treatment", "--json", "--source", IMT, "--index", str(indexed))
    assert json.loads(out.stdout)["passages"][0]["text"] != "A different document"


def test_remove_named_sources(indexed: Path) -> None:
    out = groundqa("remove", IMT, "oncocare-cancer-with-metastases", "--index", str(indexed))
    assert out.returncode == 0, out.stderr
    assert "2 removed" in out.stdout and ids(indexed) == {FACTSHEET, "breast-cancer-with-metastases"}
    out = groundqa("remove", "no-such-source", FACTSHEET, "--index", str(indexed))
    assert out.returncode == 1 and "'no-such-source'" in out.stderr and "nothing was removed" in out.stderr
    assert FACTSHEET in ids(indexed)
    query = json.loads(groundqa("query", "first-line chemotherapy", "--json", "--index", str(indexed)).stdout)
    assert {p["source_id"] for p in query["passages"]} <= {FACTSHEET, "breast-cancer-with-metastases"}
