"""Labelled claim/evidence pairs: the shared claims datasets, any user's JSONL or CSV, and the fixed split.

The verifier is trained and tuned on ``train``/``calib`` and reported on ``test``, which nothing is ever fitted
or tuned on. Pairs are split by group, never by row: a HealthVer claim, a COVID-Fact source article (a true
claim and its word-swapped counter-claims share it) or a SciFact file. The split is pinned in
``labels/claims_split.json`` (group hashes), committed before any model was trained.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from groundqa.core.paths import REPO_ROOT, datasets_dir, labels_dir

ROOT = REPO_ROOT
CLAIMS = datasets_dir() / "claims"
SPLIT_FILE = labels_dir() / "claims_split.json"
LABELS = ("supports", "refutes", "neither")
NOT_SUPPORTS = "not_supports"  # SciFact RTE's not_entailment: refutes or neither, a partial label
CITATIONS = {
    "healthver": "HealthVer dev (Sarrouti, Ben Abacha, Mrabet, Demner-Fushman, Findings of EMNLP 2021); research use",
    "covidfact": "COVID-Fact (Saakyan, Chakrabarty, Muresan, ACL 2021); research use",
    "scifact": "SciFact (Wadden et al., EMNLP 2020) as RTE pairs from the COVID-Fact repository; CC BY-NC 2.0",
}
_HEALTHVER = {"Supports": "supports", "Refutes": "refutes", "Neutral": "neither"}
_COVIDFACT = {"SUPPORTED": "supports", "REFUTED": "refutes"}
_SCIFACT = {"entailment": "supports", "not_entailment": NOT_SUPPORTS}


class ClaimsDataError(ValueError):
    """A claims file is missing, malformed or uses labels that were not mapped."""


@dataclass(frozen=True)
class ClaimPair:
    pair_id: str
    claim: str
    evidence: str
    label: str  # one of LABELS, or NOT_SUPPORTS
    group: str  # the unit of the split
    dataset: str

    @property
    def split(self) -> str:
        return split_of(self.dataset, self.group)


def group_hash(group: str) -> str:
    return hashlib.sha1(group.encode("utf-8")).hexdigest()[:12]


def _hash_split(group: str) -> str:
    digest = hashlib.sha1(group.encode("utf-8")).hexdigest()
    if int(digest[:2], 16) < 0x60:  # 37.5% of groups: measured on only
        return "test"
    return "calib" if int(digest[2:4], 16) < 0x40 else "train"  # a quarter of the rest: thresholds, calibration


_PINNED: dict[str, dict[str, str]] | None = None


def split_of(dataset: str, group: str) -> str:
    """``test``, ``calib`` or ``train``: the pinned split where the group is listed, else by its hash."""
    global _PINNED
    if _PINNED is None:
        _PINNED = {}
        if SPLIT_FILE.is_file():
            for name, parts in json.loads(SPLIT_FILE.read_text(encoding="utf-8"))["groups"].items():
                _PINNED[name] = {h: part for part, hashes in parts.items() for h in hashes}
    pinned = _PINNED.get(dataset, {}).get(group_hash(group))
    return pinned or _hash_split(group)


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def healthver(path: Path | None = None) -> list[ClaimPair]:
    path = path or CLAIMS / "healthver_dev.csv"
    with open(_exists(path), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [ClaimPair(f"healthver:{r['id']}", r["claim"].strip(), r["evidence"].strip(), _HEALTHVER[r["label"]],
                      _fold(r["claim"]), "healthver") for r in rows]


def covidfact(path: Path | None = None) -> list[ClaimPair]:
    path = path or CLAIMS / "covidfact.jsonl"
    out = []
    with open(_exists(path), encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            r = json.loads(line)
            out.append(ClaimPair(f"covidfact:{i}", r["claim"].strip(), " ".join(s.strip() for s in r["evidence"]),
                                 _COVIDFACT[r["label"]], r["gold_source"], "covidfact"))
    return out


def scifact(folder: Path | None = None) -> list[ClaimPair]:
    """SciFact RTE pairs; ``train.tsv`` groups are tuned on, ``dev.tsv`` is the test part."""
    folder = folder or CLAIMS / "scifact_rte"
    out = []
    for part in ("train", "dev"):
        with open(_exists(folder / f"{part}.tsv"), encoding="utf-8", newline="") as handle:
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                out.append(ClaimPair(f"scifact:{part}:{r['index']}", r["sentence2"].strip(), r["sentence1"].strip(),
                                     _SCIFACT[r["entailment"]], f"{part}:{_fold(r['sentence2'])}", "scifact"))
    return out


BUILTIN = {"healthver": healthver, "covidfact": covidfact, "scifact": scifact}


def _exists(path: Path) -> Path:
    if not path.is_file():
        raise ClaimsDataError(f"{path} not found; the claims datasets are read from ../shared/datasets/claims "
                              "(see its README), or give a JSONL/CSV file of your own")
    return path


def parse_label_map(spec: str | None) -> dict[str, str]:
    """``"Supports=supports,Refutes=refutes,Neutral=neither"`` -> a mapping; labels already named as ours pass."""
    mapping = {x: x for x in LABELS}
    for item in filter(None, (s.strip() for s in (spec or "").split(","))):
        name, sep, ours = item.partition("=")
        if not sep or ours.strip() not in LABELS:
            raise ClaimsDataError(f"label map entry {item!r} must read NAME=LABEL with LABEL one of "
                                  f"{', '.join(LABELS)}")
        mapping[name.strip()] = ours.strip()
    return mapping


def read_claims_file(path: Path, *, label_map: dict[str, str], claim_field: str = "claim",
                     evidence_field: str = "evidence", label_field: str = "label",
                     id_field: str = "id") -> list[ClaimPair]:
    """Rows of a user's JSONL or CSV file; every label must be mapped (``--label-map``)."""
    _exists(path)
    if path.suffix.lower() in (".jsonl", ".json"):
        rows = []
        with open(path, encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ClaimsDataError(f"{path}:{n}: not a JSON object ({exc.msg})") from exc
    else:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ","))
    out = []
    for n, row in enumerate(rows, 1):
        missing = [f for f in (claim_field, evidence_field, label_field) if not str(row.get(f) or "").strip()]
        if missing:
            raise ClaimsDataError(f"{path} row {n}: no {', '.join(missing)}; name the columns with --claim-field, "
                                  "--evidence-field and --label-field")
        evidence = row[evidence_field]
        evidence = " ".join(evidence) if isinstance(evidence, list) else str(evidence)
        raw = str(row[label_field]).strip()
        if raw not in label_map:
            raise ClaimsDataError(f"{path} row {n}: label {raw!r} is not mapped; pass --label-map "
                                  f"'{raw}=supports|refutes|neither'")
        out.append(ClaimPair(str(row.get(id_field) or n), str(row[claim_field]).strip(), evidence.strip(),
                             label_map[raw], _fold(str(row[claim_field])), path.stem))
    return out


