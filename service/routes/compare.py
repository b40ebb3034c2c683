"""POST /v1/compare: where the sources disagree on a question, with each side's span, grade and flags."""

from __future__ import annotations

from fastapi import APIRouter
from groundqa.engine.compare.run import compare as run_compare
from groundqa.service.compare.convert import compare_out
from groundqa.service.compare.schemas import CompareIn, CompareOut
from groundqa.service.deps import EngineDep, SettingsDep
from groundqa.service.errors import ERROR_RESPONSES
from groundqa.service.schemas import check_query_limits

router = APIRouter(prefix="/v1", tags=["compare"])


@router.post("/compare", response_model=CompareOut, responses=ERROR_RESPONSES)
def compare(body: CompareIn, engine: EngineDep, settings: SettingsDep) -> CompareOut:
    """The statements that answer the question (sentences of each source's top passages), grouped by what they
    speak of (one proposition, one quantity, one treatment); per group whether the sources agree, disagree or
    are unrelated (the claim verifier read both ways, plus figure comparison), each statement with its exact
    span, source grade, publisher type and flags; and a consensus: who holds each position, most credible
    first, and the spread of figures with their sources."""
    from groundqa.credibility.verifier import verifier

    check_query_limits(body.question, body.k, max_k=settings.max_k, max_question_chars=settings.max_question_chars)
    return compare_out(run_compare(engine, question=body.question, k=body.k, mode=body.mode,
                                   passages_per_source=body.passages_per_source,
                                   statements_per_source=body.statements_per_source, verifier=verifier()))
