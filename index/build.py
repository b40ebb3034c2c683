"""An ingest run: find files, skip the unchanged, load and chunk the rest, embed what is new, write a snapshot.

Vectors are reused for every passage whose embedding text is unchanged, so editing one file
re-embeds only its changed passages. A file that fails to load keeps its previous version.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from groundqa.core.encoder import Encoder
from groundqa.core.errors import GroundqaError, LoadError
from groundqa.core.records import Document, Passage, SourceMeta, content_hash
from groundqa.core.sentences import Sentence, split_sentences
from groundqa.credibility.flags import annotator as credibility_annotate  # every ingest flags, CLI or library
from groundqa.index.ann import AnnSettings, index_kind
from groundqa.index.embedding import (
    OldSnapshot,
    SentenceVectors,
    passage_embeddings,
    passage_sentences,
    reusable_sentences,
    sentence_index,
)
from groundqa.index.lexical import FIELDS, Lexical
from groundqa.index.sentences import SentenceIndex
from groundqa.index.sentences import save as save_sentences
from groundqa.index.snapshot import (
    build_lock,
    commit_build,
    current_snapshot,
    manifest_backend,
    new_build_dir,
    read_manifest,
    require_snapshot,
)
from groundqa.index.store import STORE_FILE, Store, StoredSource, write_store
from groundqa.index.vectors import build_vectors, save_vectors
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.loaders import SUFFIXES, is_supported, load_file
from groundqa.ingest.manifest import MANIFEST_NAME, load_manifest
from tqdm import tqdm

EMBEDDINGS_FILE = "embeddings.npy"
MAX_FILE_BYTES = 200_000_000  # a corpus file past this is reported and skipped (settings.max_file_mb)


class NotInIndexError(GroundqaError):
    """A removal names sources the index does not hold (or would leave it empty)."""


@dataclass
class IngestReport:
    """What a run did, by file and by source; ``added``/``updated``/``removed`` name the sources."""

    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_failed: int = 0
    files_skipped: list[str] = field(default_factory=list)  # not a supported type: named in the summary
    files_hidden: int = 0  # dot-files and files in dot-folders, never read
    sources: int = 0
    sources_added: int = 0
    sources_updated: int = 0
    sources_unchanged: int = 0
    sources_removed: int = 0
    sources_kept: int = 0  # in the index but not under the paths of this run: left as they were
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # under the given folders, file gone, kept (no --prune)
    passages: int = 0
    passages_embedded: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    snapshot: str | None = None
    changed: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    relative: str
    root: Path


def supported_types() -> str:
    return " ".join(sorted(SUFFIXES))


def discover(paths: list[Path], report: IngestReport, *, ingested: Callable[[Path], bool] = lambda _: False,
             prune: bool = False) -> list[CorpusFile]:
    """Supported files under the given paths; every other file is accounted for in the report (skipped for
    its type, or hidden); links leading outside their corpus folder are refused.

    A path that does not exist is an error, unless its sources are in the index (``ingested``) and ``prune``
    asks for them to go.
    """
    found: dict[Path, CorpusFile] = {}
    for given in paths:
        if not given.exists():
            if not ingested(given.resolve()):
                report.errors.append(f"{given}: does not exist; check the path")
            elif not prune:
                report.errors.append(f"{given}: does not exist, but its sources are still in the index; "
                                     "`groundqa ingest --prune` with this path removes them")
            continue
        root = given if given.is_dir() else given.parent
        candidates = sorted(given.rglob("*")) if given.is_dir() else [given]
        for path in candidates:
            rel_parts = path.relative_to(root).parts
            if not path.is_file():
                continue
            if any(part.startswith(".") for part in rel_parts):
                report.files_hidden += 1
                continue
            if not is_supported(path):
                if rel_parts != (MANIFEST_NAME,):
                    report.files_skipped.append(str(path))
                continue
            resolved = path.resolve()
            if not resolved.is_relative_to(root.resolve()):
                report.errors.append(f"{path}: is a link to {resolved}, outside the corpus folder {root}; "
                                     "copy the file into the corpus instead")
                continue
            found.setdefault(resolved, CorpusFile(path=path, relative=path.relative_to(root).as_posix(), root=root))
    return list(found.values())


def _default_source_id(relative: str) -> str:
    return relative.rsplit(".", 1)[0] if "." in Path(relative).name else relative


def _old_paths(sources: dict[str, StoredSource], manifest: dict) -> dict[str, Path]:
    """Where each source of the previous snapshot was read from. Stores from before paths were recorded are
    resolved from the manifest's roots and the corpus-relative file name."""
    roots = [Path(r) for r in manifest.get("roots") or ()]
    out: dict[str, Path] = {}
    for s in sources.values():
        if s.path:
            out[s.source_id] = Path(s.path)
        elif s.file and len(roots) == 1:
            out[s.source_id] = roots[0] / s.file
        elif s.file and "/" in s.file:
            head, rest = s.file.split("/", 1)
            match = [r for r in roots if r.name == head]
            if len(match) == 1:
                out[s.source_id] = match[0] / rest
    return out


