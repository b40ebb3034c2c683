"""Messy corpora and hostile questions: each bad input gets a clear error, and nothing already ingested is lost."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from groundqa.engine.query import Engine
from groundqa.index.build import ingest
from groundqa.ingest.chunk import ChunkSettings
from pypdf import PdfWriter

from tests.conftest import groundqa

GOOD = "Radiotherapy relieves pain from bone metastases in most patients within a few weeks.\n"
MAX_BYTES = 20_000


def blank_pdf(*, password: str | None = None) -> bytes:
    """An image-only PDF as far as text goes: pages with nothing to extract (optionally encrypted)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password:
        writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# file name -> (bytes, what the error must say); every one of these must fail alone, with its own message.
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "looks binary"),
    "noise.txt": (bytes(range(1, 256)) * 8, "control characters"),
    "empty.txt": (b"", "is empty"),
    "blank.md": (b"  \n\n#  \n", "is empty"),
    "huge.txt": (GOOD.encode() * (MAX_BYTES // len(GOOD) + 10), "MB limit"),
    "scripts-only.html": (b"<html><head><script>alert('x')</script><style>p{}</style></head><body>"
                          b"<nav>Home</nav></body></html>", "no visible text"),
    "scan.pdf": (blank_pdf(), "no extractable text"),
    "locked.pdf": (blank_pdf(password="secret"), "encrypted"),
    "truncated.pdf": (blank_pdf()[:200], "not a readable PDF"),
    "fake.pdf": (b"this is not a PDF at all", "not a readable PDF"),
    "empty.jsonl": (b"\n\n", "is empty"),
}
ODD_ENCODINGS: dict[str, tuple[bytes, str]] = {
    "latin1.txt": ("Caf\u00e9 patients na\u00efve to chemotherapy.\n".encode("latin-1"), "Caf\u00e9 patients"),
    "cp1252.txt": ("\u201cQuoted\u201d advice \u2013 ask your oncologist.\n".encode("cp1252"), "\u201cQuoted\u201d"),
    "utf16.txt": ("UTF-16 text about metastases \u00e9.\n".encode("utf-16"), "UTF-16 text about metastases \u00e9."),
    "utf16le.txt": ("UTF-16LE without a byte-order mark.\n".encode("utf-16-le"), "UTF-16LE without a byte-order"),
    "bom.txt": ("\ufeffUTF-8 with a byte-order mark.\n".encode(), "UTF-8 with a byte-order mark."),
}
HTML = (b"<html><head><title>Liver care</title><script>var leak = 'tracking pixel secret';</script></head>"
        b"<body><p onclick=\"steal()\">Liver metastases can sometimes be removed by surgery.</p>"
        b"<script>document.write('injected advice')</script><noscript>enable js</noscript></body></html>")
JSONL = b"\n".join([
    json.dumps({"_id": "d1", "title": "Good line", "text": "Bisphosphonates lower fracture risk."}).encode(),
    b'{"_id": "d2", "text": "unterminated',
    b"[1, 2, 3]",
    json.dumps({"_id": {"nested": 1}, "text": "an object as id"}).encode(),
    json.dumps({"_id": "d3"}).encode(),
    json.dumps({"_id": "d1", "text": "a duplicate id"}).encode(),
])


def run(corpus: Path, index: Path, encoder):
    return ingest([corpus], index_dir=index, encoder=encoder, chunking=ChunkSettings(), progress=False,
                  max_file_bytes=MAX_BYTES)


def errors_for(report, name: str) -> list[str]:
    return [e for e in report.errors if f"/{name}" in e]


def test_bad_files_fail_alone_with_clear_errors_and_lose_nothing(tmp_path: Path, encoder) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD)
    (corpus / "page.html").write_bytes(HTML)
    first = run(corpus, index, encoder)
    assert first.ok, first.errors

    # Later the good file is overwritten by garbage and bad files pile up beside it.
    (corpus / "good.txt").write_bytes(b"\x00\x01binary now" * 50)
    for name, (data, _) in {**BAD_FILES, **ODD_ENCODINGS}.items():
        (corpus / name).write_bytes(data)
    (corpus / "lines.jsonl").write_bytes(JSONL)
    outside = tmp_path / "outside.txt"
    outside.write_text("Private notes that live outside the corpus folder.")
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "loop").symlink_to(corpus, target_is_directory=True)

    report = run(corpus, index, encoder)
    assert not report.ok and report.changed
    for name, (_, needle) in BAD_FILES.items():
        found = errors_for(report, name)
        assert len(found) == 1 and needle in found[0], (name, found)
    assert "looks binary" in errors_for(report, "good.txt")[0]
    for name in ("link.txt", "passwd.txt"):
        assert "outside the corpus folder" in errors_for(report, name)[0]
    line_errors = errors_for(report, "lines.jsonl")
    assert [e.split(":")[1] for e in line_errors] == ["2", "3", "4", "5", "6"]
    assert "not valid JSON" in line_errors[0] and "string or a whole number" in line_errors[2]
    assert report.files_failed == len(BAD_FILES) + 1

    engine = Engine.load(index, encoder=encoder)
    sources = {s.source_id: s for s in engine.sources()}
    assert sources["good"].text == GOOD, "a file that fails keeps its previously ingested version"
    assert not {"photo", "noise", "empty", "huge", "scan", "locked", "link", "passwd"} & set(sources)
    for name, (_, expected) in ODD_ENCODINGS.items():
        assert expected in sources[Path(name).stem].text and "\ufeff" not in sources[Path(name).stem].text
    assert "surgery" in sources["page"].text
    assert not any(junk in sources["page"].text for junk in ("tracking", "injected", "steal", "enable js"))
    assert sources["d1"].text == "Bisphosphonates lower fracture risk." and "d2" not in sources
    for source in sources.values():
        for p in engine.source_passages(source.source_id):
            assert source.text[p.start:p.end] == p.text
    engine.close()


