"""Calibrate the abstention threshold from `groundqa eval` per-query outputs.

    .venv/bin/python bench/abstention_calibration.py bench/out/seed/per_query.dense.jsonl \
        --check bench/out/medquad-s3000/per_query.dense.jsonl

The support (dense cosine of the question to its nearest passage) is the same in every mode, so any
mode's per-query file will do. For each threshold the table gives the share of unanswerable questions
that abstain, of answerable ones that do not, and of the check set's (all answerable) that do not.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("calibration", type=Path, help="per_query.<mode>.jsonl of a set with unanswerable questions")
    parser.add_argument("--check", type=Path, action="append", default=[], help="per_query file of answerable sets")
    args = parser.parse_args()
    cal = rows(args.calibration)
    checks = {p.parent.name: [r["support"] for r in rows(p)] for p in args.check}
    answerable = sorted(r["support"] for r in cal if r.get("answerable", True))
    unanswerable = sorted(r["support"] for r in cal if not r.get("answerable", True))
    print(f"answerable ({len(answerable)}): lowest {', '.join(f'{s:.3f}' for s in answerable[:4])}")
    print(f"unanswerable ({len(unanswerable)}): {', '.join(f'{s:.3f}' for s in unanswerable)}")
    head = "| threshold | unanswerable abstained | answerable answered | balanced |" + "".join(
        f" {name} answered |" for name in checks)
    print(head)
    print("|" + "---|" * (4 + len(checks)))
    for t in [x / 100 for x in range(20, 56, 3)]:
        tn = sum(s < t for s in unanswerable) / max(1, len(unanswerable))
        tp = sum(s >= t for s in answerable) / max(1, len(answerable))
        extra = "".join(f" {sum(s >= t for s in v) / len(v):.3f} |" for v in checks.values())
        print(f"| {t:.2f} | {tn:.3f} | {tp:.3f} | {(tn + tp) / 2:.3f} |{extra}")


if __name__ == "__main__":
    main()