def _under(path: Path, given: Path) -> bool:
    return path == given or path.is_relative_to(given)


def _given_paths(old: list[str], paths: list[Path], kept: dict[str, Path]) -> list[str]:
    """The paths to re-ingest when none is given: every path given so far that still holds a source (a path
    inside another one is left out: the outer one covers it)."""
    candidates = [Path(c) for c in dict.fromkeys([*old, *(str(p.resolve()) for p in paths)])]
    holding = [c for c in candidates if any(_under(p, c) for p in kept.values())]
    return sorted(str(c) for c in holding if not any(c != o and _under(c, o) for o in holding))


# annotate(doc, meta, passages, overrides, *, sentences=..., embed=...) -> (profile, flagged passages)
Annotator = Callable[..., tuple[dict | None, list[Passage]]]


@dataclass
class _Fresh:
    """A document read in this run, waiting for its flags: its one sentence split and what annotating needs."""

    doc: Document
    meta: SourceMeta
    overrides: list[dict]
    sentences: list[Sentence]


def ingest(paths: list[Path], *, index_dir: Path, encoder: Encoder | Callable[[], Encoder],
           chunking: ChunkSettings, embed_context: str = "none", rebuild: bool = False,
           progress: bool = True, annotate: Annotator | None = credibility_annotate, ann: AnnSettings | None = None,
           max_file_bytes: int = MAX_FILE_BYTES, prune: bool = False, sentences: bool = True) -> IngestReport:
    """Add and update the files under ``paths`` in the index at ``index_dir``; nothing else is touched.

    Sources read from other paths stay as they are. With ``prune``, sources under the given paths whose
    file is gone are removed. ``rebuild`` re-embeds every passage, kept ones included. ``sentences``: also
    embed every passage's sentences (index/sentences.py) for the best sentence of a hit.
    """
    report = IngestReport()
    with build_lock(index_dir):
        previous = current_snapshot(index_dir)
        old_manifest = read_manifest(previous) if previous else {}
        old_store = Store(previous / STORE_FILE) if previous else None
        try:
            return _ingest(paths, report, index_dir=index_dir, previous=previous, old_manifest=old_manifest,
                           old_store=old_store, encoder=encoder, chunking=chunking, embed_context=embed_context,
                           rebuild=rebuild, progress=progress, annotate=annotate, ann=ann,
                           max_file_bytes=max_file_bytes, prune=prune, sentences=sentences)
        finally:
            if old_store:
                old_store.close()


