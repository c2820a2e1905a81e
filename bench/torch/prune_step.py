#!/usr/bin/python3
"""PyTorch anchor for the pruning (mask-training) step, the authors' way.

The authors' GPT (gpt_step.py's replica of circuit_sparsity's gpt.py) frozen (requires_grad False), its weights
dense: in "masked" mode the matrices hold a random 1/16 pattern stored dense with zeros (what their pruning
runs on: dense math on masked weights), in "dense" mode they are full. One learnable tau per node at the
8 locations of each layer (attn act_in, q, k, v, attn resid_delta, mlp act_in, mlp post_act, mlp resid_delta),
applied after AbsTopK as x*g + mean*(1-g) with g = Heaviside(tau) forward and the sigmoid surrogate
sigma'(tau/T)/T backward (an autograd.Function). Loss: two-sided binary cross-entropy at the last token of each
sequence (mean over sequences) + k_coef * sum(g). AdamW on tau (lr 3e-3, betas 0.9/0.95, wd 1e-3), then
tau clamped to [-1, 1]. Batch: 16 pairs = 32 sequences drawn at random each step.

Prompts: read from --sequences (JSON exported by PruneStepBench: the same tokenised single_double_quote pairs
our benchmark trains on); without it, random prompts of 20..40 tokens. Variable lengths are right-padded to the
longest prompt of the batch and the loss reads each sequence's own last position (exact: attention is causal
and there is no position embedding, so padding after the last token changes nothing before it).
Node means: random (N(0, 0.1)); a step costs the same whatever their values.

Usage: /usr/bin/python3 prune_step.py --size demo|perf|e8|d48 --mode masked|dense --threads 1 --steps 20 --warmup 5
       [--sequences seqs.json] [--json out.json]
"""
import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt_step import GPT, Config, abs_topk, blas_summary, cpu_model, peak_rss_mb  # noqa: E402

SIZES = {
    # 2 layers, d_model 128, 8 heads x 16, d_mlp 512, vocab 512, ctx 64 (the demo model)
    "demo": dict(n_layer=2, d_model=128, n_head=8, d_head=16, d_mlp=512, vocab=512, ctx=64),
    # PERF.md's training-bench size: 4 layers, d_model 256, 16 heads x 16, d_mlp 1024, vocab 2048, ctx 128
    "perf": dict(n_layer=4, d_model=256, n_head=16, d_head=16, d_mlp=1024, vocab=2048, ctx=128),
    # the width benchmark's E = 8 model: 2 layers, d_model 512, 32 heads x 16, d_mlp 2048, vocab 512, ctx 64
    "e8": dict(n_layer=2, d_model=512, n_head=32, d_head=16, d_mlp=2048, vocab=512, ctx=64),
    # its loss-matched dense partner: d_model 48, 3 heads x 16, d_mlp 192
    "d48": dict(n_layer=2, d_model=48, n_head=3, d_head=16, d_mlp=192, vocab=512, ctx=64),
}
# the matrices' density in masked mode (dense math either way; the value only sets which entries are zero):
# 1/16 as after the standard anneal; e8 at the width benchmark's L0 A (pfrac 1/4 of a width-64 base, E = 8)
MASKED_DENSITY = {"demo": 1 / 16, "perf": 1 / 16, "e8": 1 / 256, "d48": 1 / 16}
LOCATIONS = ["attn.act_in", "attn.q", "attn.k", "attn.v", "attn.resid_delta", "mlp.act_in", "mlp.post_act", "mlp.resid_delta"]


class Heaviside(torch.autograd.Function):
    """g = [tau > 0] forward; d g / d tau = sigma(tau/T)(1 - sigma(tau/T)) / T backward."""

    @staticmethod
    def forward(ctx, tau, temp):
        ctx.save_for_backward(tau)
        ctx.temp = temp
        return (tau > 0).to(tau.dtype)

    @staticmethod
    def backward(ctx, grad):
        (tau,) = ctx.saved_tensors
        s = torch.sigmoid(tau / ctx.temp)
        return grad * s * (1 - s) / ctx.temp, None