def pin_split() -> dict:
    """Write ``labels/claims_split.json`` from the hash split (run once, before any training)."""
    groups: dict[str, dict[str, list[str]]] = {}
    counts: dict[str, dict[str, int]] = {}
    for name, reader in BUILTIN.items():
        parts: dict[str, set[str]] = {"train": set(), "calib": set(), "test": set()}
        pairs = reader()
        for p in pairs:
            part = "test" if p.group.startswith("dev:") else ("train" if p.group.startswith("train:") and
                                                               _hash_split(p.group) == "test" else _hash_split(p.group))
            parts[part].add(group_hash(p.group))
        groups[name] = {k: sorted(v) for k, v in parts.items()}
        lookup = {h: k for k, v in parts.items() for h in v}
        counts[name] = {k: sum(1 for p in pairs if lookup[group_hash(p.group)] == k) for k in parts}
    data = {"note": "claims split pinned before any verifier training; test groups are never fitted or tuned on",
            "counts": counts, "groups": groups}
    SPLIT_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return counts




_WORD = re.compile(r"[a-z0-9][a-z0-9-]+")
_STOP = frozenset("the a an of and or in on to for with by is are was were be been that this these those it its as at "
                  "from not no can may will has have had do does did than which who what how".split())


def content_words(text: str) -> set[str]:
    """Lower-cased words of a text, stopwords left out (claim/evidence word overlap)."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def evidence_window(claim: str, evidence: str, *, max_words: int = 90) -> str:
    """Long evidence cut to the sentences sharing most words with the claim, kept in their order."""
    if len(evidence.split()) <= max_words:
        return evidence
    from groundqa.core.sentences import split_sentences

    spans = [evidence[s.start:s.end] for s in split_sentences(evidence)]
    claim_words = content_words(claim)
    ranked = sorted(range(len(spans)), key=lambda i: -len(claim_words & content_words(spans[i])))
    keep, total = set(), 0
    for i in ranked:
        n = len(spans[i].split())
        if keep and total + n > max_words:
            continue
        keep.add(i)
        total += n
    return " ".join(spans[i] for i in sorted(keep))


if __name__ == "__main__":  # python -m groundqa.eval.claims: pin the split
    print(json.dumps(pin_split(), indent=1))  # noqa: T201