def _ingest(paths: list[Path], report: IngestReport, *, index_dir: Path, previous: Path | None, old_manifest: dict,
            old_store: Store | None, encoder: Encoder | Callable[[], Encoder], chunking: ChunkSettings,
            embed_context: str, rebuild: bool, progress: bool, annotate: Annotator | None, ann: AnnSettings | None,
            max_file_bytes: int, prune: bool, sentences: bool) -> IngestReport:
    old_sources = {s.source_id: s for s in old_store.sources()} if old_store else {}
    old_paths = _old_paths(old_sources, old_manifest)
    files = discover(paths, report, prune=prune,
                     ingested=lambda given: any(_under(p, given) for p in old_paths.values()))
    report.files_seen = len(files) + len(report.files_skipped)
    manifests = {}
    for root in dict.fromkeys(f.root for f in files):
        manifests[root] = load_manifest(root)
        report.warnings.extend(manifests[root].missing)

    settings = {"chunk_max_chars": chunking.max_chars, "chunk_overlap_chars": chunking.overlap_chars,
                "embed_context": embed_context, "lexical_fields": list(FIELDS), "sentence_index": sentences,
                # new flagging rules re-annotate unchanged files (their vectors are still reused)
                "annotator": getattr(annotate, "version", None) if annotate else None}
    same_settings = not rebuild and bool(previous) and all(old_manifest.get(k) == v for k, v in settings.items())

    # Which old sources each file had: by the path they were read from.
    by_path: dict[Path, list[StoredSource]] = {}
    for sid, path in old_paths.items():
        by_path.setdefault(path, []).append(old_sources[sid])
    touched = {s.source_id for f in files for s in by_path.get(f.path.resolve(), [])}
    given = [g.resolve() for g in paths]
    gone = [sid for sid, path in old_paths.items()
            if sid not in touched and any(_under(path, g) for g in given)]
    if prune:
        dropped = set(gone)
    else:
        dropped = set()
        report.stale = sorted(gone)

    # Sources this run does not touch stay; a file of this run cannot take their ids.
    sources: dict[str, StoredSource] = {}
    passages: dict[str, list[Passage]] = {}
    kept = [s for sid, s in old_sources.items() if sid not in touched and sid not in dropped]
    _keep_old(kept, old_store, sources, passages)
    report.sources_kept = len(kept)
    fresh: set[str] = set()  # ids (re)loaded in this run
    pending: dict[str, _Fresh] = {}
    unchanged_ids: set[str] = set()
    today = time.strftime("%Y-%m-%d", time.gmtime())

    keyed = _file_keys(files)
    for cf in tqdm(files, desc="load", unit="file", disable=not progress or len(files) < 20):
        key = keyed[cf.path]
        previous_versions = by_path.get(cf.path.resolve(), [])
        data = _read(cf, report, max_file_bytes)
        if data is None:
            _keep_old(previous_versions, old_store, sources, passages)
            unchanged_ids.update(s.source_id for s in previous_versions)
            continue
        file_hash = content_hash(data)
        if same_settings and previous_versions and all(s.file_hash == file_hash for s in previous_versions):
            report.files_unchanged += 1
            _keep_old(previous_versions, old_store, sources, passages)
            unchanged_ids.update(s.source_id for s in previous_versions)
            continue
        entry = manifests[cf.root].entry_for(cf.relative)
        source_id = (entry.source_id if entry and entry.source_id else _default_source_id(key))
        if not (entry and entry.source_id) and len(previous_versions) == 1 and cf.path.suffix.lower() != ".jsonl":
            source_id = previous_versions[0].source_id  # a file keeps its id, so its passage ids stay citable
        try:
            documents, line_errors = load_file(cf.path, source_id=source_id, data=data)
        except LoadError as exc:
            report.files_failed += 1
            report.errors.append(str(exc))
            _keep_old(previous_versions, old_store, sources, passages)
            unchanged_ids.update(s.source_id for s in previous_versions)
            continue
        report.errors.extend(line_errors)
        report.files_loaded += 1
        for doc in documents:
            holder = sources.get(doc.source_id)
            if holder is not None and doc.source_id not in fresh and holder.path and not Path(holder.path).exists():
                del sources[doc.source_id], passages[doc.source_id]  # its file moved here: the same source
                holder = None
            if holder is not None:
                where = holder.path or holder.file or "another file"
                report.errors.append(f"{cf.path}: source id {doc.source_id!r} is already used by {where}; give "
                                     "one of them another id in the manifest (corpus manifest.toml)")
                continue
            meta = with_document_metadata(entry.meta if entry else SourceMeta(), doc)
            overrides = list(entry.overrides) if entry else []
            split = split_sentences(doc.text)  # the one split: chunking, flags and the sentence index read it
            sources[doc.source_id] = StoredSource(
                source_id=doc.source_id, file=key, file_hash=file_hash,
                text_hash=content_hash(doc.text.encode()), title=meta.title or doc.title, meta=meta,
                profile=None, page_starts=doc.page_starts, text=doc.text, path=str(cf.path.resolve()),
                ingested=today)
            passages[doc.source_id] = chunk_document(doc, chunking, sentences=split)
            pending[doc.source_id] = _Fresh(doc, meta, overrides, split)
            fresh.add(doc.source_id)

    made: list[Encoder] = []

    def model() -> Encoder:  # created at most once, and only when something needs embedding
        if not made:
            made.append(encoder if isinstance(encoder, Encoder) else encoder())
        return made[0]

    snapshot = _old_snapshot(previous, old_store, old_sources, old_manifest)
    vectors = SentenceVectors(model, progress=progress, reuse=lambda: {} if rebuild else reusable_sentences(
        snapshot, *_identity(encoder, model)))
    fresh_spans = {p.passage_id: passage_sentences(p, pending[sid].sentences)
                   for sid in pending for p in passages[sid]} if sentences else {}
    _annotate(pending, sources, passages, annotate, vectors, encoder, model, fresh_spans)

    for sid in sorted(fresh):
        old = old_sources.get(sid)
        if old is None:
            report.added.append(sid)
        elif (old.text_hash, old.title, old.meta, old.profile) == (sources[sid].text_hash, sources[sid].title,
                                                                  sources[sid].meta, sources[sid].profile) \
                and [p for p in passages[sid]] == (old_store.passages_of(sid) if old_store else []):
            unchanged_ids.add(sid)  # re-read (new settings or bytes) but the same text, passages and flags
        else:
            report.updated.append(sid)
    report.removed = sorted(set(old_sources) - set(sources))
    report.sources = len(sources)
    report.sources_added, report.sources_updated = len(report.added), len(report.updated)
    report.sources_removed = len(report.removed)
    report.sources_unchanged = len(unchanged_ids - set(report.updated) - set(report.added))
    ordered = [p for sid in sorted(passages) for p in passages[sid]]
    report.passages = len(ordered)
    if not files and not dropped and not report.errors:
        report.errors.append("no supported files were found under " + ", ".join(map(str, paths))
                             + (", so the index was left as it was" if old_sources else "")
                             + f"; supported files: {supported_types()}")
    if (previous is not None and same_settings and not report.added and not report.updated and not report.removed
            and report.files_loaded == 0):
        report.snapshot = previous.name
        return report
    if not sources:
        report.errors.append("no usable documents were found under " + ", ".join(map(str, paths))
                             + (", so the existing index was left as it was" if old_sources else "")
                             + f"; supported files: {supported_types()}")
        return report
    _legacy_paths(sources, old_paths)
    roots = _given_paths(list(old_manifest.get("roots") or ()), [p for p in paths if p.exists()],
                         {sid: Path(s.path) for sid, s in sources.items() if s.path})
    build_dir = new_build_dir(index_dir)
    try:
        old_vectors = np.load(previous / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False) \
            if previous is not None and snapshot is not None else None
        embeddings, embedder_name, backend, embedded = passage_embeddings(
            ordered, {sid: s.title for sid, s in sources.items()}, snapshot, old_vectors, model,
            encoder if isinstance(encoder, Encoder) else None, embed_context, old_manifest.get("embed_context"),
            progress, reuse=not rebuild)
        report.passages_embedded = embedded
        sentence_arrays = None
        if sentences:
            same_model = snapshot is not None and (snapshot.model, snapshot.backend) == (embedder_name, backend)
            kept = snapshot if same_model and not rebuild else None  # kept passages keep their sentence vectors
            sentence_arrays = sentence_index(ordered, fresh_spans, vectors, kept, int(embeddings.shape[1]))
        final = _write_snapshot(index_dir, build_dir, sources, ordered, embeddings, ann, {
            **settings, "model": embedder_name, "encoder_backend": backend, "roots": roots}, sentence_arrays)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    report.snapshot = final.name
    report.changed = True
    return report


