"""The corpus manifest: the bundled one is valid and truthful; bad entries fail with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from groundqa.core.errors import ManifestError
from groundqa.ingest.manifest import load_manifest

from tests.conftest import CORPUS, SHARED


def test_bundled_manifest_names_every_seed_and_its_publisher() -> None:
    manifest = load_manifest(CORPUS)
    assert len(manifest.entries) == 4
    by_type = {e.meta.publisher_type: e for e in manifest.entries.values()}
    assert set(by_type) == {"patient-organisation", "commercial-facilitator", "commercial-clinic", "unknown"}
    assert "ENGAGe" in by_type["patient-organisation"].meta.publisher
    assert by_type["commercial-clinic"].meta.publisher == "OncoCare 308 LLC"
    assert "IMT" in by_type["commercial-facilitator"].meta.publisher
    for entry in manifest.entries.values():
        seed = SHARED / "seeds" / entry.meta.original_file
        if seed.exists():  # the bundled copy is the seed, byte for byte
            assert seed.read_bytes() == (CORPUS / entry.file).read_bytes()


def test_no_manifest_means_unknown_metadata(tmp_path: Path) -> None:
    assert load_manifest(tmp_path).entries == {}


def test_entry_for_a_deleted_file_is_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "manifest.toml").write_text("[[sources]]\nfile = 'gone.txt'\n")
    manifest = load_manifest(tmp_path)
    assert len(manifest.missing) == 1 and "gone.txt" in manifest.missing[0]


@pytest.mark.parametrize(("body", "needle"), [
    ("[[sources]]\nfile = 'a.txt'\npublisher_type = 'pharma-ish'\n", "publisher_type"),
    ("[[sources]]\nid = 'x'\n", "needs 'file'"),
    ("[[sources]]\nfile = 'a.txt'\ncolour = 'red'\n", "unknown field"),
    ("[[sources]]\nfile = 'a.txt'\nauthors = 'Jane'\n", "authors"),
    ("[[sources]]\nfile = '../a.txt'\n", "relative path inside"),
    ("[[sources]]\nfile = 'a.txt'\nid = 'x'\n[[sources]]\nfile = 'b.txt'\nid = 'x'\n", "used twice"),
    ("sources = 3\n", "array of tables"),
    ("[[sources]\nfile = ", "not valid TOML"),
])
def test_bad_manifest_entries_are_refused(tmp_path: Path, body: str, needle: str) -> None:
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "b.txt").write_text("B")
    (tmp_path / "manifest.toml").write_text(body)
    with pytest.raises(ManifestError, match=needle):
        load_manifest(tmp_path)
