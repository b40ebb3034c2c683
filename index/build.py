"""An ingest run: find files, skip the unchanged, load and chunk the rest, embed what is new, write a snapshot.

Vectors are reused for every passage whose embedding text is unchanged, so editing one file
re-embeds only its changed passages. A file that fails to load keeps its previous version.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from groundqa.credibility.flags import annotate as credibility_annotate  # every ingest flags, CLI or library
from groundqa.index.ann import AnnSettings, index_kind
from groundqa.index.embed import Encoder
from groundqa.index.lexical import FIELDS, Lexical
from groundqa.index.sentences import SentenceIndex, embed_sentences, sentence_spans
from groundqa.index.sentences import save as save_sentences
from groundqa.index.snapshot import (
    build_lock,
    commit_build,
    current_snapshot,
    manifest_backend,
    new_build_dir,
    read_manifest,
)
from groundqa.index.store import STORE_FILE, Store, StoredSource, write_store
from groundqa.index.vectors import build_vectors, save_vectors
from groundqa.ingest.chunk import ChunkSettings, chunk_document
from groundqa.ingest.errors import LoadError
from groundqa.ingest.loaders import is_supported, load_file
from groundqa.ingest.manifest import load_manifest
from groundqa.ingest.records import Document, Passage, SourceMeta, content_hash
from tqdm import tqdm

EMBEDDINGS_FILE = "embeddings.npy"
MAX_FILE_BYTES = 200_000_000  # a corpus file past this is reported and skipped (settings.max_file_mb)


@dataclass
class IngestReport:
    files_seen: int = 0
    files_unchanged: int = 0
    files_loaded: int = 0
    files_failed: int = 0
    sources: int = 0
    sources_removed: int = 0
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


def embedding_text(passage: Passage, title: str | None, *, context: str) -> str:
    """What the encoder sees: the passage, optionally led by its document title and section heading."""
    if context == "none":
        return passage.text
    lead = [t for t in ((title if "title" in context else None),
                        (passage.heading if "heading" in context else None)) if t]
    return "\n".join([*dict.fromkeys(lead), passage.text])


def discover(paths: list[Path], report: IngestReport) -> list[CorpusFile]:
    """Supported files under the given paths; links leading outside their corpus folder are refused."""
    found: dict[Path, CorpusFile] = {}
    for given in paths:
        if not given.exists():
            report.errors.append(f"{given}: does not exist; check the path")
            continue
        root = given if given.is_dir() else given.parent
        candidates = sorted(given.rglob("*")) if given.is_dir() else [given]
        for path in candidates:
            rel_parts = path.relative_to(root).parts
            if any(part.startswith(".") for part in rel_parts) or not path.is_file() or not is_supported(path):
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


Annotator = Callable[[Document, SourceMeta, list[Passage], list[dict]], tuple[dict | None, list[Passage]]]


def ingest(paths: list[Path], *, index_dir: Path, encoder: Encoder | Callable[[], Encoder],
           chunking: ChunkSettings, embed_context: str = "none", rebuild: bool = False,
           progress: bool = True, annotate: Annotator | None = credibility_annotate, ann: AnnSettings | None = None,
           max_file_bytes: int = MAX_FILE_BYTES, sentences: bool = True) -> IngestReport:
    """Bring the index at ``index_dir`` in line with the files under ``paths``.

    ``sentences``: also embed every passage's sentences (index/sentences.py) for the best sentence of a hit.
    """
    report = IngestReport()
    with build_lock(index_dir):
        files = discover(paths, report)
        report.files_seen = len(files)
        manifests = {}
        for root in dict.fromkeys(f.root for f in files):
            manifests[root] = load_manifest(root)
            report.warnings.extend(manifests[root].missing)

        previous = None if rebuild else current_snapshot(index_dir)
        old_manifest = read_manifest(previous) if previous else {}
        settings = {"chunk_max_chars": chunking.max_chars, "chunk_overlap_chars": chunking.overlap_chars,
                    "embed_context": embed_context, "lexical_fields": list(FIELDS), "sentence_index": sentences,
                    # new flagging rules re-annotate unchanged files (their vectors are still reused)
                    "annotator": getattr(annotate, "version", None) if annotate else None}
        same_settings = bool(previous) and all(old_manifest.get(k) == v for k, v in settings.items())
        old_store = Store(previous / STORE_FILE) if previous else None
        old_sources = {s.source_id: s for s in old_store.sources()} if old_store else {}
        old_by_file: dict[str, list[StoredSource]] = {}
        for s in old_sources.values():
            old_by_file.setdefault(s.file or "", []).append(s)

        sources: dict[str, StoredSource] = {}
        passages: dict[str, list[Passage]] = {}
        keyed = _file_keys(files)
        for cf in tqdm(files, desc="load", unit="file", disable=not progress or len(files) < 20):
            key = keyed[cf.path]
            data = _read(cf, report, max_file_bytes)
            if data is None:
                _keep_old(old_by_file.get(key, []), old_store, sources, passages)
                continue
            file_hash = content_hash(data)
            previous_versions = old_by_file.get(key, [])
            if same_settings and previous_versions and all(s.file_hash == file_hash for s in previous_versions):
                report.files_unchanged += 1
                _keep_old(previous_versions, old_store, sources, passages)
                continue
            entry = manifests[cf.root].entry_for(cf.relative)
            source_id = (entry.source_id if entry and entry.source_id else _default_source_id(key))
            try:
                documents, line_errors = load_file(cf.path, source_id=source_id, data=data)
            except LoadError as exc:
                report.files_failed += 1
                report.errors.append(str(exc))
                _keep_old(previous_versions, old_store, sources, passages)
                continue
            report.errors.extend(line_errors)
            report.files_loaded += 1
            for doc in documents:
                if doc.source_id in sources:
                    report.errors.append(f"{cf.path}: source id {doc.source_id!r} is already used by another "
                                         "file; give one of them another id in the manifest")
                    continue
                meta = entry.meta if entry else SourceMeta(title=doc.title)
                overrides = list(entry.overrides) if entry else []
                chunks = chunk_document(doc, chunking)
                profile = None
                if annotate is not None:
                    profile, chunks = annotate(doc, meta, chunks, overrides)
                sources[doc.source_id] = StoredSource(
                    source_id=doc.source_id, file=key, file_hash=file_hash,
                    text_hash=content_hash(doc.text.encode()), title=meta.title or doc.title, meta=meta,
                    profile=profile, page_starts=doc.page_starts, text=doc.text)
                passages[doc.source_id] = chunks

        report.sources = len(sources)
        report.sources_removed = len(set(old_sources) - set(sources))
        ordered = [p for sid in sorted(passages) for p in passages[sid]]
        report.passages = len(ordered)
        unchanged = (previous is not None and same_settings and report.sources_removed == 0
                     and report.files_loaded == 0 and len(sources) == len(old_sources))
        if unchanged:
            report.snapshot = previous.name if previous else None
            return report
        if not sources:
            report.errors.append("no usable documents were found under " + ", ".join(map(str, paths))
                                 + (", so the existing index was left as it was" if old_sources else "")
                                 + "; supported files: .txt .md .html .pdf .jsonl")
            return report

        build_dir = new_build_dir(index_dir)
        made: list[Encoder] = []

        def model() -> Encoder:  # created at most once, and only when something needs embedding
            if not made:
                made.append(encoder if isinstance(encoder, Encoder) else encoder())
            return made[0]

        try:
            embeddings, embedder_name, backend, embedded = _embeddings(
                ordered, sources, previous, old_store, old_manifest, model, embed_context, progress)
            report.passages_embedded = embedded
            if sentences:
                spans, offsets, sentence_vectors = _sentence_embeddings(
                    ordered, previous, old_store, old_manifest, model, embedder_name, backend,
                    int(embeddings.shape[1]), progress)
                save_sentences(build_dir, spans, offsets, sentence_vectors)
            write_store(build_dir / STORE_FILE, (sources[s] for s in sorted(sources)), ordered)
            np.save(build_dir / EMBEDDINGS_FILE, embeddings, allow_pickle=False)
            vectors = build_vectors(embeddings, ann)
            save_vectors(vectors, build_dir)
            Lexical.build([p.text for p in ordered], titles=[sources[p.source_id].title for p in ordered],
                          headings=[p.heading for p in ordered]).save(build_dir)
            final = commit_build(index_dir, build_dir, {
                **settings, "model": embedder_name, "encoder_backend": backend, "vector_index": index_kind(vectors),
                "dimension": int(embeddings.shape[1]),
                "normalised": True, "metric": "inner_product", "sources": len(sources), "passages": len(ordered),
                "roots": sorted({str(f.root.resolve()) for f in files}),
            })
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        finally:
            if old_store:
                old_store.close()
        report.snapshot = final.name
        report.changed = True
        return report


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


def _sentence_embeddings(ordered: list[Passage], previous: Path | None, old_store: Store | None, old_manifest: dict,
                         model: Callable[[], Encoder], name: str, backend: str, dim: int,
                         progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spans and vectors of every passage's sentences; vectors of the previous snapshot are reused by text."""
    spans, offsets, texts = sentence_spans(ordered)
    reuse: dict[str, np.ndarray] = {}
    old = SentenceIndex.load(previous) if previous is not None else None
    if old is not None and old_store is not None and old_manifest.get("model") == name \
            and manifest_backend(old_manifest) == backend:
        old_rows = dict(old_store.all_passages())

        def old_text(i: int) -> str:
            row, start, end = (int(v) for v in old.spans[i])
            p = old_rows[row]
            return p.text[start - p.start:end - p.start]

        reuse = old.reusable(old_text)

    def encode(batch: list[str]) -> np.ndarray:
        bar = tqdm(total=len(batch), desc="embed sentences", unit="sentence", disable=not progress or len(batch) < 64)
        try:
            return model().encode(batch, on_batch=bar.update)
        finally:
            bar.close()

    vectors, _ = embed_sentences(texts, encode, dim, reuse)
    return spans, offsets, vectors


