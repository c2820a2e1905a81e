#!/usr/bin/python3
"""Loads a model directory written by ModelFiles into the authors' own GPT and compares logits.

    /usr/bin/python3 bench/torch/check_reference.py --repo CIRCUIT_SPARSITY_CHECKOUT \
        --model DIR --tokens-logits DIR/logits.safetensors

DIR holds config.json + model.safetensors (ModelFiles.save); the tokens-logits file holds "tokens" [B, T]
(ids as I32, or as floats) and "logits" [B, T, V] from the Java forward (bench ReferenceExport writes both).
Steps: GPT(GPTConfig(**config.json)) from circuit_sparsity/inference/gpt.py, load_state_dict(strict=True),
forward on the tokens, max |diff| against the stored logits; PASS under --tol (default 1e-3), exit 1 on FAIL.
With --export-reference OUT it also writes the other direction for ReferenceExport --check: a model made by
the reference GPT itself (its own init, perturbed, c_fc weights 3/4 zeroed) as OUT/model.safetensors, a
config.json holding only the fields that differ from the GPTConfig defaults, and the reference logits.

Debian's torch 1.13 lacks nn.RMSNorm and F.scaled_dot_product_attention, and tiktoken/blobfile are not
installed; the shims below supply them before gpt.py is imported (they follow torch 2.x semantics).
"""
import argparse
import json
import math
import struct
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    """torch 2.x nn.RMSNorm: x / sqrt(mean(x^2) + eps) * weight, eps None = finfo(dtype).eps."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape = shape
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(shape)) if elementwise_affine else None

    def forward(self, x):
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        dims = tuple(range(-len(self.normalized_shape), 0))
        y = x * torch.rsqrt(x.pow(2).mean(dim=dims, keepdim=True) + eps)
        return y * self.weight if self.weight is not None else y


def scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """torch 2.x F.scaled_dot_product_attention (math path); dropout only matters in training, not here."""
    scale = 1.0 / math.sqrt(q.size(-1)) if scale is None else scale
    att = (q @ k.transpose(-2, -1)) * scale
    lq, lk = q.size(-2), k.size(-2)
    if is_causal:
        causal = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril()
        att = att.masked_fill(~causal, float("-inf"))
    if attn_mask is not None:
        att = att.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else att + attn_mask
    att = torch.softmax(att, dim=-1)
    if dropout_p > 0:
        att = F.dropout(att, dropout_p)
    return att @ v


def install_shims():
    if not hasattr(nn, "RMSNorm"):
        nn.RMSNorm = RMSNorm
    if not hasattr(F, "scaled_dot_product_attention"):
        F.scaled_dot_product_attention = scaled_dot_product_attention
    # gpt.py imports these only for load_model's file access, which this check does not use
    for name in ("tiktoken", "tiktoken.load", "blobfile"):
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = types.ModuleType(name)
    if not hasattr(sys.modules["tiktoken.load"], "read_file_cached"):
        sys.modules["tiktoken.load"].read_file_cached = lambda *a, **k: (_ for _ in ()).throw(
            RuntimeError("tiktoken stub: no file access in check_reference.py"))
        sys.modules["tiktoken"].load = sys.modules["tiktoken.load"]
    if not hasattr(sys.modules["blobfile"], "join"):
        sys.modules["blobfile"].join = lambda *parts: "/".join(parts)


def read_safetensors(path):
    """A minimal safetensors reader (the safetensors package is not installed): F32, F16, BF16, I32, I64."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    buf = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = buf[begin:end]
        dtype = info["dtype"]
        if dtype == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dtype == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in ("I32", "I64"):
            arr = np.frombuffer(raw, dtype="<i4" if dtype == "I32" else "<i8").astype(np.int64)
        else:
            raise SystemExit(f"{path}: tensor {name} has dtype {dtype}; this reader handles F32, F16, BF16, I32, I64")
        out[name] = torch.from_numpy(arr.copy()).reshape(info["shape"])
    return out


def write_safetensors(path, tensors, metadata=None):
    """A minimal safetensors writer, F32 (I32 for integer tensors), 8-byte aligned header as the library writes."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        integer = not t.is_floating_point()
        b = t.detach().contiguous().numpy().astype("<i4" if integer else "<f4").tobytes()
        header[name] = {"dtype": "I32" if integer else "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def export_reference(GPT, GPTConfig, config, tokens, out):
    """A reference-made model in OUT: non-default config fields only, the reference state_dict, its logits."""
    import dataclasses
    import os

    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1)
    model = GPT(config)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.5 * torch.randn_like(p))  # the init's 0.02 scale would hide errors
            if name.endswith("mlp.c_fc.weight"):
                p.mul_((torch.rand_like(p) < 0.25).float())
        model.final_logits_bias.copy_(torch.randn_like(model.final_logits_bias))
    model.eval()
    defaults = {f.name: f.default for f in dataclasses.fields(GPTConfig)}
    fields = {k: v for k, v in dataclasses.asdict(config).items() if v != defaults[k]}
    with open(f"{out}/config.json", "w") as f:
        json.dump(fields, f, indent=2)
    write_safetensors(f"{out}/model.safetensors", model.state_dict(), {"format": "pt"})
    with torch.no_grad():
        logits, _, _ = model(tokens)
    write_safetensors(f"{out}/logits.safetensors", {"tokens": tokens.float(), "logits": logits})
    print(f"wrote {out}: reference model, config fields {sorted(fields)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True, help="checkout of openai/circuit_sparsity")
    ap.add_argument("--model", required=True, help="directory with config.json and model.safetensors")
    ap.add_argument("--tokens-logits", required=True, help="safetensors with 'tokens' [B,T] and 'logits' [B,T,V]")
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--export-reference", metavar="OUT", help="also write a reference-made model for ReferenceExport --check")
    args = ap.parse_args()

    install_shims()
    sys.path.insert(0, args.repo)
    from circuit_sparsity.inference.gpt import GPT, GPTConfig

    torch.manual_seed(0)
    with open(f"{args.model}/config.json") as f:
        config = GPTConfig(**json.load(f))
    model = GPT(config)
    model.load_state_dict(read_safetensors(f"{args.model}/model.safetensors"), strict=True)
    model.eval()

    ref = read_safetensors(args.tokens_logits)
    tokens = ref["tokens"].round().long() if ref["tokens"].is_floating_point() else ref["tokens"].long()
    with torch.no_grad():
        logits, _, _ = model(tokens)
    want = ref["logits"]
    diff = (logits - want).abs().max().item()
    scale = want.abs().max().item()
    print(f"torch {torch.__version__}; tokens {list(tokens.shape)}; logits {list(logits.shape)}, max |logit| {scale:.4g}")
    print(f"max abs diff {diff:.3e} (tol {args.tol:g}): {'PASS' if diff <= args.tol else 'FAIL'}")
    if args.export_reference:
        export_reference(GPT, GPTConfig, config, tokens, args.export_reference)
    sys.exit(0 if diff <= args.tol else 1)


if __name__ == "__main__":
    main()
