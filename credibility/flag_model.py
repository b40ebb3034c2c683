"""Load and run the shipped flag classifier (models/flags): probabilities per kind for judged sentences.

``classifier.json`` names, per kind, the feature set, the decision threshold and the model: a logistic
regression stored as sparse weights (``<kind>.npz``, no pickles), optionally stacked with a fine-tuned
MiniLM sentence classifier (``encoder/``: the changed layers over the bundled base weights).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from groundqa.core.records import KINDS
from groundqa.credibility.flag_features import PageSignals, SentenceInput, featurise

Embed = Callable[[list[str]], np.ndarray]
MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "flags"
_lock = threading.Lock()


class FlagModel:
    def __init__(self, model_dir: Path = MODEL_DIR) -> None:
        meta_path = model_dir / "classifier.json"
        if not meta_path.is_file():
            raise FileNotFoundError(f"no flag classifier in {model_dir}; retrain it with `groundqa train flags` "
                                    "(see models/flags/MODEL_CARD.md)")
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        self.thresholds = {k: float(self.meta[k]["threshold"]) for k in KINDS}
        self._weights: dict[str, tuple[np.ndarray, float]] = {}
        digest = hashlib.sha256(meta_path.read_bytes())
        for kind in KINDS:
            data = np.load(model_dir / f"{kind}.npz", allow_pickle=False)
            coef = np.zeros(int(data["size"][0]), dtype=np.float32)
            coef[data["index"]] = data["value"]
            self._weights[kind] = (coef, float(data["intercept"][0]))
            digest.update((model_dir / f"{kind}.npz").read_bytes())
        self.version = "flags-" + digest.hexdigest()[:12]
        self._needs_embeddings = any("embedding" in self.meta[k]["variant"] for k in KINDS)
        self._encoder = None

    @property
    def needs_embeddings(self) -> bool:
        return self._needs_embeddings

    @staticmethod
    def reads_vectors_of(model_name: str) -> bool:
        """Whether vectors made by ``model_name`` are the ones the classifier was fitted on (the bundled MiniLM,
        whatever its backend): then ingest hands over the sentence vectors it made, and nothing is embedded twice."""
        from groundqa.core.encoder import BUNDLED_NAME

        return model_name == BUNDLED_NAME

    def _embeddings(self, items: Sequence[SentenceInput], embed: Embed | None) -> np.ndarray | None:
        if not self._needs_embeddings:
            return None
        texts = [i.text for i in items]
        if embed is not None:
            return embed(texts)
        if self._encoder is None:
            from groundqa.core.encoder import Encoder

            self._encoder = Encoder("bundled")
        return self._encoder.encode(texts)

    def probabilities(self, items: Sequence[SentenceInput], pages: Sequence[PageSignals], *,
                      embed: Embed | None = None) -> np.ndarray:
        """One row per sentence: the probability of each kind, in KINDS order. ``embed`` gives the bundled
        MiniLM's vectors of sentence texts (ingest passes the ones it made); without it the model embeds them."""
        if not items:
            return np.zeros((0, len(KINDS)), dtype=np.float32)
        x = featurise(items, pages, self._embeddings(items, embed))
        out = np.zeros((len(items), len(KINDS)), dtype=np.float32)
        for j, kind in enumerate(KINDS):
            coef, intercept = self._weights[kind]
            z = np.asarray(x @ coef[:x.shape[1]]).ravel() + intercept
            out[:, j] = 1.0 / (1.0 + np.exp(-z))
        return out


@lru_cache(maxsize=2)
def flag_model(model_dir: Path = MODEL_DIR) -> FlagModel:
    with _lock:
        return FlagModel(model_dir)
