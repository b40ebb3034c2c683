"""The claim verifier: calibrated probabilities that a cited text supports, refutes or is neutral to a claim.

A cross-encoder fine-tuned from the bundled all-MiniLM-L6-v2 weights (models/verifier, its card says how),
run on the CPU. Its logits are temperature-scaled (calibration on HealthVer ``calib`` claims) and the verdict
follows from the calibrated probabilities with thresholds chosen on that same split. The shipped model is
only what fine-tuning changed (the transformer layers and the head, fp16); the embedding layer is read from
the bundled base model, so the repository stays small and installs offline.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from groundqa.credibility.aggregate import Aggregator

LABELS = ("supports", "refutes", "neither")
# GROUNDQA_VERIFIER_DIR: another verifier (a folder laid out like models/verifier), e.g. to compare two in eval
MODEL_DIR = Path(os.environ.get("GROUNDQA_VERIFIER_DIR") or Path(__file__).resolve().parents[1] / "models" / "verifier")
_lock = threading.Lock()


@dataclass(frozen=True)
class Calibration:
    """Temperature for the logits, per-class log-prior shifts, and the verdict thresholds."""

    temperature: float = 1.0
    shift: tuple[float, float, float] = (0.0, 0.0, 0.0)
    supported: float = 0.0  # p(supports) at or above: "supported"; below, when supports wins: "partly supported"
    not_supported: float = 0.8  # p(neither) at or above: "not supported"; below, when neither wins: "unclear"

    @classmethod
    def read(cls, path: Path) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(float(data["temperature"]), tuple(data["shift"]), float(data["supported"]),
                   float(data["not_supported"]))

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        z = logits / self.temperature
        z = z - z.max(axis=-1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=-1, keepdims=True)

    def decide(self, probabilities: np.ndarray) -> int:
        """The class index the verdict is about: the largest shifted log-probability."""
        return int(np.argmax(np.log(np.clip(probabilities, 1e-12, 1.0)) + np.array(self.shift)))

    def verdict(self, probabilities: np.ndarray) -> str:
        label = LABELS[self.decide(probabilities)]
        if label == "supports":
            return "supported" if probabilities[0] >= self.supported else "partly supported"
        if label == "refutes":
            return "contradicted"
        return "not supported" if probabilities[2] >= self.not_supported else "unclear"


class Verifier:
    """Loads the cross-encoder once; ``logits`` and ``probabilities`` take (claim, evidence) pairs."""

    def __init__(self, model_dir: Path = MODEL_DIR, *, threads: int = 2, max_length: int = 128) -> None:
        import torch

        self.model_dir = model_dir
        self.max_length = max_length
        self.threads = threads
        self.model, self.tokenizer = _load(model_dir)
        self.calibration = Calibration.read(model_dir / "calibration.json")
        self.aggregator = Aggregator.read(model_dir / "aggregate.json")  # window judgements -> the claim's
        self._torch = torch
        self._run_lock = threading.Lock()

    def logits(self, pairs: Sequence[tuple[str, str]], *, batch_size: int = 32) -> np.ndarray:
        if not pairs:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        torch = self._torch
        out = []
        with self._run_lock, torch.inference_mode():
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads)
            try:
                for i in range(0, len(pairs), batch_size):
                    chunk = pairs[i:i + batch_size]
                    out.append(self.model(**self._encode(chunk)).logits.float().numpy())
            finally:
                torch.set_num_threads(previous)
        return np.vstack(out)

    def _encode(self, chunk: Sequence[tuple[str, str]]):  # type: ignore[no-untyped-def]
        """Token ids of a batch: the evidence is cut to fit; a claim too long to leave it room is cut as well
        (the verifier's inputs are short claims, but compare reads whole sentences both ways)."""
        claims, evidence = [c for c, _ in chunk], [e for _, e in chunk]
        try:
            return self.tokenizer(claims, evidence, truncation="only_second", max_length=self.max_length,
                                  padding=True, return_tensors="pt")
        except Exception:  # tokenizers: "Sequence to truncate too short to respect the provided max_length"
            return self.tokenizer(claims, evidence, truncation="longest_first", max_length=self.max_length,
                                  padding=True, return_tensors="pt")

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.calibration.probabilities(self.logits(pairs))


def _load(model_dir: Path):  # type: ignore[no-untyped-def]
    """The bundled base model with the shipped fine-tuned layers and head laid over it."""
    from groundqa.core.encoder import resolve_model
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    if not (model_dir / "delta.safetensors").is_file():
        raise FileNotFoundError(f"no verifier model in {model_dir}; retrain it with `groundqa train verifier` "
                                "(see models/verifier/MODEL_CARD.md)")
    from transformers.utils import logging as hf_logging

    base = resolve_model("bundled")[1]
    config = AutoConfig.from_pretrained(model_dir)
    delta = {k: v.float() for k, v in load_file(str(model_dir / "delta.safetensors")).items()}
    head = {"classifier.weight", "classifier.bias"}
    if not head <= set(delta):
        raise ValueError(f"{model_dir}/delta.safetensors has no classification head; retrain the verifier")
    # The base checkpoint has no head, so transformers would report it "newly initialized ... consider training";
    # the shipped head is laid over it on the next line, so that report would be wrong and is not shown.
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(base, config=config)
    finally:
        hf_logging.set_verbosity(verbosity)
    missing = set(delta) - set(model.state_dict())
    if missing:
        raise ValueError(f"{model_dir}/delta.safetensors has weights the model lacks: {sorted(missing)[:3]}")
    model.load_state_dict(delta, strict=False)
    model.eval()
    return model, AutoTokenizer.from_pretrained(base)


@lru_cache(maxsize=4)
def verifier(model_dir: Path = MODEL_DIR) -> Verifier:
    """One verifier per process (the service and the CLI share it)."""
    with _lock:
        return Verifier(model_dir)
