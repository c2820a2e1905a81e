#!/usr/bin/python3
"""PyTorch performance anchor: one training step of the authors' weight-sparse GPT.

A replica (own code) of the architecture of openai/circuit_sparsity
`circuit_sparsity/inference/gpt.py`, trained the way the authors' `train.py` does it:
dense math on masked weights, AbsTopK via torch.topk + gather/scatter, per-tensor
top-k of |w| recomputed after every optimizer step.

Written for torch 1.13 (Debian's python3-torch): no nn.RMSNorm and no
F.scaled_dot_product_attention, so both are written out here.

Shapes: PERF.md's by default (4 layers, d_model 256, 16 heads x 16, d_mlp 1024, vocab 2048, ctx 128,
batch 8; sparse = density 1/16 on the six kinds of 2-D weights). --n-layer/--d-model/--n-head/--d-head/
--d-mlp/--vocab/--ctx/--batch set other shapes; --base-width B sets the width benchmark's L0 instead
(our `train --base-width B --pfrac P`): E = d_model / B, the matrices (c_attn, attn.c_proj, c_fc,
mlp.c_proj) keep P/E^2 of their entries, wte, lm_head and the four Linear biases P/E.

Usage:  /usr/bin/python3 gpt_step.py --mode sparse --threads 1 --steps 10 --warmup 3 --json out.json
        /usr/bin/python3 gpt_step.py --mode sparse --n-layer 2 --d-model 512 --vocab 512 --ctx 64 \
            --batch 16 --base-width 64 --pfrac 0.25 --threads 2 --json e8.json   (width benchmark, E = 8)
        /usr/bin/python3 gpt_step.py --sanity      (loss on a repeated batch, not timed)
"""
import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------- model


class Config:
    def __init__(self, n_layer=4, d_model=256, n_head=16, d_head=16, d_mlp=1024,
                 vocab=2048, ctx=128, afrac=0.25):
        self.n_layer = n_layer
        self.d_model = d_model
        self.n_head = n_head
        self.d_head = d_head
        self.d_mlp = d_mlp
        self.vocab = vocab
        self.ctx = ctx
        self.afrac = afrac