def test_huge_file_limit_is_a_setting(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "big.txt").write_text(GOOD * 100)
    out = groundqa("ingest", str(corpus), "--index", str(tmp_path / "index"), env={"GROUNDQA_MAX_FILE_MB": "0.001"})
    assert out.returncode == 1
    assert "big.txt: is 0.0 MB, over the 0.001 MB limit" in out.stderr and "GROUNDQA_MAX_FILE_MB" in out.stderr


def test_paths_that_do_not_exist_or_lead_outside(tmp_path: Path, encoder) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Outside the corpus.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "link.txt").symlink_to(outside)
    report = ingest([corpus / "link.txt", tmp_path / "missing"], index_dir=tmp_path / "index", encoder=encoder,
                    chunking=ChunkSettings(), progress=False)
    assert any("outside the corpus folder" in e for e in report.errors)
    assert any("missing: does not exist" in e for e in report.errors)
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_cli_rejects_bad_k_before_doing_any_work() -> None:
    for k in ("0", "-1", "100000", "five"):
        out = groundqa("query", "bone pain", "-k", k, "--index", "/nonexistent")
        assert out.returncode == 2 and "-k" in out.stderr, out.stderr


QUESTION_CASES = [
    ({"question": ""}, 422, "empty"),
    ({"question": "\x00\x01\x02\x1b"}, 422, "no words"),
    ({"question": "\U0001F9B4\U0001F48A"}, 422, "no words"),
    ({"question": "\u202e\u200d"}, 422, "no words"),
    ({"question": "x" * 5_000}, 422, "limit"),
    ({"question": "why " * 25_000}, 413, "larger than the limit"),
    ({"question": "bone pain", "k": 0}, 422, "k must be"),
    ({"question": "bone pain", "k": -1}, 422, "k must be"),
    ({"question": "bone pain", "k": 10**30}, 422, "k must be"),
    ({"question": "bone pain", "k": "five"}, 422, "valid integer"),
    ({"question": "bone pain", "k": 2.5}, 422, "valid integer"),
    ({"question": "bone pain", "filters": {"source_ids": "not-a-list"}}, 422, "filters.source_ids"),
]


@pytest.mark.parametrize(("payload", "status", "needle"), QUESTION_CASES)
def test_hostile_questions_get_a_clear_4xx(client: TestClient, payload: dict, status: int, needle: str) -> None:
    r = client.post("/v1/query", json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"]["status"] == status and needle in r.json()["error"]["message"]


def test_unpaired_surrogate_is_a_4xx_not_a_crash(client: TestClient) -> None:
    r = client.post("/v1/query", content=b'{"question": "\\ud800 bone pain"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422 and "surrogate" in r.json()["error"]["message"]


@pytest.mark.parametrize("question", [
    "cisplatin\x00 treatment\x1b[31m for\x07 cervical cancer",  # control characters among words
    "\u8f6c\u79fb\u6027\u5bab\u9888\u764c\u7684\u6cbb\u7597\u65b9\u6cd5\u662f\u4ec0\u4e48\uff1f",  # Chinese
    "\u0645\u0627 \u0647\u0648 \u0639\u0644\u0627\u062c \u0633\u0631\u0637\u0627\u0646",  # Arabic
    "\u041b\u0435\u0447\u0435\u043d\u0438\u0435 \u0440\u0430\u043a\u0430",  # Cyrillic
    "b\u0301one pa\u0131n \ufb01nal",  # combining marks, dotless i, ligature
])
def test_odd_but_real_questions_are_answered(client: TestClient, question: str) -> None:
    r = client.post("/v1/query", json={"question": question, "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["question"] == question and 1 <= len(body["passages"]) <= 3


def test_largest_k_is_capped_by_the_index(client: TestClient) -> None:
    r = client.post("/v1/query", json={"question": "metastases", "k": 100})
    assert r.status_code == 200 and 1 <= len(r.json()["passages"]) <= 100


@pytest.mark.parametrize("path", ["/v1/passages/%00", "/v1/sources/..%2F..%2Fetc%2Fpasswd",
                                  "/v1/sources/%2Fetc%2Fpasswd/passages", "/v1/passages/" + "x" * 4000])
def test_odd_ids_are_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert "root:" not in r.text
