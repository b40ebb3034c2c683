"""What ``compare`` returns: frozen records. service/compare/convert.py turns them into the JSON of
``POST /v1/compare`` and ``groundqa compare --json``; eval reads them as they are."""

from __future__ import annotations

from dataclasses import dataclass

from groundqa.core.records import Flag
from groundqa.credibility.relation import Settings


@dataclass(frozen=True)
class SourceBrief:
    source_id: str
    title: str | None
    publisher: str | None
    publisher_type: str
    grade: str | None  # credibility grade A-E of the source profile (None: no profile)
    score: float | None  # credibility score in [0, 1] of the source profile


@dataclass(frozen=True)
class Statement:
    """A sentence of a top passage; ``id`` is s1, s2, ... in order of relevance to the question."""

    id: str
    source_id: str
    passage_id: str
    start: int  # source coordinates: source.text[start:end] == text
    end: int
    text: str
    relevance: float = 0.0  # cosine of the question and the sentence
    flags: tuple[Flag, ...] = ()  # the passage's flags whose evidence overlaps this sentence
    figures: tuple[str, ...] = ()  # quantities the statement gives, as written


@dataclass(frozen=True)
class Pair:
    """Two statements the verifier relates (agree or disagree), by statement id."""

    a: str
    b: str
    relation: str  # agree | disagree
    disagree: float
    agree: float
    cosine: float
    within_source: bool
    numbers: tuple[str, ...] = ()  # figures of one dimension that differ, 'x vs y'
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Position:
    statements: tuple[str, ...]
    sources: tuple[SourceBrief, ...]  # most credible first
    says: str  # the statement of the most credible source in this position


@dataclass(frozen=True)
class Figure:
    statement: str
    source_id: str
    grade: str | None
    text: str  # as written
    dimension: str
    value: float  # in base units of its dimension, for sorting


@dataclass(frozen=True)
class Spread:
    dimension: str
    low: str
    high: str
    figures: tuple[Figure, ...]  # smallest first
    sources: int


@dataclass(frozen=True)
class Group:
    id: str
    about: str  # proposition | quantity | treatment
    relation: str  # disagree | agree | unrelated | alone
    label: str
    statements: tuple[str, ...]
    sources: tuple[str, ...]
    pairs: tuple[Pair, ...]
    positions: tuple[Position, ...]
    spread: tuple[Spread, ...]


@dataclass(frozen=True)
class Comparison:
    question: str
    abstained: bool
    support: float | None
    sources: tuple[SourceBrief, ...]
    statements: tuple[Statement, ...]
    groups: tuple[Group, ...]  # disagreements first, then agreements, then the rest
    settings: Settings  # the relation thresholds used
