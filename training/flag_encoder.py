"""Fine-tune the bundled MiniLM as a two-output sentence classifier (commercial, unverified) with its context.

Input: the sentence, paired with a short description of where it sits ("zone chrome; publisher commercial;
page sells 0.3; before: ...; after: ..."). Trained on ``tune`` sites except a fifth held out by site (``dev``),
which chooses the epoch and the thresholds; the ``test`` sites are scored once at the end.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path

import numpy as np
from groundqa.credibility.flag_features import context_text
from groundqa.eval.flagset.data import Labelled, authored_rows, labelled_rows
from groundqa_training.flags import best_threshold

KINDS = ("commercial", "unverified")


def dev_site(site: str) -> bool:
    return int(hashlib.sha1(("dev:" + site).encode()).hexdigest()[:2], 16) < 0x33  # a fifth of the tune sites


def predict(model, tokenizer, rows: list[Labelled], *, max_length: int, batch_size: int = 64) -> np.ndarray:
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(rows), batch_size):
            chunk = rows[i:i + batch_size]
            enc = tokenizer([r.item.text for r in chunk], [context_text(r.item, r.page) for r in chunk],
                            truncation="longest_first", max_length=max_length, padding=True, return_tensors="pt")
            out.append(torch.sigmoid(model(**enc).logits).numpy())
    return np.vstack(out)


def train(out: Path, *, epochs: int = 4, lr: float = 5e-5, batch_size: int = 16, max_length: int = 128,
          trainable_layers: int = 6, seed: int = 13, log=print) -> dict:
    import torch
    from groundqa_training.verifier import bundled_path
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    torch.set_num_threads(2)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    rows = labelled_rows() + authored_rows()
    train_rows = [r for r in rows if r.split == "tune" and not dev_site(r.site)]
    dev_rows = [r for r in rows if r.split == "tune" and dev_site(r.site)]
    test_rows = [r for r in rows if r.split == "test"]
    base = bundled_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2,
                                                               problem_type="multi_label_classification")
    for name, parameter in model.named_parameters():
        layer = next((int(p) for p in name.split(".") if p.isdigit()), None) if ".layer." in name else None
        frozen = name.startswith("bert.embeddings.") or (layer is not None and layer < 6 - trainable_layers)
        parameter.requires_grad = not frozen
    y = torch.tensor([[r.commercial, r.unverified] for r in train_rows], dtype=torch.float32)
    positive_weight = (len(y) - y.sum(0)) / y.sum(0).clamp(min=1)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=positive_weight.sqrt())
    steps = epochs * ((len(train_rows) + batch_size - 1) // batch_size)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimiser, int(0.06 * steps), steps)
    dev_y = np.array([[r.commercial, r.unverified] for r in dev_rows])
    best, history, began = (-1.0, None), [], time.time()
    for epoch in range(epochs):
        model.train()
        order = list(range(len(train_rows)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            chunk = [train_rows[i] for i in batch]
            enc = tokenizer([r.item.text for r in chunk], [context_text(r.item, r.page) for r in chunk],
                            truncation="longest_first", max_length=max_length, padding=True, return_tensors="pt")
            loss = loss_fn(model(**enc).logits, y[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
        p = predict(model, tokenizer, dev_rows, max_length=max_length)
        fitted = [best_threshold(dev_y[:, k], p[:, k]) for k in range(2)]
        score = sum(f for _, f in fitted) / 2
        history.append({"epoch": epoch + 1, "dev_f1": {k: round(f, 4) for k, (_, f) in zip(KINDS, fitted, strict=True)},
                        "seconds": round(time.time() - began)})
        log(f"epoch {epoch + 1}: dev F1 {history[-1]['dev_f1']} ({time.time() - began:.0f}s)")
        if score > best[0]:
            best = (score, epoch + 1)
            model.save_pretrained(out / "model")
            tokenizer.save_pretrained(out / "model")
            thresholds = {k: t for k, (t, _) in zip(KINDS, fitted, strict=True)}
            np.save(out / "dev_probabilities.npy", p)
    report = {"history": history, "best_epoch": best[1], "thresholds": thresholds,
              "rows": {"train": len(train_rows), "dev": len(dev_rows), "test": len(test_rows)}}
    (out / "train_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report