def _legacy_paths(sources: dict[str, StoredSource], old_paths: dict[str, Path]) -> None:
    """Record the file path of kept sources from stores written before paths were recorded."""
    for sid, s in list(sources.items()):
        if s.path is None and sid in old_paths:
            sources[sid] = replace(s, path=str(old_paths[sid]))


def _write_snapshot(index_dir: Path, build_dir: Path, sources: dict[str, StoredSource], ordered: list[Passage],
                    embeddings: np.ndarray, ann: AnnSettings | None, manifest: dict,
                    sentence_index: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> Path:
    """Store, vectors, the fielded lexical index (text, title, heading) and, when given, the sentence index."""
    write_store(build_dir / STORE_FILE, (sources[s] for s in sorted(sources)), ordered)
    np.save(build_dir / EMBEDDINGS_FILE, embeddings, allow_pickle=False)
    vectors = build_vectors(embeddings, ann)
    save_vectors(vectors, build_dir)
    Lexical.build([p.text for p in ordered], titles=[sources[p.source_id].title for p in ordered],
                  headings=[p.heading for p in ordered]).save(build_dir)
    if sentence_index is not None:
        save_sentences(build_dir, *sentence_index)
    return commit_build(index_dir, build_dir, {
        **manifest, "vector_index": index_kind(vectors), "dimension": int(embeddings.shape[1]),
        "normalised": True, "metric": "inner_product", "sources": len(sources), "passages": len(ordered)})


def remove(source_ids: list[str], *, index_dir: Path, ann: AnnSettings | None = None) -> IngestReport:
    """A new snapshot without the named sources; the rest keeps its passages and vectors (nothing is embedded).

    Raises NotInIndexError (naming them) when any id is not in the index, and removes nothing then.
    """
    report = IngestReport()
    with build_lock(index_dir):
        previous = require_snapshot(index_dir)
        manifest = read_manifest(previous)
        store = Store(previous / STORE_FILE)
        try:
            old = {s.source_id: s for s in store.sources()}
            unknown = [sid for sid in dict.fromkeys(source_ids) if sid not in old]
            if unknown:
                raise NotInIndexError(f"not in the index at {index_dir}: {', '.join(map(repr, unknown))}; "
                                      "`groundqa sources` lists the source ids (nothing was removed)")
            drop = set(source_ids)
            if drop == set(old):
                raise NotInIndexError(f"that would remove every source of the index at {index_dir}; to start "
                                      f"afresh, delete the folder {index_dir} instead (nothing was removed)")
            old_paths = _old_paths(old, manifest)
            sources = {sid: s for sid, s in old.items() if sid not in drop}
            _legacy_paths(sources, old_paths)
            rows = [(row, p) for row, p in store.all_passages() if p.source_id in sources]
            ordered = [p for _, p in sorted(rows, key=lambda rp: (rp[1].source_id, rp[0]))]
            row_of = {p.passage_id: row for row, p in rows}
            vectors = np.load(previous / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False)
            embeddings = np.asarray(vectors[[row_of[p.passage_id] for p in ordered]], dtype=np.float32)
            kept_roots = _given_paths(list(manifest.get("roots") or ()), [],
                                      {sid: Path(s.path) for sid, s in sources.items() if s.path})
            sentence_arrays = None
            old_sentences = SentenceIndex.load(previous) if manifest.get("sentence_index") else None
            if old_sentences is not None:  # every kept sentence has its vector already: nothing is embedded
                snapshot = OldSnapshot(rows=lambda: dict(rows), titles={}, model=manifest.get("model"),
                                       backend=manifest_backend(manifest), sentences=lambda: old_sentences)
                sentence_arrays = sentence_index(ordered, {}, None, snapshot, int(embeddings.shape[1]))
            build_dir = new_build_dir(index_dir)
            try:
                final = _write_snapshot(index_dir, build_dir, sources, ordered, embeddings, ann, {
                    k: v for k, v in manifest.items()
                    if k in ("chunk_max_chars", "chunk_overlap_chars", "embed_context", "annotator", "model",
                             "encoder_backend", "lexical_fields", "sentence_index")}
                    | {"roots": kept_roots, "sentence_index": sentence_arrays is not None}, sentence_arrays)
            except BaseException:
                shutil.rmtree(build_dir, ignore_errors=True)
                raise
        finally:
            store.close()
    report.removed = sorted(drop)
    report.sources_removed = len(drop)
    report.sources = report.sources_kept = len(sources)
    report.passages = len(ordered)
    report.snapshot = final.name
    report.changed = True
    return report


def with_document_metadata(meta: SourceMeta, doc: Document) -> SourceMeta:
    """The manifest's metadata, its gaps filled from what the document says of itself (title, authors, date,
    canonical URL, site name as publisher, language); OCR'd pages are recorded in ``extra``."""
    found = doc.metadata
    extra = dict(meta.extra)
    if found.get("ocr_pages"):
        extra["ocr_pages"] = list(found["ocr_pages"])
    if found.get("description") and "description" not in extra:
        extra["description"] = found["description"]
    return replace(
        meta,
        title=meta.title or found.get("title") or doc.title,
        authors=meta.authors or tuple(found.get("authors") or ()),
        date=meta.date or found.get("date"),
        url=meta.url or found.get("url"),
        publisher=meta.publisher or found.get("site_name"),
        language=meta.language or found.get("language"),
        extra=extra,
    )


def _file_keys(files: list[CorpusFile]) -> dict[Path, str]:
    """Corpus-relative names; a root folder's name is prefixed only when several roots share a name."""
    roots = {f.root for f in files}
    if len(roots) <= 1:
        return {f.path: f.relative for f in files}
    return {f.path: f"{f.root.name}/{f.relative}" for f in files}


def _read(cf: CorpusFile, report: IngestReport, max_bytes: int) -> bytes | None:
    try:
        size = cf.path.stat().st_size
        if size > max_bytes:  # checked before reading, so one huge file cannot exhaust memory
            report.files_failed += 1
            report.errors.append(f"{cf.path}: is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit; split "
                                 "it into smaller files or raise GROUNDQA_MAX_FILE_MB")
            return None
        return cf.path.read_bytes()
    except OSError as exc:
        report.files_failed += 1
        report.errors.append(f"{cf.path}: cannot be read ({exc.strerror}); check its permissions")
        return None


def _keep_old(old: list[StoredSource], store: Store | None, sources: dict[str, StoredSource],
              passages: dict[str, list[Passage]]) -> None:
    for source in old:
        if store is not None and source.source_id not in sources:
            sources[source.source_id] = source
            passages[source.source_id] = store.passages_of(source.source_id)


def _identity(encoder: Encoder | Callable[[], Encoder], model: Callable[[], Encoder]) -> tuple[str, str]:
    """The ingest encoder's model and backend; a factory that names them (engine.perf) is not called for it."""
    if isinstance(encoder, Encoder):
        return encoder.name, encoder.backend
    name, backend = getattr(encoder, "name", None), getattr(encoder, "backend", None)
    if name and backend:
        return name, backend
    made = model()
    return made.name, made.backend


def _old_snapshot(previous: Path | None, store: Store | None, sources: dict[str, StoredSource],
                  manifest: dict) -> OldSnapshot | None:
    """The previous snapshot's passages (read once), titles, model and sentence index."""
    if previous is None or store is None:
        return None
    return OldSnapshot(rows=lambda: dict(store.all_passages()), titles={sid: s.title for sid, s in sources.items()},
                       model=manifest.get("model"), backend=manifest_backend(manifest),
                       sentences=lambda: SentenceIndex.load(previous) if manifest.get("sentence_index") else None)


def _annotate(pending: dict[str, _Fresh], sources: dict[str, StoredSource], passages: dict[str, list[Passage]],
              annotate: Annotator | None, vectors: SentenceVectors, encoder: Encoder | Callable[[], Encoder],
              model: Callable[[], Encoder], fresh_spans: dict[str, list[tuple[int, int]]]) -> None:
    """Flag every document read in this run. Its sentences (and, for the sentence index, those of its passages)
    are embedded together, once, by the ingest encoder; the flagger reads those vectors when they come from the
    model it was fitted on, and embeds with its own copy of that model otherwise."""
    if annotate is None or not pending:
        return
    reads = getattr(annotate, "reads_vectors_of", None)  # a plain annotate(doc, meta, passages, overrides) has none
    shared = reads is not None and reads(_identity(encoder, model)[0])
    if shared:
        texts = [f.doc.text[s.start:s.end] for f in pending.values() for s in f.sentences if not s.is_heading]
        for sid, f in pending.items():
            for p in passages[sid]:
                texts += [f.doc.text[a:b] for a, b in fresh_spans.get(p.passage_id, ())]
        vectors.ensure(texts)
    for sid, f in pending.items():
        kwargs: dict = {} if reads is None else {"sentences": f.sentences}
        if shared:
            kwargs["embed"] = vectors.get
        profile, passages[sid] = annotate(f.doc, f.meta, passages[sid], f.overrides, **kwargs)
        sources[sid] = replace(sources[sid], profile=profile)
