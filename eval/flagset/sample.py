"""Draw the sentences to label from real pages, with a fixed split by site (python -m eval.flagset.sample).

Per page a few sentences matching a broad net of selling and claim words (so that positives are not rare)
and a few drawn at random (so that ordinary text is there too); both are marked in ``selection``. Sites,
not sentences, are split into ``tune`` and ``test``: a site's chrome repeats on all its pages, and a
classifier must not be measured on a site it was tuned on.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from groundqa.core.paths import labels_dir
from groundqa.eval.flagset.pages import (
    EXTRACTOR,
    Page,
    SentenceRow,
    medquad_pages,
    readability_pages,
    seed_pages,
    sentence_sha,
    sentences,
    webcred_pages,
)

ROWS = labels_dir() / "flagset" / "rows.jsonl"
EXTRA_ROWS = labels_dir() / "flagset" / "rows_extra.jsonl"  # a second draw, from tune sites only
EXTRA2_ROWS = labels_dir() / "flagset" / "rows_extra2.jsonl"  # a third draw, from tune sites only
SEED = 20261130
TEST_SHARE = 6  # sites whose SHA-1 starts with a hex digit below this (6/16, 37.5%) are test-only

# A generic net over the genre's vocabulary (selling, contact, claims, figures); no page's own phrases.
NET = re.compile(
    r"[$€£]\s?\d|\b\d+(\.\d+)?\s?(%|percent)|\b(price|prices|cost|costs|fee|fees|discount|save|free|offer|deal|"
    r"order|buy|shop|cart|shipping|call|phone|contact|e-?mail|book|appointment|consult\w*|subscribe|sign up|"
    r"register|join|our|we|us|best|leading|top|guarantee\w*|money.back|proven|clinically|cure[sd]?|heal\w*|"
    r"miracle|natural|safe|safely|side effects|effective\w*|results?|success\w*|survival|recover\w*|"
    r"lose|weight|testimonial\w*|studies|research|trial|risk|doctor|specialists?|treat\w*)\b",
    re.IGNORECASE)


def split_of(site: str) -> str:
    return "test" if int(hashlib.sha1(site.encode("utf-8")).hexdigest()[0], 16) < TEST_SHARE else "tune"


def pick(rows: list[SentenceRow], page: Page, *, net: int, rand: int, rng: random.Random,
         seen: set[str]) -> list[tuple[SentenceRow, str]]:
    """Up to ``net`` net-matching and ``rand`` other sentences of a page, never a text already taken on the site."""
    fresh = []
    for r in rows:
        key = page.site + "\x00" + " ".join(page.text[r.start:r.end].lower().split())
        if key not in seen:
            seen.add(key)
            fresh.append(r)
    matching = [r for r in fresh if NET.search(page.text[r.start:r.end])]
    rng.shuffle(matching)
    chosen = [(r, "net") for r in matching[:net]]
    taken = {r.start for r, _ in chosen}
    rest = [r for r in fresh if r.start not in taken]
    rng.shuffle(rest)
    chosen += [(r, "random") for r in rest[:rand]]
    return sorted(chosen, key=lambda x: x[0].start)


def main() -> None:
    rng = random.Random(SEED)
    out: list[dict] = []
    seen: set[str] = set()

    def add(page: Page, net: int, rand: int) -> None:
        for r, how in pick(sentences(page), page, net=net, rand=rand, rng=rng, seen=seen):
            out.append({"id": r.row_id, "origin": r.origin, "page": r.page, "site": r.site, "start": r.start,
                        "end": r.end, "sha": sentence_sha(page.text[r.start:r.end]), "zone": r.zone,
                        "selection": how, "split": split_of(r.site), "topic": page.topic, "rating": page.rating,
                        "extractor": EXTRACTOR})

    webcred = list(webcred_pages())
    others = [p for p in webcred if p.topic != "Health"]
    other_keep = {p.page for p in others if p.rating == "unreliable"}
    reliable_others = sorted(p.page for p in others if p.rating == "reliable")
    other_keep |= set(rng.sample(reliable_others, 70))
    for page in webcred:
        if page.topic == "Health":
            add(page, 8, 6)
        elif page.page in other_keep:
            add(page, 3, 2)
    for page in readability_pages():
        add(page, 2, 2)
    mq = list(medquad_pages())
    rng.shuffle(mq)
    for page in mq[:110]:
        add(page, 0, 1)
    for page in mq[110:400]:
        if len([r for r in out if r["origin"] == "medquad"]) >= 240:
            break
        add(page, 1, 0)
    for page in seed_pages():
        add(page, 10_000, 10_000)
    ROWS.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    by = defaultdict(int)
    for r in out:
        by[(r["origin"], r["split"])] += 1
    print(len(out), dict(by))  # noqa: T201


def extra(per_page: int = 8, total: int = 1500, *, seed: int = SEED + 1, target: Path = EXTRA_ROWS,
          before: tuple[Path, ...] = (ROWS,), rand: int = 1) -> None:
    """More training rows: net-matching sentences of ``tune`` sites not drawn before (positives are rare)."""
    rng = random.Random(seed)
    taken = {json.loads(line)["id"] for path in before for line in path.read_text(encoding="utf-8").splitlines()}
    out: list[dict] = []
    seen: set[str] = set()
    pages = [p for p in webcred_pages() if split_of(p.site) == "tune" and (p.topic == "Health" or p.rating ==
                                                                          "unreliable")]
    pages += [p for p in readability_pages() if split_of(p.site) == "tune"]
    rng.shuffle(pages)
    for page in pages:
        rows = [r for r in sentences(page) if r.row_id not in taken]
        for r, how in pick(rows, page, net=per_page, rand=rand, rng=rng, seen=seen):
            out.append({"id": r.row_id, "origin": r.origin, "page": r.page, "site": r.site, "start": r.start,
                        "end": r.end, "sha": sentence_sha(page.text[r.start:r.end]), "zone": r.zone,
                        "selection": how, "split": "tune", "topic": page.topic, "rating": page.rating,
                        "extractor": EXTRACTOR})
        if len(out) >= total:
            break
    target.write_text("".join(json.dumps(r) + "\n" for r in out), encoding="utf-8")
    print(len(out))  # noqa: T201


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--extra"]:
        extra()
    elif sys.argv[1:] == ["--extra2"]:
        extra(8, 2400, seed=SEED + 2, target=EXTRA2_ROWS, before=(ROWS, EXTRA_ROWS), rand=3)
    else:
        main()
