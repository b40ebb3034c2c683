"""Train the claim verifier: a cross-encoder fine-tuned from the bundled all-MiniLM-L6-v2 weights.

``python -m groundqa_training.verifier --out DIR`` (or ``groundqa train verifier``) trains on the
``train`` groups (credibility.training.pairs), picks the epoch by macro-F1 on HealthVer ``calib`` and writes
the fine-tuned model with its calibration-set probabilities. Nothing here reads a ``test`` group.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from groundqa.eval.stats import macro_f1
from groundqa_training.pairs import RECIPE, Example, claim_pairs, evidence_window, training_examples

LABELS = ("supports", "refutes", "neither")
_INDEX = {label: i for i, label in enumerate(LABELS)}


@dataclass
class TrainConfig:
    epochs: int = 3
    lr: float = 3e-5
    batch_size: int = 16
    max_length: int = 128
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    synthetic: int = 1800
    lora_rank: int = 0  # 0: every weight is trained; >0: LoRA adapters of this rank (peft) plus the head
    freeze_embeddings: int = 1  # 1: the embedding layer stays the bundled one, so only the layers need shipping
    threads: int = 2
    stage2_epochs: int = 0  # then this many epochs on HealthVer train pairs alone (the target genre), at lr / 2
    augment: int = 0  # 1: add label-flipping rewrites of HealthVer train claims (credibility.training.pairs)
    sources: str = ",".join(RECIPE)  # the pair sources (credibility.training.pairs.ALL_SOURCES), comma-separated


def bundled_path() -> str:
    from groundqa.core.encoder import resolve_model

    return resolve_model("bundled")[1]


def _batches(examples: list[Example], size: int, rng: random.Random, tokenizer) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    lengths = [len(tokenizer.tokenize(e.claim)) + len(tokenizer.tokenize(e.evidence)) for e in examples]
    order = list(range(len(examples)))
    rng.shuffle(order)
    batches = []
    for i in range(0, len(order), size * 50):
        pool = sorted(order[i:i + size * 50], key=lambda j: lengths[j])
        batches += [pool[k:k + size] for k in range(0, len(pool), size)]
    rng.shuffle(batches)
    return batches


def _loss(logits, examples: list[Example], class_weights):
    """Cross-entropy; a partial ``not_supports`` label is the log of refutes + neither."""
    import torch

    log_probs = torch.log_softmax(logits, dim=-1)
    losses = []
    for row, e in zip(log_probs, examples, strict=True):
        if e.label == "not_supports":
            value = -torch.logsumexp(row[1:], dim=0)
            w = 1.0
        else:
            value = -row[_INDEX[e.label]]
            w = float(class_weights[_INDEX[e.label]])
        losses.append(value * w * e.weight)
    return torch.stack(losses).sum() / sum(e.weight for e in examples)


def encode_pairs(tokenizer, claims: list[str], evidence: list[str], max_length: int):
    """Claim and evidence as one input, the evidence cut first; a claim too long on its own is cut as well (as
    the shipped Verifier does)."""
    try:
        return tokenizer(claims, evidence, truncation="only_second", max_length=max_length, padding=True,
                         return_tensors="pt")
    except Exception:  # tokenizers: "Sequence to truncate too short to respect the provided max_length"
        return tokenizer(claims, evidence, truncation="longest_first", max_length=max_length, padding=True,
                         return_tensors="pt")


def predict(model, tokenizer, pairs: list[tuple[str, str]], *, max_length: int = 128, batch_size: int = 32
            ) -> np.ndarray:
    """Logits, one row per (claim, evidence) pair."""
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for i in range(0, len(pairs), batch_size):
            chunk = pairs[i:i + batch_size]
            enc = encode_pairs(tokenizer, [c for c, _ in chunk], [e for _, e in chunk], max_length)
            out.append(model(**enc).logits.float().numpy())
    return np.vstack(out) if out else np.zeros((0, len(LABELS)), dtype=np.float32)


def train(out: Path, config: TrainConfig, *, log=print) -> dict:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, get_linear_schedule_with_warmup

    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    base = bundled_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=_INDEX)
    if config.freeze_embeddings:
        for parameter in model.bert.embeddings.parameters():
            parameter.requires_grad = False
    if config.lora_rank:
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=config.lora_rank, lora_alpha=2 * config.lora_rank,
                                                 lora_dropout=0.1, target_modules=["query", "key", "value", "dense"],
                                                 modules_to_save=["classifier"], task_type="SEQ_CLS"))
    examples = training_examples(synthetic=config.synthetic, seed=config.seed, augment=bool(config.augment),
                                 cache=out.parent / f"synthetic-{config.synthetic}-{config.seed}.jsonl",
                                 sources=tuple(s for s in config.sources.split(",") if s))
    counts = np.array([sum(e.weight for e in examples if e.label == label) for label in LABELS])
    class_weights = counts.sum() / (len(LABELS) * counts)
    calib = [p for p in claim_pairs("calib") if p.dataset == "healthver"]
    calib_inputs = [(p.claim, evidence_window(p.claim, p.evidence)) for p in calib]
    log(f"training on {len(examples)} pairs {dict(zip(LABELS, counts.round(0), strict=False))}; calib {len(calib)}")

    history: list[dict] = []
    best = [-1.0, None]
    began = time.time()
    stages = [("all", examples, config.epochs, config.lr)]
    if config.stage2_epochs:
        target = [e for e in examples if e.source.startswith("healthver")]  # dev train groups and HealthVer train
        stages.append(("healthver", target, config.stage2_epochs, config.lr / 2))
    for stage, data, epochs, lr in stages:
        steps = epochs * math.ceil(len(data) / config.batch_size)
        optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr,
                                      weight_decay=config.weight_decay)
        schedule = get_linear_schedule_with_warmup(optimiser, int(config.warmup * steps), steps)
        for epoch in range(epochs):
            model.train()
            total, n = 0.0, 0
            for n, batch in enumerate(_batches(data, config.batch_size, rng, tokenizer), 1):
                chunk = [data[i] for i in batch]
                enc = encode_pairs(tokenizer, [e.claim for e in chunk], [e.evidence for e in chunk],
                                   config.max_length)
                loss = _loss(model(**enc).logits, chunk, class_weights)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimiser.step()
                schedule.step()
                optimiser.zero_grad()
                total += float(loss.detach())
                if n % 50 == 0:
                    log(f"{stage} epoch {epoch + 1} step {n} loss {total / n:.4f} ({time.time() - began:.0f}s)")
            logits = predict(model, tokenizer, calib_inputs, max_length=config.max_length)
            f1 = macro_f1([p.label for p in calib], [LABELS[i] for i in logits.argmax(1)], LABELS)
            history.append({"stage": stage, "epoch": epoch + 1, "loss": total / max(n, 1),
                            "calib_macro_f1": round(f1, 4), "seconds": round(time.time() - began)})
            log(f"{stage} epoch {epoch + 1}: calib macro-F1 {f1:.4f}")
            if f1 > best[0]:
                best = [f1, f"{stage}-{epoch + 1}"]
                model.save_pretrained(out / ("adapter" if config.lora_rank else "model"))
                tokenizer.save_pretrained(out / "model")
                np.save(out / "calib_logits.npy", logits)
    if config.lora_rank:  # the best adapters merged into the base weights: one plain model to export
        from peft import PeftModel

        base_model = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=_INDEX)
        PeftModel.from_pretrained(base_model, out / "adapter").merge_and_unload().save_pretrained(out / "model")
    report = {"config": config.__dict__, "history": history, "best_epoch": best[1], "calib_macro_f1": best[0],
              "examples": len(examples), "by_source": dict(sorted(
                  {s: sum(1 for e in examples if e.source == s) for s in {e.source for e in examples}}.items()))}
    (out / "train_report.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report