def abs_topk(x, frac):
    """Keep the floor(frac*dim) entries of largest |x| along the last dim (sign kept), zero the rest."""
    k = int(math.floor(frac * x.shape[-1]))
    idx = torch.topk(x.abs(), k, dim=-1, sorted=False).indices
    out = torch.zeros_like(x)
    return out.scatter(-1, idx, x.gather(-1, idx))


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * gain, eps = float32 machine epsilon (nn.RMSNorm's default)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = torch.finfo(torch.float32).eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        width = cfg.n_head * cfg.d_head
        self.c_attn = nn.Linear(cfg.d_model, 3 * width, bias=True)
        self.c_proj = nn.Linear(width, cfg.d_model, bias=True)
        # per-head learnable sink logit: an extra always-visible key with zero value
        self.sink_logit = nn.Parameter(torch.zeros(cfg.n_head))
        mask = torch.ones(cfg.ctx, cfg.ctx, dtype=torch.bool).tril()
        self.register_buffer("causal", mask, persistent=False)

    def forward(self, x):
        cfg = self.cfg
        B, T, _ = x.shape
        H, D = cfg.n_head, cfg.d_head
        q, k, v = self.c_attn(x).split(H * D, dim=2)
        # AbsTopK over all heads concatenated
        k = abs_topk(k, cfg.afrac)
        q = abs_topk(q, cfg.afrac)
        v = abs_topk(v, cfg.afrac)
        q = q.view(B, T, H, D).transpose(1, 2)
        k = k.view(B, T, H, D).transpose(1, 2)
        v = v.view(B, T, H, D).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D))            # (B,H,T,T)
        att = att.masked_fill(~self.causal[:T, :T], float("-inf"))
        sink = self.sink_logit.view(1, H, 1, 1).expand(B, H, T, 1)
        p = F.softmax(torch.cat([sink, att], dim=-1), dim=-1)[..., 1:]    # sink value = 0: drop its column
        y = (p @ v).transpose(1, 2).reshape(B, T, H * D)
        return abs_topk(self.c_proj(y), cfg.afrac)                         # attn_out


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.c_fc = nn.Linear(cfg.d_model, cfg.d_mlp, bias=True)
        self.c_proj = nn.Linear(cfg.d_mlp, cfg.d_model, bias=True)

    def forward(self, x):
        h = abs_topk(F.gelu(self.c_fc(x)), self.cfg.afrac)                # mlp_neuron (exact erf GELU)
        return abs_topk(self.c_proj(h), self.cfg.afrac)                   # mlp_out


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.ln_1 = RMSNorm(cfg.d_model)
        self.attn = Attention(cfg)
        self.ln_2 = RMSNorm(cfg.d_model)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(abs_topk(self.ln_1(x), self.cfg.afrac))        # attn_in
        x = x + self.mlp(abs_topk(self.ln_2(x), self.cfg.afrac))         # mlp_in
        return x


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab, cfg.d_model)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = RMSNorm(cfg.d_model)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab, bias=False)      # untied
        self.bigram_table = nn.Parameter(torch.empty(cfg.vocab, cfg.vocab))
        self._init()

    def _init(self):
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
        std_resid = 0.02 / math.sqrt(2 * self.cfg.n_layer)
        for b in self.blocks:
            nn.init.normal_(b.attn.c_proj.weight, 0.0, std_resid)
            nn.init.normal_(b.mlp.c_proj.weight, 0.0, std_resid)
        nn.init.uniform_(self.bigram_table, 0.0, 0.02)

    def forward(self, idx):
        x = self.wte(idx)                                                  # no positional embedding
        for b in self.blocks:
            x = b(x)
        logits = self.lm_head(self.ln_f(x))
        return logits + F.embedding(idx, self.bigram_table)               # row of the current token

    def sparse_weights(self):
        """The matrices the authors sparsify (2-D): c_attn, attn.c_proj, c_fc, mlp.c_proj, wte, lm_head."""
        ws = [self.wte.weight, self.lm_head.weight]
        for b in self.blocks:
            ws += [b.attn.c_attn.weight, b.attn.c_proj.weight, b.mlp.c_fc.weight, b.mlp.c_proj.weight]
        return ws

    def width_budget(self, pfrac, expansion):
        """(tensor, kept fraction) of every tensor our `train` sparsifies at the target L0 (SPEC 2.1):
        the block matrices keep pfrac/E^2, wte, lm_head and the Linear biases pfrac/E (capped at 1)."""
        matrix, vocab = min(1.0, pfrac / expansion ** 2), min(1.0, pfrac / expansion)
        out = [(self.wte.weight, vocab), (self.lm_head.weight, vocab)]
        for b in self.blocks:
            out += [(b.attn.c_attn.weight, matrix), (b.attn.c_proj.weight, matrix),
                    (b.mlp.c_fc.weight, matrix), (b.mlp.c_proj.weight, matrix),
                    (b.attn.c_attn.bias, vocab), (b.attn.c_proj.bias, vocab),
                    (b.mlp.c_fc.bias, vocab), (b.mlp.c_proj.bias, vocab)]
        return out


def kept_count(frac, numel):
    """Our Schedule.keptCount: clamp(floor(frac * numel * (1 + 2^-40)), 1, numel)."""
    x = math.floor(frac * numel * (1.0 + 2.0 ** -40))
    return 1 if x < 1 else min(numel, int(x))


# ----------------------------------------------------------------------------- training step