def _embeddings(ordered: list[Passage], sources: dict[str, StoredSource], previous: Path | None,
                old_store: Store | None, old_manifest: dict, encoder: Encoder | Callable[[], Encoder],
                embed_context: str, progress: bool) -> tuple[np.ndarray, str, str, int]:
    texts = [embedding_text(p, sources[p.source_id].title, context=embed_context) for p in ordered]
    reuse: dict[str, np.ndarray] = {}
    old_vectors = None
    if previous is not None and old_store is not None and old_manifest.get("embed_context") == embed_context:
        old_vectors = np.load(previous / EMBEDDINGS_FILE, mmap_mode="r", allow_pickle=False)
        old_titles = {s.source_id: s.title for s in old_store.sources()}
        for row, p in old_store.all_passages():
            text = embedding_text(p, old_titles.get(p.source_id), context=embed_context)
            reuse[hashlib.sha256(text.encode()).hexdigest()] = old_vectors[row]
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    todo = [i for i, key in enumerate(keys) if key not in reuse]
    model = encoder if isinstance(encoder, Encoder) else (encoder() if todo or not reuse else None)
    if model is not None and old_manifest and (old_manifest.get("model") != model.name
                                               or manifest_backend(old_manifest) != model.backend):
        reuse, todo = {}, list(range(len(texts)))
    name = model.name if model is not None else old_manifest["model"]
    backend = model.backend if model is not None else manifest_backend(old_manifest)
    dim = model.dim if model is not None else int(old_manifest["dimension"])
    out = np.zeros((len(texts), dim), dtype=np.float32)
    if todo:
        bar = tqdm(total=len(todo), desc="embed", unit="passage", disable=not progress or len(todo) < 64)
        fresh = model.encode([texts[i] for i in todo], on_batch=bar.update)  # type: ignore[union-attr]
        bar.close()
        out[todo] = fresh
    for i, key in enumerate(keys):
        if key in reuse:
            out[i] = reuse[key]
    return out, name, backend, len(todo)
