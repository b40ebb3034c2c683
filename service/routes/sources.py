"""Passages and sources by id: what a reviewer opens to check a citation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from groundqa.service.deps import EngineDep
from groundqa.service.errors import ERROR_RESPONSES
from groundqa.service.schemas import (
    PassageContextOut,
    SourceListOut,
    SourceOut,
    SourcePassagesOut,
    passage_out,
    source_meta,
)

MAX_CONTEXT = 10_000

router = APIRouter(prefix="/v1", tags=["sources"])


@router.get("/passages/{passage_id}", response_model=PassageContextOut, responses=ERROR_RESPONSES)
def passage(passage_id: str, engine: EngineDep,
            context: Annotated[int, Query(ge=0, le=MAX_CONTEXT,
                                          description="Characters of surrounding text on each side.")] = 0,
            ) -> PassageContextOut:
    p = engine.passage(passage_id)
    source = engine.source(p.source_id)
    lo, hi = max(0, p.start - context), min(len(source.text), p.end + context)
    return PassageContextOut(**passage_out(p, source).model_dump(), context_start=lo, context_end=hi,
                             context_before=source.text[lo:p.start], context_after=source.text[p.end:hi])


@router.get("/sources", response_model=SourceListOut)
def sources(engine: EngineDep) -> SourceListOut:
    return SourceListOut(sources=[source_meta(s) for s in engine.sources()])


@router.get("/sources/{source_id:path}/passages", response_model=SourcePassagesOut, responses=ERROR_RESPONSES)
def source_passages(source_id: Annotated[str, Path()], engine: EngineDep) -> SourcePassagesOut:
    source = engine.source(source_id)
    return SourcePassagesOut(source_id=source_id,
                             passages=[passage_out(p, source) for p in engine.source_passages(source_id)])


@router.get("/sources/{source_id:path}", response_model=SourceOut, responses=ERROR_RESPONSES)
def source(source_id: Annotated[str, Path()], engine: EngineDep) -> SourceOut:
    s = engine.source(source_id)
    return SourceOut(**source_meta(s).model_dump(), text=s.text)
