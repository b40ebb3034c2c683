"""Train the source score (``groundqa train profile``; python -m groundqa_training.profile).

Pages: ../shared/datasets/webcred (Schwarz & Morris, CHI 2011; two-class relabelling by Fernández-Pichel et al.,
ECIR 2021), read through the product's own loader and flagger, so the features are those a user's corpus gets.
Split by site with the flag label set's split (eval.flagset.sample.split_of): ``tune`` sites fit the
logistic regression (the training pool and C chosen by 5-fold cross-validation grouped by site), ``test``
sites are scored once; the figure that matters is the AUC on the test sites' Health pages. Baselines in the
same run: a 30-word commercial lexicon, the publisher kind alone, and the flagged-sentence share alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from groundqa.credibility.profile import FEATURES, evidence_of, page_features
from groundqa.eval import stats
from groundqa.eval.flagset.pages import DATASETS, host_of
from groundqa.eval.flagset.sample import split_of

# 30 words of the selling genre: a simple baseline any profile score must beat.
LEXICON = ("buy order price prices sale discount shipping cart offer offers free guarantee deal deals save shop "
           "subscribe coupon checkout bonus trial cheap lowest bestseller special sponsored ad ads advertisement "
           "call now").split()
_WORD = re.compile(r"[a-z]+")


@dataclass
class PageRow:
    page: str
    site: str
    topic: str
    label: int  # 1 reliable, 0 unreliable
    features: np.ndarray
    lexicon: float
    split: str


def _rows(cache: Path, log=print, topics: tuple[str, ...] | None = None) -> list[PageRow]:
    from groundqa.core.errors import LoadError
    from groundqa.core.records import SourceMeta
    from groundqa.credibility.flag_model import flag_model
    from groundqa.credibility.flags import judge_document
    from groundqa.ingest.loaders import load_file

    model = flag_model()
    root = DATASETS / "webcred"
    out: list[PageRow] = []
    cache.mkdir(parents=True, exist_ok=True)
    with open(root / "labels.tsv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t")
                if r["cached_page"] and (topics is None or r["topic"] in topics)]
    began = time.time()
    for n, r in enumerate(rows, 1):
        path = root / r["cached_page"]
        if not path.is_file() or path.suffix.lower() not in (".html", ".htm", ".shtml", ".stm"):
            continue
        data = path.read_bytes()
        key = hashlib.sha256(data + model.version.encode() + "\x00".join(FEATURES).encode()).hexdigest()[:16]
        cached = cache / f"{key}.json"
        if cached.is_file():
            item = json.loads(cached.read_text(encoding="utf-8"))
        else:
            try:
                # .shtml and .stm pages are HTML too: read them as such
                docs, _ = load_file(path.with_suffix(".html"), source_id="page", data=data)
            except LoadError:
                continue
            doc = docs[0]
            meta = SourceMeta(url=r["url"], title=doc.title)
            judged = judge_document(doc.text, meta, zones=doc.zones, model=model)
            row, _, _, _ = page_features(doc, meta, evidence_of(doc, judged, []))
            words = _WORD.findall(doc.text.lower())
            lexicon = sum(1 for w in words if w in LEXICON) / max(len(words), 1) * 1000
            item = {"features": row.tolist(), "lexicon": lexicon}
            cached.write_text(json.dumps(item), encoding="utf-8")
        site = host_of(r["url"])
        out.append(PageRow(r["cached_page"], site, r["topic"], int(r["label"] == "reliable"),
                           np.array(item["features"]), float(item["lexicon"]), split_of(site)))
        if n % 50 == 0:
            log(f"{n}/{len(rows)} pages ({time.time() - began:.0f}s)")
    return out


def bootstrap_auc(y: np.ndarray, score: np.ndarray, n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Percentile 95% interval of the AUC over resampled pages (a resample holding one class only is skipped)."""
    return stats.interval(stats.bootstrap(lambda idx: stats.roc_auc(y[idx], score[idx]), len(y), samples=n,
                                          seed=seed))


def train(out: Path, cache: Path, *, topics: tuple[str, ...] | None = ("Health",), log=print) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    rows = _rows(cache, log, topics)
    tune = [r for r in rows if r.split == "tune"]
    test = [r for r in rows if r.split == "test"]
    pools = {"health only": [r for r in tune if r.topic == "Health"]}
    if topics is None:  # every topic read: the wider pool competes in cross-validation
        pools["all topics"] = tune
    best = None
    cv: dict[str, float] = {}
    for pool_name, pool in pools.items():
        x = np.vstack([r.features for r in pool])
        y = np.array([r.label for r in pool])
        groups = [r.site for r in pool]
        health = np.array([r.topic == "Health" for r in pool])
        for c in (0.03, 0.1, 0.3, 1.0, 3.0):
            scores = np.zeros(len(pool))
            for fit, held in GroupKFold(5).split(x, y, groups):
                mean, scale = x[fit].mean(0), x[fit].std(0) + 1e-6
                model = LogisticRegression(C=c, max_iter=5000).fit((x[fit] - mean) / scale, y[fit])
                scores[held] = model.predict_proba((x[held] - mean) / scale)[:, 1]
            auc = stats.roc_auc(y[health], scores[health])  # the health pages of the pool, out of fold
            cv[f"{pool_name} C={c}"] = round(auc, 4)
            log(f"cv {pool_name:12} C={c:<5} health AUC {auc:.4f}")
            if best is None or auc > best[0] + 1e-9:
                best = (auc, pool_name, c)
    _, pool_name, c = best
    pool = pools[pool_name]
    x = np.vstack([r.features for r in pool])
    mean, scale = x.mean(0), x.std(0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, np.array([r.label for r in pool]))
    report: dict = {"pool": pool_name, "c": c, "cv_health_auc": cv, "pages": {"tune": len(tune), "test": len(test)}}
    subsets = [("test health", [r for r in test if r.topic == "Health"])]
    if topics is None:
        subsets.append(("test all topics", test))
    for name, subset in subsets:
        y = np.array([r.label for r in subset])
        xs = (np.vstack([r.features for r in subset]) - mean) / scale
        scores = {
            "profile score": model.predict_proba(xs)[:, 1],
            "30-word commercial lexicon": -np.array([r.lexicon for r in subset]),
            "publisher kind only": np.array([r.features[FEATURES.index("publisher:government")] * 2 +
                                             r.features[FEATURES.index("publisher:academic")] * 2 +
                                             r.features[FEATURES.index("publisher:nonprofit")] -
                                             r.features[FEATURES.index("publisher:commercial")] for r in subset]),
            "flagged share only": -np.array([r.features[FEATURES.index("commercial share")] +
                                             r.features[FEATURES.index("unverified share")] for r in subset]),
        }
        report[name] = {"pages": len(subset), "unreliable": int((y == 0).sum())}
        for label, s in scores.items():
            low, high = bootstrap_auc(y, s)
            report[name][label] = {"auc": round(stats.roc_auc(y, s), 4), "ci95": [round(low, 3), round(high, 3)]}
            log(f"{name:16} {label:28} AUC {report[name][label]}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "score.json").write_text(json.dumps({
        "features": list(FEATURES), "weights": model.coef_.ravel().round(6).tolist(),
        "intercept": round(float(model.intercept_[0]), 6), "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist()}, indent=1) + "\n", encoding="utf-8")
    (out / "training.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report
