"""The groundqa command as a user runs it, over a real index: in-process through click's CliRunner (the same
``groundqa.cli:main`` the console script calls), and once as a real process for the entry point itself."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import groundqa, groundqa_process

QUESTION = "Which chemotherapy is used first for metastatic cervical cancer?"


def test_query_json_puts_the_factsheet_chemotherapy_passage_first(seed_index: Path) -> None:
    out = groundqa("query", QUESTION, "--json", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    top = body["passages"][0]
    assert top["source_id"] == "engage-metastatic-cervical-cancer-factsheet"
    assert "cisplatin or carboplatin with paclitaxel" in top["text"]
    sources = json.loads(groundqa("sources", "--json", "--index", str(seed_index)).stdout)["sources"]
    assert {s["source_id"] for s in sources} >= {top["source_id"]}
    text = (Path(__file__).parents[2] / "corpus" / "engage-metastatic-cervical-cancer-factsheet.txt").read_text()
    assert text[top["start"]:top["end"]] == top["text"]


def test_query_human_output_shows_rank_title_and_span(seed_index: Path) -> None:
    out = groundqa("query", QUESTION, "-k", "2", "--mode", "bm25", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    assert " 1. Metastatic Cervical Cancer: A guide for patients and families" in out.stdout
    assert "cite [engage-metastatic-cervical-cancer-factsheet:" in out.stdout and " 2. " in out.stdout


def test_ingest_reports_failures_and_exits_nonzero(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Bone metastases often cause pain that radiotherapy can relieve.")
    (corpus / "bad.pdf").write_bytes(b"%PDF-1.4 truncated")
    index = tmp_path / "idx"
    out = groundqa("ingest", str(corpus), "--index", str(index))
    assert out.returncode == 1
    assert "bad.pdf: is not a readable PDF" in out.stderr
    assert "1 loaded" in out.stdout and "1 failed" in out.stdout
    again = groundqa("ingest", str(corpus), "--index", str(index), "--json")
    summary = json.loads(again.stdout)
    assert again.returncode == 1 and summary["changed"] is False and summary["files_failed"] == 1
    assert groundqa("query", "radiotherapy", "--index", str(index)).returncode == 0


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    out = groundqa("query", "anything", "--index", str(tmp_path / "none"))
    assert out.returncode == 3 and "no index at" in out.stderr and "groundqa ingest" in out.stderr


def test_python_m_groundqa_is_the_cli_and_its_exit_codes_reach_the_shell(tmp_path: Path) -> None:
    """A real process, on purpose: ``python -m groundqa`` (groundqa/__main__.py) must start the CLI, and the exit
    code a shell sees is the one the command chose (3: no index), which CliRunner cannot show."""
    help_text = groundqa_process("--help")
    assert help_text.returncode == 0, help_text.stderr
    assert all(f"  {name} " in help_text.stdout for name in ("ingest", "query", "serve", "audit", "eval"))
    out = groundqa_process("query", "anything", "--index", str(tmp_path / "none"))
    assert out.returncode == 3 and "no index at" in out.stderr


def test_index_location_from_the_environment(seed_index: Path) -> None:
    out = groundqa("sources", env={"GROUNDQA_INDEX": str(seed_index)})
    assert out.returncode == 0 and "oncocare-cancer-with-metastases" in out.stdout


def test_empty_question_is_a_usage_error(seed_index: Path) -> None:
    out = groundqa("query", "  ", "--index", str(seed_index))
    assert out.returncode == 2 and "empty" in out.stderr


def test_query_per_source_option_and_best_sentence(seed_index: Path) -> None:
    out = groundqa("query", QUESTION, "-k", "4", "--per-source", "1", "--json", "--index", str(seed_index))
    assert out.returncode == 0, out.stderr
    passages = json.loads(out.stdout)["passages"]
    assert len({p["source_id"] for p in passages}) == 4  # the bundled corpus has four sources
    assert all(p["best_sentence"]["text"] in p["text"] for p in passages)
    human = groundqa("query", QUESTION, "-k", "1", "--index", str(seed_index))
    assert human.returncode == 0 and "cisplatin or carboplatin with paclitaxel" in human.stdout


def test_ingest_accounts_for_every_file_and_fills_metadata_from_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Bone metastases often cause pain that radiotherapy can relieve.")
    (corpus / "clinic.html").write_bytes((Path(__file__).parents[1] / "ingest" / "data" / "clinic_article.html")
                                         .read_bytes())
    (corpus / "notes.xlsx").write_bytes(b"PK\x03\x04 spreadsheet")
    (corpus / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (corpus / ".DS_Store").write_bytes(b"\x00\x00")
    index = tmp_path / "idx"
    out = groundqa("ingest", str(corpus), "--index", str(index))
    assert out.returncode == 0, out.stderr
    assert "4 files seen, 2 loaded" in out.stdout and "2 skipped (unsupported type), 1 hidden ignored" in out.stdout
    skipped = next(line for line in out.stderr.splitlines() if line.startswith("skipped"))
    assert "notes.xlsx" in skipped and "photo.png" in skipped and ".docx" in skipped and ".pdf" in skipped
    sources = {s["source_id"]: s for s in json.loads(groundqa("sources", "--json", "--index", str(index)).stdout)
               ["sources"]}
    clinic = sources["clinic"]
    assert clinic["title"] == "Bone metastases: what helps with pain" and clinic["authors"] == ["Dr Jane Smith"]
    assert clinic["date"] == "2023-04-12" and clinic["publisher"] == "Riverside Cancer Clinic"
    assert clinic["url"] == "https://riverside-clinic.example/articles/bone-metastases-pain"
    assert clinic["language"] == "en-GB"
