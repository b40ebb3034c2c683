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
MAX_PAGE = 1000  # items per page of a list route

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Most items to return (1-{MAX_PAGE}).")]
Offset = Annotated[int, Query(ge=0, description="Items to skip: the previous page's next_offset.")]


def _page(total: int, offset: int, limit: int) -> dict[str, int | None]:
    return {"total": total, "offset": offset, "limit": limit,
            "next_offset": offset + limit if offset + limit < total else None}

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


@router.get("/sources", response_model=SourceListOut, responses=ERROR_RESPONSES)
def sources(engine: EngineDep, limit: Limit = 100, offset: Offset = 0) -> SourceListOut:
    """The ingested sources, by id, a page at a time."""
    everything = engine.sources()
    return SourceListOut(sources=[source_meta(s) for s in everything[offset:offset + limit]],
                         **_page(len(everything), offset, limit))


@router.get("/sources/{source_id:path}/passages", response_model=SourcePassagesOut, responses=ERROR_RESPONSES)
def source_passages(source_id: Annotated[str, Path()], engine: EngineDep, limit: Limit = 100,
                    offset: Offset = 0) -> SourcePassagesOut:
    """A source's passages in reading order, a page at a time."""
    source = engine.source(source_id)
    everything = engine.source_passages(source_id)
    return SourcePassagesOut(source_id=source_id,
                             passages=[passage_out(p, source) for p in everything[offset:offset + limit]],
                             **_page(len(everything), offset, limit))


@router.get("/sources/{source_id:path}", response_model=SourceOut, responses=ERROR_RESPONSES)
def source(source_id: Annotated[str, Path()], engine: EngineDep) -> SourceOut:
    s = engine.source(source_id)
    return SourceOut(**source_meta(s).model_dump(), text=s.text)
