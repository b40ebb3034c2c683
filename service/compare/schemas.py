"""The JSON of ``POST /v1/compare`` and ``groundqa compare --json`` (one shape for both)."""

from __future__ import annotations

from typing import Literal

from groundqa.engine.query import MODES
from groundqa.service.schemas import FlagOut
from pydantic import BaseModel, ConfigDict, Field

Relation = Literal["agree", "disagree", "unrelated"]


class CompareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., description="Free-text question.",
                          examples=["How long do patients with metastatic breast cancer live?"])
    k: int = Field(20, description="Passages retrieved; statements come from the top passages of each source.")
    mode: Literal["bm25", "dense", "hybrid"] = Field("hybrid", description="Retrieval mode: " + ", ".join(MODES))
    passages_per_source: int = Field(2, ge=1, le=10, description="Top passages read per source.")
    statements_per_source: int = Field(4, ge=1, le=20, description="Sentences kept per source (those closest to "
                                       "the question).")


class SourceBriefOut(BaseModel):
    source_id: str
    title: str | None
    publisher: str | None
    publisher_type: str = Field(description="patient-organisation, government, academic, commercial-clinic, "
                                "commercial-facilitator or unknown.")
    grade: str | None = Field(description="Credibility grade A-E of the source profile (null: no profile).")
    score: float | None = Field(description="Credibility score in [0, 1] of the source profile.")


class StatementOut(BaseModel):
    id: str = Field(description="s1, s2, ... in order of relevance to the question.")
    marker: str = Field(description="[source_id:start-end]: source.text[start:end] is the statement.")
    source_id: str
    passage_id: str
    start: int
    end: int
    text: str
    relevance: float = Field(description="Cosine of the question and the statement.")
    figures: list[str] = Field(description="Quantities the statement gives, as written.")
    flags: list[FlagOut] = Field(description="Flags of its passage whose evidence overlaps this statement.")


class PairOut(BaseModel):
    a: str
    b: str
    relation: Relation
    disagree: float = Field(description="Larger calibrated refutes probability of the two readings (a as claim of "
                            "b, b as claim of a).")
    agree: float = Field(description="Larger calibrated supports probability of the two readings.")
    cosine: float
    within_source: bool
    numbers: list[str] = Field(description="Figures of one dimension that differ, 'x vs y'.")
    reasons: list[str]


class PositionOut(BaseModel):
    statements: list[str] = Field(description="Statement ids holding this position.")
    sources: list[SourceBriefOut] = Field(description="Their sources, most credible first.")
    says: str = Field(description="The statement of the most credible source in this position.")


class FigureOut(BaseModel):
    statement: str
    source_id: str
    grade: str | None
    text: str = Field(description="The figure as written.")
    dimension: str = Field(description="Its unit dimension (pint), 'percent', 'count:<noun>', ...")
    value: float = Field(description="In base units of its dimension (seconds for time), for sorting.")


class SpreadOut(BaseModel):
    dimension: str
    low: str
    high: str
    figures: list[FigureOut] = Field(description="Every figure of this dimension in the group, smallest first.")
    sources: int


class GroupOut(BaseModel):
    id: str
    about: Literal["proposition", "quantity", "treatment"] = Field(
        description="What ties the statements: the verifier relates them, or they give figures of one quantity, "
                    "or name one treatment (on the same topic).")
    relation: Relation | Literal["alone"] = Field(
        description="disagree: some pair disagrees; agree: some pair agrees and none disagrees; unrelated: tied by "
                    "topic only; alone: a figure only one statement gives.")
    label: str = Field(description="The most relevant statement's text, to name the group.")
    statements: list[str]
    sources: list[str]
    pairs: list[PairOut] = Field(description="Related pairs of the group (agree or disagree).")
    positions: list[PositionOut] = Field(description="Consensus: who says what, the position of the most "
                                         "credible source first; two positions when the group disagrees.")
    spread: list[SpreadOut] = Field(description="For quantities: the figures with their sources, per dimension.")


class CompareOut(BaseModel):
    question: str
    abstained: bool
    support: float | None
    sources: list[SourceBriefOut]
    statements: list[StatementOut]
    groups: list[GroupOut] = Field(description="Disagreements first, then agreements, then the rest.")
    settings: dict[str, float] = Field(description="The relation thresholds used (chosen on COVID-Fact calib).")
