"""The corpus manifest (manifest.toml beside the files): per-source metadata, checked on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from groundqa.core.errors import ManifestError
from groundqa.core.records import SourceMeta
from groundqa.ingest.overrides import parse_overrides

MANIFEST_NAME = "manifest.toml"
PUBLISHER_TYPES = frozenset({
    "patient-organisation", "government", "academic", "professional-society", "news", "encyclopedia",
    "commercial-clinic", "commercial-facilitator", "commercial-pharma", "commercial-other", "unknown",
})
_STRING_FIELDS = ("id", "title", "publisher", "url", "language", "date", "original_file")
_KNOWN = {"file", "publisher_type", "authors", "overrides", *_STRING_FIELDS}


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    source_id: str | None
    meta: SourceMeta
    overrides: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Manifest:
    root: Path
    entries: dict[str, ManifestEntry] = field(default_factory=dict)  # keyed by corpus-relative posix path
    missing: tuple[str, ...] = ()  # entries whose file is gone: reported, not fatal, so deletions just work

    def entry_for(self, relative: str) -> ManifestEntry | None:
        return self.entries.get(relative)


def load_manifest(root: Path) -> Manifest:
    """Read ``root/manifest.toml``; a corpus without one gets an empty manifest (metadata unknown)."""
    path = root / MANIFEST_NAME
    if not path.is_file():
        return Manifest(root=root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: is not valid TOML ({exc}); fix the syntax") from exc
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        raise ManifestError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    entries: dict[str, ManifestEntry] = {}
    ids: set[str] = set()
    missing: list[str] = []
    for number, raw in enumerate(sources, start=1):
        entry = _entry(raw, where=f"{path}: [[sources]] entry {number}")
        if entry.file in entries:
            raise ManifestError(f"{path}: file {entry.file!r} is listed twice; keep one entry per file")
        if entry.source_id is not None:
            if entry.source_id in ids:
                raise ManifestError(f"{path}: id {entry.source_id!r} is used twice; ids must be unique")
            ids.add(entry.source_id)
        if not (root / entry.file).is_file():
            missing.append(f"{path}: entry {number} names file {entry.file!r}, which is not in {root}; "
                           "remove the entry or restore the file")
        entries[entry.file] = entry
    return Manifest(root=root, entries=entries, missing=tuple(missing))


def _entry(raw: Any, *, where: str) -> ManifestEntry:
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: must be a table")
    unknown = set(raw) - _KNOWN
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(_KNOWN)}")
    file = raw.get("file")
    if not isinstance(file, str) or not file.strip():
        raise ManifestError(f"{where}: needs 'file', the document's path relative to the manifest")
    if Path(file).is_absolute() or ".." in Path(file).parts:
        raise ManifestError(f"{where}: file {file!r} must be a relative path inside the corpus folder")
    for name in _STRING_FIELDS:
        if name in raw and not isinstance(raw[name], str):
            raise ManifestError(f"{where}: '{name}' must be a string, got {type(raw[name]).__name__}")
    publisher_type = raw.get("publisher_type", "unknown")
    if publisher_type not in PUBLISHER_TYPES:
        raise ManifestError(f"{where}: publisher_type {publisher_type!r} is not one of {sorted(PUBLISHER_TYPES)}")
    authors = raw.get("authors", [])
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise ManifestError(f"{where}: 'authors' must be a list of strings")
    overrides = raw.get("overrides", [])
    parse_overrides(overrides, where=where)  # shape checked here, so a bad entry stops ingest before any work
    meta = SourceMeta(
        title=raw.get("title"), publisher=raw.get("publisher"), publisher_type=publisher_type,
        url=raw.get("url"), language=raw.get("language"), authors=tuple(authors), date=raw.get("date"),
        original_file=raw.get("original_file"),
    )
    return ManifestEntry(file=Path(file).as_posix(), source_id=raw.get("id"), meta=meta, overrides=tuple(overrides))
