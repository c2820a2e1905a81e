#!/usr/bin/python3
"""Regenerates the committed reference-logit fixture of ReferenceLogitsTest (model module) from the authors' code.

    /usr/bin/python3 bench/torch/make_reference_fixture.py --repo CIRCUIT_SPARSITY [--out DIR]

CIRCUIT_SPARSITY is a checkout of openai/circuit_sparsity, or its bare git directory (its HEAD is then extracted
into a temporary directory); the commit is read with git when there is one, else pass --commit. DIR defaults to
model/src/test/resources/sparsecircuits/model/reference (relative to the repository root).

For each variant below, the authors' own GPT (circuit_sparsity/inference/gpt.py, fp32, CPU, one thread) makes
the model: GPT(GPTConfig(...)) with their init, then perturbed so that no term hides in the init's 0.02 noise
(every parameter + 0.5·N(0,1), sink logits shifted by +1, a random final_logits_bias), then zeroed at a per-tensor
density (some below Ops.DEFAULT_SPARSE_BELOW, so the default forward runs those through CSR; some matrix rows end
up empty). Variant "sink-bigram-abstopk" also gives one token (TINY_TOKEN) an embedding of scale 3e-4, so the
RMSNorm input at its positions has a mean square near the epsilon (float32 machine epsilon) and the logits
depend on that epsilon strongly. Written per variant into DIR/<variant>/:

  config.json          the GPTConfig fields that differ from the reference defaults (GPT(GPTConfig(**json)) works)
  model.safetensors    the reference state_dict (F32), as ModelFiles.load reads it
  logits.safetensors   "tokens" [4, 16] (I32) and "logits" [4, 16, V]: four prompts at the full context;
                       "tokens.short" [2, 7] and "logits.short" [2, 7, V]: two shorter prompts;
                       "hook.<name>" [2, 7, width]: the reference's hook_save activations for the short prompts,
                       every hook name this engine also has (all but attn.y); metadata: source commit, torch
                       version, the smallest AbsTopK margin

AbsTopK ties: torch.topk and this engine may keep different entries when two |x| are (nearly) equal, and then
the logits differ by far more than rounding. Each prompt is therefore drawn again (from a seeded stream) until,
at every AbsTopK of every token, the k-th largest |x| exceeds the (k+1)-th by at least MARGIN relative to the
k-th (or the k-th is 0, when every choice keeps the same zeros). The smallest margin seen goes into the metadata.

With --from-model DIR --variant NAME it makes one fixture from a model directory this engine wrote (for instance
one trained with --recipe scalable): that config.json and model.safetensors are loaded strictly into the reference
GPT and copied into DIR/NAME as they are; the prompts and the reference's logits and hooks are made as above.

Run with Debian's torch 1.13 (python3-torch, /usr/bin/python3): check_reference.py's shims supply nn.RMSNorm
and F.scaled_dot_product_attention (torch 2.x semantics) and stub tiktoken/blobfile before gpt.py is imported.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_reference import install_shims, read_safetensors, write_safetensors  # noqa: E402

ALL_LOCATIONS = "attn_in,attn_out,mlp_in,mlp_out,mlp_neuron,attn_v,attn_k,attn_q"
COMMON = dict(rms_norm=True, tied_unembed=False, grad_checkpointing=False, flash=True, dropout=0.0, bias=True)
VARIANTS = {
    # the paper's architecture: sink, bigram table, AbsTopK 1/4 at all 8 locations, no positions;
    # n_head·d_head (48) differs from d_model (40), and no width is a multiple of 16 (vector-kernel tails)
    "sink-bigram-abstopk": dict(
        seed=1, tiny_token=7, positions=False,
        config=dict(vocab_size=72, n_layer=2, d_model=40, n_head=4, d_head=12, d_mlp=104, block_size=16,
                    afrac=0.25, afrac_loctypes=ALL_LOCATIONS, sink=True,
                    enable_bigram_table=True, learnable_bigram_table=True)),
    # learned absolute positions, no sink, no bigram table, AbsTopK 3/8 at four locations only
    "positions": dict(
        seed=2, tiny_token=None, positions=True,
        config=dict(vocab_size=64, n_layer=2, d_model=32, n_head=2, d_head=16, d_mlp=128, block_size=16,
                    afrac=0.375, afrac_loctypes="attn_k,attn_q,mlp_neuron,mlp_out", sink=False)),
}
# fraction of entries kept, by parameter-name suffix; everything else (gains, sinks, bigram table) stays dense
DENSITY = {
    "transformer.wte.weight": 0.5,
    "transformer.wpe.weight": 0.5,
    "attn.c_attn.weight": 0.25,
    "attn.c_proj.weight": 0.1,
    "mlp.c_fc.weight": 0.0625,
    "mlp.c_proj.weight": 0.08,
    "lm_head.weight": 0.35,
    "attn.c_attn.bias": 0.6,
    "attn.c_proj.bias": 0.6,
    "mlp.c_fc.bias": 0.6,
    "mlp.c_proj.bias": 0.6,
}
MARGIN = 1e-4
CONTEXT, SHORT = 16, 7


def is_git_dir(path):
    """A bare git directory (HEAD and objects/ at its top), as `git clone --bare` or `fetch` leave it."""
    return os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))


def source_commit(repo, commit):
    if commit:
        return commit
    def git(*args):
        r = subprocess.run(["git", *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else None

    if is_git_dir(repo):
        return git("--git-dir", repo, "rev-parse", "HEAD")
    top = git("-C", repo, "rev-parse", "--show-toplevel")  # a checkout, not a folder inside some other repository
    if top and os.path.realpath(top) == os.path.realpath(repo):
        return git("-C", repo, "rev-parse", "HEAD")
    raise SystemExit(f"{repo}: not a git checkout; pass --commit with the circuit_sparsity commit it holds")


def checkout(repo):
    """A directory holding circuit_sparsity/inference/gpt.py: repo itself, or HEAD of a bare git dir extracted."""
    if os.path.exists(os.path.join(repo, "circuit_sparsity", "inference", "gpt.py")):
        return repo
    if is_git_dir(repo):
        out = tempfile.mkdtemp(prefix="circuit_sparsity.")
        archive = subprocess.run(["git", "--git-dir", repo, "archive", "HEAD"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", out], input=archive.stdout, check=True)
        return out
    raise SystemExit(f"{repo}: neither a circuit_sparsity checkout nor its bare git directory")


class Margins:
    """Wraps GPTConfig.maybe_activation_sparsity to record the smallest relative AbsTopK margin of a forward."""

    def __init__(self, GPTConfig):
        self.smallest = float("inf")
        original = GPTConfig.maybe_activation_sparsity
        margins = self

        def wrapped(config, x, loctype):
            if config.afrac is not None and loctype in config.afrac_loctypes.split(","):
                k = int(config.afrac * x.shape[-1])
                top = torch.topk(x.detach().abs().reshape(-1, x.shape[-1]), k + 1, dim=-1, sorted=True).values
                kth, next_ = top[:, k - 1], top[:, k]
                rel = torch.where(kth > 0, (kth - next_) / kth.clamp_min(1e-30), torch.ones_like(kth))
                margins.smallest = min(margins.smallest, rel.min().item())
            return original(config, x, loctype)

        GPTConfig.maybe_activation_sparsity = wrapped

    def measure(self, model, tokens):
        self.smallest = float("inf")
        with torch.no_grad():
            logits, _, _ = model(tokens)
        return self.smallest, logits


def make_model(GPT, GPTConfig, spec):
    config = GPTConfig(**COMMON, **spec["config"])
    torch.manual_seed(spec["seed"])
    model = GPT(config)
    gen = torch.Generator().manual_seed(1000 + spec["seed"])
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.5 * torch.randn(p.shape, generator=gen))
            if name.endswith("sink_logit"):
                p.add_(1.0)  # a sink that takes a real share of the attention
            for suffix, density in DENSITY.items():
                if name.endswith(suffix):
                    p.mul_((torch.rand(p.shape, generator=gen) < density).float())
        if not spec["positions"]:
            model.transformer.wpe.weight.zero_()
        if spec["tiny_token"] is not None:
            wte = model.transformer.wte.weight
            wte[spec["tiny_token"]] = 3e-4 * torch.randn(wte.shape[1], generator=gen)
        model.final_logits_bias.copy_(torch.randn(model.final_logits_bias.shape, generator=gen))
    model.eval()
    return config, model


def prompts(spec, vocab, margins, model, gen):
    """Four full-context prompts and two short ones, each redrawn until its AbsTopK margins clear MARGIN."""
    tiny = spec["tiny_token"]

    def rand(n):
        return torch.randint(vocab, (n,), generator=gen)

    def random_prompt(n):
        return rand(n)

    def motif(n):  # a 5-token motif repeated: what induction heads see
        return rand(5).repeat((n + 4) // 5)[:n]

    def constant(n):  # one token throughout: identical rows, uniform attention
        return rand(1).repeat(n)

    def with_special(n):  # the tiny-embedding token (or, without one, the last id) at the first position and more
        t = rand(n)
        t[torch.tensor([0, 5, 6, 11])[: max(1, n // 4 + 1)]] = tiny if tiny is not None else vocab - 1
        return t

    def end_token(n):  # ends on the last id (where <|endoftext|> sits in a trained vocabulary)
        t = rand(n)
        t[-1] = vocab - 1
        return t

    chosen, smallest = {}, float("inf")
    for case, n, makers in (("full", CONTEXT, [random_prompt, motif, with_special, constant]),
                            ("short", SHORT, [end_token, with_special])):
        rows = []
        for make in makers:
            for attempt in range(200):
                t = make(n)
                margin, _ = margins.measure(model, t.unsqueeze(0))
                if margin >= MARGIN:
                    break
            else:
                raise SystemExit(f"{make.__name__}: no prompt with AbsTopK margins ≥ {MARGIN} in 200 draws")
            print(f"  {case} {make.__name__}: drawn {attempt + 1}×, smallest margin {margin:.3g}: {t.tolist()}")
            smallest = min(smallest, margin)
            rows.append(t)
        chosen[case] = torch.stack(rows)
    return chosen, smallest


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repo", required=True, help="openai/circuit_sparsity checkout or bare git directory")
    ap.add_argument("--commit", help="the circuit_sparsity commit (read with git when --repo is a git directory)")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.normpath(os.path.join(
        here, "..", "..", "model", "src", "test", "resources", "sparsecircuits", "model", "reference")))
    ap.add_argument("--from-model", metavar="DIR", help="instead of the variants above: a model directory this engine wrote"
                    " (config.json + model.safetensors, e.g. trained with --recipe scalable); its files go into the fixture as"
                    " they are, and the reference computes the logits and hooks")
    ap.add_argument("--variant", help="with --from-model: the fixture's directory name")
    args = ap.parse_args()
    if bool(args.from_model) != bool(args.variant):
        raise SystemExit("--from-model and --variant go together")

    commit = source_commit(args.repo, args.commit)
    root = checkout(args.repo)
    torch.set_num_threads(1)
    install_shims()
    sys.path.insert(0, root)
    from circuit_sparsity.inference.gpt import GPT, GPTConfig
    from circuit_sparsity.inference.hook_utils import hook_recorder

    import dataclasses
    defaults = {f.name: f.default for f in dataclasses.fields(GPTConfig)}
    margins = Margins(GPTConfig)
    variants = VARIANTS
    if args.from_model:
        with open(os.path.join(args.from_model, "config.json")) as f:
            ours = json.load(f)
        variants = {args.variant: dict(seed=3, tiny_token=None, from_model=args.from_model, config=ours)}
    for name, spec in variants.items():
        out = os.path.join(args.out, name)
        os.makedirs(out, exist_ok=True)
        print(f"{name}:")
        if "from_model" in spec:  # the engine's own files, loaded strictly into the reference GPT
            config = GPTConfig(**spec["config"])
            torch.manual_seed(0)
            model = GPT(config)
            model.load_state_dict(read_safetensors(os.path.join(spec["from_model"], "model.safetensors")), strict=True)
            model.eval()
        else:
            config, model = make_model(GPT, GPTConfig, spec)
        gen = torch.Generator().manual_seed(2000 + spec["seed"])
        chosen, smallest = prompts(spec, config.vocab_size, margins, model, gen)

        tensors = {}
        with torch.no_grad():
            for case, key in (("full", ""), ("short", ".short")):
                tokens = chosen[case]
                if case == "short":
                    with hook_recorder(regex=r"^(?!.*\.attn\.y$).*") as hooks:
                        logits, _, _ = model(tokens)
                    hooks = {k: v.detach().clone() for k, v in hooks.items()}
                else:
                    logits, _, _ = model(tokens)
                one_by_one = torch.cat([model(t.unsqueeze(0))[0] for t in tokens])
                print(f"  {case}: logits {list(logits.shape)}, max |logit| {logits.abs().max().item():.3g},"
                      f" batch vs one by one max |diff| {(logits - one_by_one).abs().max().item():.2e}")
                tensors["tokens" + key] = tokens.int()
                tensors["logits" + key] = logits
        for k, v in hooks.items():
            tensors["hook." + k] = v
        print(f"  hooks: {', '.join(hooks)}")

        fields = {k: v for k, v in dataclasses.asdict(config).items() if v != defaults[k]}
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(fields, f, indent=2)
            f.write("\n")
        if "from_model" in spec:
            shutil.copyfile(os.path.join(spec["from_model"], "model.safetensors"), os.path.join(out, "model.safetensors"))
            if os.path.exists(os.path.join(spec["from_model"], "train-config.json")):  # how it was trained, for the record
                shutil.copyfile(os.path.join(spec["from_model"], "train-config.json"), os.path.join(out, "train-config.json"))
        else:
            write_safetensors(os.path.join(out, "model.safetensors"), model.state_dict(), {"format": "pt"})
        write_safetensors(os.path.join(out, "logits.safetensors"), tensors, {
            "source": "openai/circuit_sparsity@" + commit + " circuit_sparsity/inference/gpt.py",
            "torch": torch.__version__,
            "smallest_abstopk_margin": f"{smallest:.4g}",
        })
        # the files read back as written
        back = read_safetensors(os.path.join(out, "logits.safetensors"))
        assert torch.equal(back["logits"], tensors["logits"])
        sizes = {f: os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))}
        print(f"  wrote {out}: {sizes}; smallest AbsTopK margin {smallest:.3g}")


if __name__ == "__main__":
    main()
