"""Which format an HTTP client gets: the ``format`` query parameter if given, else its ``Accept`` header.

JSON is the default (also for ``*/*`` and a missing header); an Accept header that names only formats the
route cannot write gets 406 with the list of those it can.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException


def _accepted(header: str) -> list[str]:
    """Media types of an Accept header, best first (by q, then by order)."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    quality = float(f[2:])
                except ValueError:
                    quality = 0.0
        if fields[0] and quality > 0:
            ranked.append((-quality, position, fields[0].lower()))
    return [media for _, _, media in sorted(ranked)]


def pick_format(request: Request, fmt: str | None, formats: dict[str, str]) -> str:
    """The format to answer in; ``formats`` maps names to media types (with 'json' among them)."""
    if fmt is not None:
        return fmt
    header = request.headers.get("accept", "")
    if not header.strip():
        return "json"
    by_media = {media.split(";")[0]: name for name, media in formats.items()}
    for media in _accepted(header):
        if media in by_media:
            return by_media[media]
        if media in ("*/*", "application/*"):
            return "json"
    offered = ", ".join(f"{m.split(';')[0]} (format={n})" for n, m in formats.items())
    raise HTTPException(406, f"cannot answer in {header!r}; this route writes {offered}: set Accept to one of "
                             "them or pass ?format=")


def formatted(body: str, fmt: str, formats: dict[str, str], *, filename: str) -> Response:
    """A non-JSON answer, named so a browser saves it as a file with the right extension."""
    extension = {"md": "md", "csv": "csv", "csl": "json", "ris": "ris", "bibtex": "bib", "html": "html"}[fmt]
    headers = {} if fmt == "html" else {"Content-Disposition": f'inline; filename="{filename}.{extension}"'}
    return Response(body, media_type=formats[fmt], headers=headers)


def format_responses(formats: dict[str, str]) -> dict[int | str, dict]:
    """OpenAPI: every media type the route can answer with, JSON by its model."""
    content = {}
    for name, media in formats.items():
        if name != "json":
            media = media.split(";")[0]
            # CSL-JSON is a JSON array of items; the other exports are text
            content[media] = {"schema": {"type": "array", "items": {"type": "object"}} if media.endswith("+json")
                              else {"type": "string"}}
    return {200: {"content": content, "description": "The result, in the format asked for (JSON by default)."},
            406: {"description": "The Accept header names no format this route writes."}}