class Trainer:
    def __init__(self, model, mode, lr, density=1.0 / 16, weight_decay=0.1, seed=0, budget=None):
        """budget: (tensor, kept fraction) pairs for --mode sparse; default: the 2-D weights at `density`."""
        self.model = model
        self.mode = mode
        self.lr = lr
        self.wd = weight_decay
        self.params = [p for p in model.parameters() if p.requires_grad]
        self.n_params = sum(p.numel() for p in self.params)
        self.opt = torch.optim.Adam(self.params, lr=lr, betas=(0.9, 0.95), eps=0.1)
        self.decay = [p for p in self.params if p.dim() >= 2 and p is not model.bigram_table]
        if budget is None:
            budget = [(w, density) for w in model.sparse_weights()]
        self.sparse = [w for w, _ in budget]
        self.densities = [f for _, f in budget]
        self.masks = []
        self.ks = []
        self.phase = {}
        if mode == "sparse":
            g = torch.Generator().manual_seed(seed + 1)
            for w, frac in budget:
                self.masks.append((torch.rand(w.shape, generator=g) < frac).to(w.dtype))
                self.ks.append(kept_count(frac, w.numel()))
            with torch.no_grad():
                for w, m in zip(self.sparse, self.masks):
                    w.mul_(m)

    def step(self, tokens):
        """One training step; returns the loss. Phase times (s) accumulate in self.phase."""
        model = self.model
        t0 = time.perf_counter()
        logits = model(tokens)
        V = logits.shape[-1]
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, V), tokens[:, 1:].reshape(-1))
        self.opt.zero_grad(set_to_none=True)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        with torch.no_grad():
            # global gradient RMS normalisation: g /= rms + 1e-5
            grads = [p.grad for p in self.params if p.grad is not None]
            norm = torch.norm(torch.stack([torch.norm(g, 2.0) for g in grads]), 2.0)
            rms = norm / math.sqrt(self.n_params)
            for g in grads:
                g.div_(rms + 1e-5)
        self.opt.step()
        t3 = time.perf_counter()
        with torch.no_grad():
            if self.mode == "sparse":
                for w, m, k in zip(self.sparse, self.masks, self.ks):
                    w.mul_(m)                                             # fixed pattern at the target density
                    # the authors' per-tensor top-k of |w|, recomputed every step
                    idx = torch.topk(w.abs().flatten(), k, sorted=False).indices
                    keep = torch.zeros(w.numel(), dtype=torch.bool)
                    keep[idx] = True
                    w.mul_(keep.view_as(w))
            for p in self.decay:                                          # decoupled weight decay
                p.mul_(1.0 - self.wd * self.lr)
        t4 = time.perf_counter()
        for name, dt in (("forward_loss", t1 - t0), ("backward", t2 - t1),
                         ("gradnorm_adam", t3 - t2), ("mask_decay", t4 - t3)):
            self.phase[name] = self.phase.get(name, 0.0) + dt
        return loss.item()


# ----------------------------------------------------------------------------- reporting helpers


def cpu_model():
    """'model name' from /proc/cpuinfo, plus the widest AVX level and the logical CPU count."""
    name, flags = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if name is None and line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                elif not flags and line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = "avx512f" if "avx512f" in flags else "avx2" if "avx2" in flags else "no-avx2"
    return f"{name or platform.processor() or 'unknown'} ({isa}, {os.cpu_count()} cpus)"


