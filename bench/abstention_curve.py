"""The abstention trade-off on real questions: MEDIQA consumer questions against off-topic ones.

    .venv/bin/python bench/abstention_curve.py --backend onnx-int8

Answerable: the MEDIQA questions with an answer scored >= 2 (every part). Unanswerable: the MEDIQA
questions without one, plus labels/offtopic_questions.jsonl (40 questions a user might type that the
corpus cannot answer: everyday topics, and health-service errands such as opening hours, prices and
bookings), written before any threshold was looked at. Support is what the engine abstains on: the dense
cosine of the question to its nearest passage. Prints, per threshold, the share of unanswerable questions
abstained and of answerable ones answered, and the threshold in force (settings.abstain_below).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from common import CACHE, ROOT, emit, header

SCRIPT = "abstention_curve"
OFFTOPIC = ROOT / "labels" / "offtopic_questions.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="fp32")
    args = parser.parse_args()

    from groundqa.core.settings import Settings
    from groundqa.engine.query import Engine
    from groundqa.eval.mediqa import DEFAULT_MEDIQA, RELEVANT, _load
    from groundqa.eval.run import beir_index

    info = header("abstention trade-off on MEDIQA and off-topic questions")
    everything = _load(DEFAULT_MEDIQA, judged_only=False)
    settings = Settings(encoder_backend=args.backend)
    engine = Engine.load(beir_index(everything, settings, cache=CACHE), cache_size=0)
    answerable = {q: t for q, t in everything.queries.items() if max(everything.qrels[q].values()) >= RELEVANT}
    unanswerable = {q: t for q, t in everything.queries.items() if q not in answerable}
    unanswerable |= {r["id"]: r["question"] for r in map(json.loads, OFFTOPIC.read_text().splitlines()) if r}

    def support(text: str) -> float:
        return engine.answer(text, k=1, mode="dense").support

    yes = np.array([support(t) for t in answerable.values()])
    no = np.array([support(t) for t in unanswerable.values()])
    print(f"answerable {len(yes)}: support min {yes.min():.3f}, 5th pct {np.percentile(yes, 5):.3f}, median "
          f"{np.median(yes):.3f}; unanswerable {len(no)}: median {np.median(no):.3f}, max {no.max():.3f}")
    print("| threshold | unanswerable abstained | answerable answered | balanced accuracy |")
    print("|---|---|---|---|")
    for t in [x / 100 for x in range(20, 61, 2)] + [settings.abstain_below]:
        tn, tp = float((no < t).mean()), float((yes >= t).mean())
        mark = " (setting)" if t == settings.abstain_below else ""
        print(f"| {t:.2f}{mark} | {tn:.3f} | {tp:.3f} | {(tn + tp) / 2:.3f} |")
        emit(SCRIPT, {"threshold": t, "unanswerable_abstained": tn, "answerable_answered": tp,
                      "answerable": len(yes), "unanswerable": len(no), "backend": args.backend,
                      "machine": info["cpu"]})
    engine.close()


if __name__ == "__main__":
    main()