def width(cfg, loc):
    if loc in ("attn.q", "attn.k", "attn.v"):
        return cfg.n_head * cfg.d_head
    if loc == "mlp.post_act":
        return cfg.d_mlp
    return cfg.d_model


def masked_forward(model, idx, gates, means):
    """The model's forward with the node mask x*g + mean*(1-g) after AbsTopK at the 8 locations per layer."""
    cfg = model.cfg
    a = cfg.afrac

    def node(name, x):
        g = gates[name]
        return x * g + means[name] * (1 - g)

    x = model.wte(idx)
    B, T, _ = x.shape
    H, D = cfg.n_head, cfg.d_head
    for l, blk in enumerate(model.blocks):
        p = f"{l}."
        at = blk.attn
        h = node(p + "attn.act_in", abs_topk(blk.ln_1(x), a))
        q, k, v = at.c_attn(h).split(H * D, dim=2)
        k = node(p + "attn.k", abs_topk(k, a))
        q = node(p + "attn.q", abs_topk(q, a))
        v = node(p + "attn.v", abs_topk(v, a))
        q = q.view(B, T, H, D).transpose(1, 2)
        k = k.view(B, T, H, D).transpose(1, 2)
        v = v.view(B, T, H, D).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D))
        att = att.masked_fill(~at.causal[:T, :T], float("-inf"))
        sink = at.sink_logit.view(1, H, 1, 1).expand(B, H, T, 1)
        pr = F.softmax(torch.cat([sink, att], dim=-1), dim=-1)[..., 1:]
        y = (pr @ v).transpose(1, 2).reshape(B, T, H * D)
        x = x + node(p + "attn.resid_delta", abs_topk(at.c_proj(y), a))
        h = node(p + "mlp.act_in", abs_topk(blk.ln_2(x), a))
        n = node(p + "mlp.post_act", abs_topk(F.gelu(blk.mlp.c_fc(h)), a))
        x = x + node(p + "mlp.resid_delta", abs_topk(blk.mlp.c_proj(n), a))
    logits = model.lm_head(model.ln_f(x))
    return logits + F.embedding(idx, model.bigram_table)