def blas_summary():
    cfg = torch.__config__.show()
    parts = []
    for line in cfg.splitlines():
        if "Build settings" in line:
            for kv in line.split(":", 1)[1].split(","):
                kv = kv.strip()
                if kv.startswith(("BLAS_INFO", "LAPACK_INFO")):
                    parts.append(kv)
        elif "BLAS" in line and "Build settings" not in line and len(parts) < 4:
            parts.append(line.strip())
    # which BLAS shared object is really mapped (Debian picks it via alternatives)
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                name = line.rsplit(" ", 1)[-1].strip()
                base = os.path.basename(name)
                if "blas" in base.lower() or "mkl" in base.lower():
                    libs.add(os.path.realpath(name))
    except OSError:
        pass
    return "; ".join(parts) or "unknown", sorted(libs)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["sparse", "dense"], default="sparse")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10, help="measured steps")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--n-layer", type=int, default=4)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--d-head", type=int, default=16)
    ap.add_argument("--n-head", type=int, default=None, help="default d_model / d_head")
    ap.add_argument("--d-mlp", type=int, default=None, help="default 4 * d_model")
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--ctx", type=int, default=128)
    ap.add_argument("--density", type=float, default=1.0 / 16,
                    help="--mode sparse without --base-width: kept fraction of the six kinds of 2-D weights")
    ap.add_argument("--base-width", type=int, default=0,
                    help="width L0: E = d_model / base width; matrices keep pfrac/E^2, wte/lm_head/biases pfrac/E")
    ap.add_argument("--pfrac", type=float, default=0.25, help="with --base-width: the L0 relative to the base model")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None, help="write the result here")
    ap.add_argument("--sanity", action="store_true",
                    help="train --steps steps (default 20) on one repeated batch and print the loss; not timed")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    n_head = args.n_head or max(1, args.d_model // args.d_head)
    cfg = Config(n_layer=args.n_layer, d_model=args.d_model, n_head=n_head, d_head=args.d_head,
                 d_mlp=args.d_mlp or 4 * args.d_model, vocab=args.vocab, ctx=args.ctx)
    model = GPT(cfg)
    expansion = args.d_model / args.base_width if args.base_width else None
    budget = model.width_budget(args.pfrac, expansion) if expansion else None
    trainer = Trainer(model, args.mode, args.lr, density=args.density, seed=args.seed, budget=budget)
    n_params = trainer.n_params
    blas, blas_libs = blas_summary()

    if args.sanity:
        steps = args.steps if args.steps != 10 else 20
        tokens = torch.randint(0, cfg.vocab, (args.batch, cfg.ctx))
        losses = [trainer.step(tokens) for _ in range(steps)]
        print(f"sanity ({args.mode}, lr {args.lr}, repeated batch): ln(V) = {math.log(cfg.vocab):.3f}")
        print("loss per step: " + " ".join(f"{l:.3f}" for l in losses))
        ok = abs(losses[0] - math.log(cfg.vocab)) < 0.5 and losses[-1] < losses[0] - 0.5
        print("sanity " + ("OK" if ok else "FAILED") + f": first {losses[0]:.3f}, last {losses[-1]:.3f}")
        sys.exit(0 if ok else 1)

    times, losses = [], []
    for i in range(args.warmup + args.steps):
        tokens = torch.randint(0, cfg.vocab, (args.batch, cfg.ctx))
        t0 = time.perf_counter()
        loss = trainer.step(tokens)
        dt = time.perf_counter() - t0
        losses.append(loss)
        if i >= args.warmup:
            times.append(dt)
        else:
            trainer.phase = {}

    tok = args.batch * cfg.ctx
    med = statistics.median(times)
    mean = statistics.mean(times)
    res = {
        "mode": args.mode,
        "threads": args.threads,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "torch_threads": torch.get_num_threads(),
        "steps": args.steps,
        "warmup": args.warmup,
        "batch": args.batch,
        "ctx": cfg.ctx,
        "n_layer": cfg.n_layer,
        "d_model": cfg.d_model,
        "n_head": cfg.n_head,
        "d_head": cfg.d_head,
        "d_mlp": cfg.d_mlp,
        "vocab": cfg.vocab,
        "base_width": args.base_width or None,
        "pfrac": args.pfrac if args.base_width else None,
        "expansion": expansion,
        "density": None if args.base_width else args.density,
        "kept": sum(trainer.ks) if trainer.ks else None,
        "n_params": n_params,
        "median_ms": med * 1e3,
        "mean_ms": mean * 1e3,
        "min_ms": min(times) * 1e3,
        "max_ms": max(times) * 1e3,
        "tokens_per_s": tok / med,
        "phase_ms_mean": {k: v / args.steps * 1e3 for k, v in trainer.phase.items()},
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "peak_rss_mb": peak_rss_mb(),
        "cpu": cpu_model(),
        "torch": torch.__version__,
        "python": sys.executable + " " + platform.python_version(),
        "blas": blas,
        "blas_libs": blas_libs,
    }
    print(f"mode {args.mode}  threads {args.threads}  params {n_params/1e6:.2f}M  "
          f"L{cfg.n_layer} d{cfg.d_model} {cfg.n_head}x{cfg.d_head} mlp {cfg.d_mlp} V{cfg.vocab}  "
          f"batch {args.batch}x{cfg.ctx}  warmup {args.warmup}  steps {args.steps}"
          + (f"  L0: base width {args.base_width}, pfrac {args.pfrac}, E {expansion:g}, kept {sum(trainer.ks):,}"
             if args.base_width and trainer.ks else ""))
    print(f"step: median {res['median_ms']:.1f} ms  mean {res['mean_ms']:.1f} ms  "
          f"min {res['min_ms']:.1f}  max {res['max_ms']:.1f}  ->  {res['tokens_per_s']:.0f} tokens/s")
    print("phases (mean ms): " + "  ".join(f"{k} {v:.1f}" for k, v in res["phase_ms_mean"].items()))
    print(f"loss first {losses[0]:.3f} last {losses[-1]:.3f}  peak RSS {res['peak_rss_mb']:.0f} MB")
    print(f"cpu: {res['cpu']}")
    print(f"torch {torch.__version__} ({res['python']}); BLAS: {blas}; loaded: {', '.join(blas_libs) or '-'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
