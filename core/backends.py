"""Encoder backends: how a sentence-transformers model turns texts into normalised float32 rows.

``fp32`` is sentence-transformers on torch as shipped. ``bf16`` runs the same model under torch's CPU
autocast (AVX-512 BF16 where the CPU has it). ``onnx-int8`` exports the model's transformer locally to
ONNX (torch.onnx), fuses it with onnxruntime's BERT optimiser and quantises its MatMuls dynamically to
int8 with per-channel weight scales (AVX-512 VNNI), then runs it in onnxruntime with mean pooling.
sentence-transformers' own ``backend="onnx"`` needs optimum-onnx, which pins transformers < 4.58 and
so cannot be installed beside the transformers 5 this project uses; the export is therefore done with
torch and onnxruntime directly, once, and cached under ``cache_dir`` keyed by the weights' hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from groundqa.core.locks import file_lock

BACKENDS = ("fp32", "bf16", "onnx-int8")
# Bumped whenever the export or quantisation recipe changes, so stale cached files are never reused.
RECIPE = "int8-matmul-perchannel-v1"
SMALL_INPUT = 4  # texts per call up to which a call is a query, not an ingest batch


class Backend(Protocol):
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray: ...


class TorchBackend:
    """sentence-transformers on torch; ``bf16`` wraps encode in CPU autocast."""

    def __init__(self, location: str, *, bf16: bool = False, device: str = "cpu") -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(location, device=device)
        self.bf16 = bf16
        dim = self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension") \
            else self.model.get_sentence_embedding_dimension()
        self.dim = int(dim)

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        import torch

        ctx = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        with ctx, torch.inference_mode(), _one_thread_if(len(texts) <= SMALL_INPUT):
            out = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)


@contextlib.contextmanager
def _one_thread_if(small: bool) -> Iterator[None]:
    """Run a question-sized input on one intra-op thread.

    A one-sentence input gains nothing from a second thread, and when the cores are busy (concurrent
    requests, other processes) OpenMP's spinning barrier makes it many times slower: measured here
    under load, 196 ms with two threads against 24 ms with one for a single question.
    """
    import torch

    if not small or torch.get_num_threads() == 1:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class OnnxInt8Backend:
    """A dynamically quantised int8 ONNX copy of the model, run by onnxruntime; mean pooling, L2 norm."""

    def __init__(self, location: str, *, cache_dir: Path, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(location)
        if not (folder / "modules.json").is_file():
            raise ValueError(f"the onnx-int8 backend needs a local sentence-transformers folder, got {location!r}; "
                             "use encoder_backend 'fp32' for hub model names")
        self.max_length, self.dim = _mean_pooled_config(folder)
        path = quantised_model(folder, cache_dir)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads
        # Workers that spin between ops steal the cores from everything else when the machine is shared.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        single = ort.SessionOptions()
        single.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        single.intra_op_num_threads = 1  # questions: see _one_thread_if; no spinning thread pool either
        single.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._small_session = ort.InferenceSession(str(path), single, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        # A tokenizers.Tokenizer configured once: encode_batch never mutates it, so threads may share it.
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_length)
        self._tokenizer.enable_padding()

    def encode(self, texts: Sequence[str], *, batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Longest first, like sentence-transformers: batches of similar length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            out[rows] = self._embed([texts[i] for i in rows])
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        session = self._small_session if len(texts) <= SMALL_INPUT else self._session
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)


def load_backend(name: str, location: str, *, cache_dir: Path, device: str = "cpu") -> Backend:
    if name == "fp32":
        return TorchBackend(location, device=device)
    if name == "bf16":
        return TorchBackend(location, bf16=True, device=device)
    if name == "onnx-int8":
        return OnnxInt8Backend(location, cache_dir=cache_dir)
    raise ValueError(f"encoder backend {name!r} is not one of {', '.join(BACKENDS)}")


def _mean_pooled_config(folder: Path) -> tuple[int, int]:
    """(max_seq_length, dimension) of a mean-pooled, normalised model; anything else is refused."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    pooling_dirs = [m["path"] for m in json.loads((folder / "modules.json").read_text()) if "Pooling" in m["type"]]
    pooling = json.loads((folder / pooling_dirs[0] / "config.json").read_text()) if pooling_dirs else {}
    if modules[:3] != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise ValueError(f"the onnx-int8 backend handles Transformer + mean Pooling + Normalize models; {folder} "
                         f"has {modules}; use encoder_backend 'fp32'")
    config = json.loads((folder / "sentence_bert_config.json").read_text())
    return int(config.get("max_seq_length", 256)), int(pooling["word_embedding_dimension"])


def _weights_key(folder: Path) -> str:
    digest = hashlib.sha256(RECIPE.encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = folder / name
        if path.is_file():
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def quantised_model(folder: Path, cache_dir: Path) -> Path:
    """The cached int8 model for ``folder``, exported on first use (a few seconds); safe across processes."""
    target_dir = cache_dir / "onnx" / _weights_key(folder)
    target = target_dir / "model-int8.onnx"
    if target.is_file():
        return target
    with file_lock(target_dir / ".lock"):
        if target.is_file():
            return target
        _export_int8(folder, target)
    return target


def _export_int8(folder: Path, target: Path) -> None:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(folder)
    base = AutoModel.from_pretrained(folder).eval()

    class Hidden(torch.nn.Module):
        """Keyword-only call: transformers 5 models take no positional mask arguments."""

        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.base(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = torch.ones((2, 8), dtype=torch.int64)
    work = target.parent
    raw, fused, tmp = work / "model.onnx", work / "model-fused.onnx", work / f".model-int8-{os.getpid()}.onnx"
    with torch.inference_mode():
        torch.onnx.export(Hidden(), (sample, sample, torch.zeros_like(sample)), str(raw), input_names=names,
                          output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]})
    optimize_model(str(raw), model_type="bert", num_heads=int(config.num_attention_heads),
                   hidden_size=int(config.hidden_size)).save_model_to_file(str(fused))
    # MatMuls only, per-channel weight scales: quantising the embedding Gather or using one scale per
    # tensor costs this model about 0.05 cosine to fp32; per-channel MatMuls keep it above 0.99.
    quantize_dynamic(str(fused), str(tmp), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul"],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    os.replace(tmp, target)
    for leftover in (raw, fused):
        leftover.unlink(missing_ok=True)