def load_sequences(path, vocab, ctx, rng, n_pairs=128):
    if path:
        seqs = json.load(open(path))
        out = []
        for s in seqs:
            toks = s["tokens"][-ctx:]
            if max(toks) >= vocab:
                raise SystemExit(f"{path}: token {max(toks)} outside the vocabulary of {vocab}")
            out.append((toks, s["correct"], s["other"]))
        return out, "single_double_quote pairs exported by PruneStepBench"
    out = []
    for _ in range(n_pairs):
        n = rng.randint(20, 40)
        a = [rng.randrange(vocab) for _ in range(n)]
        t0, t1 = rng.sample(range(vocab), 2)
        out += [(a, t0, t1), (a[:-1] + [rng.randrange(vocab)], t1, t0)]
    return out, "random prompts of 20..40 tokens"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=sorted(SIZES), default="demo")
    ap.add_argument("--mode", choices=["masked", "dense"], default="masked")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--pairs", type=int, default=16, help="pairs per batch (2 sequences each)")
    ap.add_argument("--sequences", default=None)
    ap.add_argument("--k-coef", type=float, default=1e-4)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--temp", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    cfg = Config(**SIZES[args.size])
    model = GPT(cfg)
    if args.mode == "masked":  # the authors' sparse model: matrices at MASKED_DENSITY, stored dense with zeros
        g = torch.Generator().manual_seed(args.seed + 1)
        with torch.no_grad():
            for w in model.sparse_weights():
                w.mul_((torch.rand(w.shape, generator=g) < MASKED_DENSITY[args.size]).to(w.dtype))
    for p in model.parameters():
        p.requires_grad_(False)
    model.eval()

    seqs, source = load_sequences(args.sequences, cfg.vocab, cfg.ctx, rng)
    names = [f"{l}.{loc}" for l in range(cfg.n_layer) for loc in LOCATIONS]
    taus = {n: torch.nn.Parameter((0.1 + 0.01 * torch.randn(width(cfg, n.split(".", 1)[1]))).clamp(-1, 1)) for n in names}
    means = {n: 0.1 * torch.randn(width(cfg, n.split(".", 1)[1])) for n in names}
    opt = torch.optim.AdamW(list(taus.values()), lr=args.lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=1e-3)
    n_nodes = sum(t.numel() for t in taus.values())
    total_steps = args.warmup + args.steps

    times, phase, lens_seen = [], {"batch": 0.0, "forward_loss": 0.0, "backward": 0.0, "adamw_clamp": 0.0}, []
    for step in range(total_steps):
        t0 = time.perf_counter()
        batch = []
        for _ in range(args.pairs):
            pi = rng.randrange(len(seqs) // 2)
            batch += [seqs[2 * pi], seqs[2 * pi + 1]]
        T = max(len(s[0]) for s in batch)
        idx = torch.zeros(len(batch), T, dtype=torch.long)
        last = torch.tensor([len(s[0]) - 1 for s in batch])
        for i, s in enumerate(batch):
            idx[i, :len(s[0])] = torch.tensor(s[0])
        correct = torch.tensor([s[1] for s in batch])
        other = torch.tensor([s[2] for s in batch])
        for gsched in opt.param_groups:  # linear decay to 0, no warmup (SPEC 4.4)
            gsched["lr"] = args.lr * (1 - step / total_steps)
        t1 = time.perf_counter()
        gates = {n: Heaviside.apply(t, args.temp) for n, t in taus.items()}
        logits = masked_forward(model, idx, gates, means)
        lastl = logits[torch.arange(len(batch)), last]                      # [32, V] at each own last token
        two = torch.stack([lastl.gather(1, correct[:, None])[:, 0], lastl.gather(1, other[:, None])[:, 0]], dim=1)
        task = F.cross_entropy(two, torch.zeros(len(batch), dtype=torch.long))  # two-way CE, mean over sequences
        kept = sum(gt.sum() for gt in gates.values())
        loss = task + args.k_coef * kept
        t2 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        with torch.no_grad():
            for t in taus.values():
                t.clamp_(-1, 1)
        t4 = time.perf_counter()
        if step >= args.warmup:
            times.append(t4 - t0)
            lens_seen.append(T)
            for k, dt in (("batch", t1 - t0), ("forward_loss", t2 - t1), ("backward", t3 - t2), ("adamw_clamp", t4 - t3)):
                phase[k] += dt
    med = statistics.median(times)
    blas, blas_libs = blas_summary()
    res = {
        "size": args.size, "mode": args.mode, "threads": args.threads, "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "steps": args.steps, "warmup": args.warmup, "batch_sequences": 2 * args.pairs, "nodes": n_nodes,
        "prompts": source, "mean_padded_len": statistics.mean(lens_seen),
        "median_ms": med * 1e3, "mean_ms": statistics.mean(times) * 1e3, "min_ms": min(times) * 1e3,
        "steps_per_s": 1 / med,
        "phase_ms_mean": {k: v / args.steps * 1e3 for k, v in phase.items()},
        "task_loss_last": float(task), "kept_last": int(kept),
        "peak_rss_mb": peak_rss_mb(), "cpu": cpu_model(), "torch": torch.__version__,
        "python": sys.executable + " " + platform.python_version(), "blas": blas, "blas_libs": blas_libs,
    }
    print(f"torch prune step, {args.size} {args.mode}, {args.threads} thread(s), {2 * args.pairs} sequences "
          f"(padded to {res['mean_padded_len']:.0f} tokens on average), {n_nodes} nodes, prompts: {source}")
    print(f"step: median {res['median_ms']:.1f} ms ({res['steps_per_s']:.2f} steps/s), mean {res['mean_ms']:.1f}, min {res['min_ms']:.1f}")
    print("phases (mean ms): " + "  ".join(f"{k} {v:.1f}" for k, v in res["phase_ms_mean"].items()))
    print(f"cpu: {res['cpu']}; torch {torch.__version__}; BLAS: {blas}; loaded: {', '.join(blas_libs) or '-'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
