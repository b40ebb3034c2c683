"""SQLite store of sources and passages; passage ``row`` is the FAISS id and the BM25 document number."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from groundqa.core.records import Flag, Passage, SourceMeta, Span

STORE_FILE = "store.sqlite"

_SCHEMA = """
CREATE TABLE sources (
    source_id TEXT PRIMARY KEY,
    file TEXT,
    file_hash TEXT,
    text_hash TEXT NOT NULL,
    title TEXT,
    meta_json TEXT NOT NULL,
    profile_json TEXT,
    page_starts_json TEXT NOT NULL,
    text TEXT NOT NULL,
    path TEXT,
    ingested TEXT
);
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,
    passage_id TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL REFERENCES sources(source_id),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    page INTEGER,
    heading TEXT,
    text TEXT NOT NULL,
    flags_json TEXT NOT NULL
);
CREATE INDEX passages_by_source ON passages(source_id, start);
"""


@dataclass(frozen=True)
class StoredSource:
    source_id: str
    file: str | None
    file_hash: str | None
    text_hash: str
    title: str | None
    meta: SourceMeta
    profile: dict[str, Any] | None
    page_starts: tuple[int, ...]
    text: str
    path: str | None = None  # the file it was read from (resolved), to match it on the next ingest or --prune
    ingested: str | None = None  # UTC date this version of the text was read: a citation's "accessed" date


def flag_to_json(flag: Flag) -> dict[str, Any]:
    return {"kind": flag.kind, "reason": flag.reason, "cues": list(flag.cues), "confidence": flag.confidence,
            "evidence": [{"start": s.start, "end": s.end} for s in flag.evidence], "override": flag.override}


def flag_from_json(data: dict[str, Any]) -> Flag:
    return Flag(kind=data["kind"], reason=data["reason"], cues=tuple(data.get("cues", ())),
                confidence=float(data.get("confidence", 1.0)),
                evidence=tuple(Span(e["start"], e["end"]) for e in data.get("evidence", ())),
                override=bool(data.get("override", False)))


def meta_to_json(meta: SourceMeta) -> str:
    return json.dumps({"title": meta.title, "publisher": meta.publisher, "publisher_type": meta.publisher_type,
                       "url": meta.url, "language": meta.language, "authors": list(meta.authors),
                       "date": meta.date, "original_file": meta.original_file, "extra": meta.extra})


def meta_from_json(raw: str) -> SourceMeta:
    data = json.loads(raw)
    return SourceMeta(title=data.get("title"), publisher=data.get("publisher"),
                      publisher_type=data.get("publisher_type") or "unknown", url=data.get("url"),
                      language=data.get("language"), authors=tuple(data.get("authors") or ()),
                      date=data.get("date"), original_file=data.get("original_file"), extra=data.get("extra") or {})


def write_store(path: Path, sources: Iterable[StoredSource], passages: Iterable[Passage]) -> None:
    """Write a fresh store; passages are numbered 0..n-1 in the order given."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(_SCHEMA)
        conn.executemany(
            "INSERT INTO sources (source_id, file, file_hash, text_hash, title, meta_json, profile_json, "
            "page_starts_json, text, path, ingested) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ((s.source_id, s.file, s.file_hash, s.text_hash, s.title, meta_to_json(s.meta),
              json.dumps(s.profile) if s.profile is not None else None, json.dumps(list(s.page_starts)), s.text,
              s.path, s.ingested)
             for s in sources))
        conn.executemany(
            "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?)",
            ((row, p.passage_id, p.source_id, p.start, p.end, p.page, p.heading, p.text,
              json.dumps([flag_to_json(f) for f in p.flags])) for row, p in enumerate(passages)))
        conn.commit()
    finally:
        conn.close()


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(passage_id=row["passage_id"], source_id=row["source_id"], start=row["start"], end=row["end"],
                   text=row["text"], page=row["page"], heading=row["heading"],
                   flags=tuple(flag_from_json(f) for f in json.loads(row["flags_json"])))


def _source(row: sqlite3.Row) -> StoredSource:
    extra = row.keys()  # stores written before path/ingested existed lack those columns
    return StoredSource(source_id=row["source_id"], file=row["file"], file_hash=row["file_hash"],
                        text_hash=row["text_hash"], title=row["title"], meta=meta_from_json(row["meta_json"]),
                        profile=json.loads(row["profile_json"]) if row["profile_json"] else None,
                        page_starts=tuple(json.loads(row["page_starts_json"])), text=row["text"],
                        path=row["path"] if "path" in extra else None,
                        ingested=row["ingested"] if "ingested" in extra else None)


class Store:
    """Read-only access to a snapshot's store; one connection per thread."""

    def __init__(self, path: Path) -> None:
        self._uri = f"file:{path}?mode=ro"
        self._local = threading.local()
        self.passage_count = self._conn().execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        self.source_count = self._conn().execute("SELECT COUNT(*) FROM sources").fetchone()[0]

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def passages_by_rows(self, rows: list[int]) -> dict[int, Passage]:
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        cursor = self._conn().execute(f"SELECT * FROM passages WHERE row IN ({marks})", rows)
        return {r["row"]: _passage(r) for r in cursor}

    def passage(self, passage_id: str) -> Passage | None:
        row = self._conn().execute("SELECT * FROM passages WHERE passage_id = ?", (passage_id,)).fetchone()
        return _passage(row) if row else None

    def passages_of(self, source_id: str) -> list[Passage]:
        cursor = self._conn().execute("SELECT * FROM passages WHERE source_id = ? ORDER BY start", (source_id,))
        return [_passage(r) for r in cursor]

    def rows_of_sources(self, source_ids: list[str]) -> list[int]:
        marks = ",".join("?" * len(source_ids))
        cursor = self._conn().execute(f"SELECT row FROM passages WHERE source_id IN ({marks})", source_ids)
        return [r[0] for r in cursor]

    def source_codes(self) -> tuple[list[str], np.ndarray]:
        """Source ids, and for each passage row the position of its source among them (held by the engine
        to group candidates by source without a look-up per row)."""
        ids: list[str] = []
        position: dict[str, int] = {}
        codes = np.zeros(self.passage_count, dtype=np.int32)
        for row, source_id in self._conn().execute("SELECT row, source_id FROM passages ORDER BY row"):
            if source_id not in position:
                position[source_id] = len(ids)
                ids.append(source_id)
            codes[row] = position[source_id]
        return ids, codes

    def source(self, source_id: str) -> StoredSource | None:
        row = self._conn().execute("SELECT * FROM sources WHERE source_id = ?", (source_id,)).fetchone()
        return _source(row) if row else None

    def sources(self) -> Iterator[StoredSource]:
        for row in self._conn().execute("SELECT * FROM sources ORDER BY source_id"):
            yield _source(row)

    def flag_rows(self) -> Iterator[tuple[int, str]]:
        """(row, flags JSON) of the passages that carry any credibility flag."""
        yield from self._conn().execute("SELECT row, flags_json FROM passages WHERE flags_json != '[]'")

    def all_passages(self) -> Iterator[tuple[int, Passage]]:
        for row in self._conn().execute("SELECT * FROM passages ORDER BY row"):
            yield row["row"], _passage(row)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
