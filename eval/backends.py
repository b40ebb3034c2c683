"""Where questions go: the engine in-process, or a running service over HTTP. Both give the same records."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from groundqa.eval.datasets import DatasetError


@dataclass(frozen=True)
class Retrieved:
    passage_id: str
    source_id: str
    start: int
    end: int
    score: float
    flags: frozenset[str] = frozenset()
    best_sentence: tuple[int, int] | None = None  # source offsets of the hit's best sentence, when there is one


@dataclass(frozen=True)
class QueryResult:
    passages: list[Retrieved]
    abstained: bool
    support: float | None
    seconds: float


class Backend(Protocol):
    label: str
    max_k: int

    def query(self, question: str, *, k: int, mode: str, per_source: int | None = None) -> QueryResult: ...
    def source_text(self, source_id: str) -> str | None: ...
    def source_passages(self, source_id: str) -> list[Retrieved]: ...
    def source_ids(self) -> set[str]: ...
    def close(self) -> None: ...


class EngineBackend:
    """The engine in this process: latency is the engine call alone."""

    def __init__(self, engine: Any, *, label: str = "in-process", max_k: int = 100) -> None:
        self.engine, self.label, self.max_k = engine, label, max_k

    @classmethod
    def load(cls, index_dir: Path, settings: Any, encoder: Any = None) -> EngineBackend:
        from groundqa.engine.query import Engine
        from groundqa.engine.ranking import from_settings as rank_settings

        engine = Engine.load(index_dir, model=settings.model, encoder=encoder, batch_size=settings.batch_size,
                             rank=rank_settings(settings),
                             abstain_below=settings.abstain_below)
        return cls(engine, label=f"in-process ({index_dir})", max_k=settings.max_k)

    def query(self, question: str, *, k: int, mode: str, per_source: int | None = None) -> QueryResult:
        began = time.perf_counter()
        answer = self.engine.answer(question, k=k, mode=mode, per_source=per_source)
        seconds = time.perf_counter() - began
        return QueryResult([_from_passage(h.passage, h.score, h.best_sentence) for h in answer.hits],
                           answer.abstained, answer.support, seconds)

    def source_text(self, source_id: str) -> str | None:
        from groundqa.core.errors import NotFoundError

        try:
            return self.engine.source(source_id).text
        except NotFoundError:
            return None

    def source_passages(self, source_id: str) -> list[Retrieved]:
        return [_from_passage(p, 0.0) for p in self.engine.source_passages(source_id)]

    def source_ids(self) -> set[str]:
        return {s.source_id for s in self.engine.sources()}

    def close(self) -> None:
        self.engine.close()


def _from_passage(p: Any, score: float, best: Any = None) -> Retrieved:
    return Retrieved(p.passage_id, p.source_id, p.start, p.end, float(score), frozenset(f.kind for f in p.flags),
                     None if best is None else (best.start, best.end))


class HttpBackend:
    """A running groundqa service: latency is the full HTTP round trip on this machine."""

    def __init__(self, url: str, *, timeout: float = 60.0, max_k: int = 100) -> None:
        import httpx

        self.label = url
        self.max_k = max_k
        self._client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        try:
            self._client.get("/healthz").raise_for_status()
        except httpx.HTTPError as exc:
            raise DatasetError(f"no groundqa service answers at {url} ({exc}); start one with "
                               "`groundqa serve` or drop --url to evaluate in-process") from exc

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        for _ in range(50):
            response = self._client.request(method, path, **kwargs)
            if response.status_code != 429:  # the service rate-limits /v1; wait as told and retry
                return response
            time.sleep(float(response.headers.get("retry-after", "0.2") or 0.2))
        return response

    def query(self, question: str, *, k: int, mode: str, per_source: int | None = None) -> QueryResult:
        began = time.perf_counter()
        body = {"question": question, "k": k, "mode": mode}
        if per_source is not None:
            body["per_source"] = per_source
        response = self._request("POST", "/v1/query", json=body)
        seconds = time.perf_counter() - began
        if response.status_code != 200:
            raise DatasetError(f"{self.label} answered {response.status_code} to a query: {response.text[:300]}")
        body = response.json()
        return QueryResult([_from_json(p) for p in body["passages"]], bool(body.get("abstained", False)),
                           body.get("support"), seconds)

    def source_text(self, source_id: str) -> str | None:
        response = self._request("GET", f"/v1/sources/{source_id}")
        return response.json()["text"] if response.status_code == 200 else None

    def _pages(self, path: str, key: str) -> list[dict] | None:
        """Every item of a paged list route (offset/limit, next_offset); None when the route answers an error."""
        items: list[dict] = []
        offset: int | None = 0
        while offset is not None:
            response = self._request("GET", path, params={"offset": offset, "limit": 1000})
            if response.status_code != 200:
                return None
            body = response.json()
            items += body[key]
            offset = body.get("next_offset")
        return items

    def source_passages(self, source_id: str) -> list[Retrieved]:
        return [_from_json(p) for p in self._pages(f"/v1/sources/{source_id}/passages", "passages") or []]

    def source_ids(self) -> set[str]:
        return {s["source_id"] for s in self._pages("/v1/sources", "sources") or []}

    def close(self) -> None:
        self._client.close()


def _from_json(p: dict) -> Retrieved:
    best = p.get("best_sentence")
    return Retrieved(p["passage_id"], p["source_id"], p["start"], p["end"], float(p.get("score") or 0.0),
                     frozenset(f["kind"] for f in p.get("flags", [])),
                     None if not best else (best["start"], best["end"]))
