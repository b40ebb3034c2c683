"""Errors of the service side: a request names something that is not there, or asks for what it may not.

They are raised by the engine and the audit and translated only at the edges: HTTP 404/422 in
``service/errors.py``, a usage error or exit code in the CLI. Ingest and index errors live in ``ingest/errors.py``.
"""

from __future__ import annotations

from groundqa.ingest.errors import GroundqaError


class NotFoundError(GroundqaError):
    """An id names no passage or source."""


class InvalidRequestError(GroundqaError):
    """A query or parameter is out of range."""
