package sparsecircuits.pruning.loss;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.Hook;

/**
 * The task loss of SPEC §4.5 at the last position of each prompt. A binary pair contributes its two sides'
 * two-way cross-entropies (A: correct = target A against target B; B: the reverse); a single-target pair
 * −log p_A(target) and −log(1 − p_B(target)). Reported as the mean over sequences (the paper's two-sided
 * sum / 2), so the default target 0.15 means p(correct) ≈ 0.86 per side.
 *
 * <p>Prompts of equal length run as one batch; different lengths run separately (no padding: with causal
 * attention and no position embedding, padding would change what the model sees). Prompts longer than the
 * context are cut on the left.
 */
public final class TaskLoss {

    /** One side of a pair, tokenised: the prompt and what its last position must predict. */
    public record Sequence(int[] tokens, int correct, int other, Choice kind) {
        public Sequence {
            if (tokens.length == 0) throw new IllegalArgumentException("an empty prompt has no last position");
        }
    }

    /** Mean loss and accuracy over sequences. */
    public record Result(double loss, double accuracy, int sequences) {
    }

    private TaskLoss() {
    }

    /** The two sequences of a binary pair. */
    public static List<Sequence> binary(int[] promptA, int targetA, int[] promptB, int targetB) {
        if (targetA == targetB) {
            throw new IllegalArgumentException("both targets are token " + targetA + ": the pair cannot tell them apart");
        }
        return List.of(new Sequence(promptA, targetA, targetB, Choice.BINARY), new Sequence(promptB, targetB, targetA, Choice.BINARY));
    }

    /** The two sequences of a single-target pair (B may be null: then only the A side). */
    public static List<Sequence> single(int[] promptA, int target, int[] promptB) {
        List<Sequence> out = new ArrayList<>(List.of(new Sequence(promptA, target, -1, Choice.TARGET)));
        if (promptB != null) out.add(new Sequence(promptB, -1, target, Choice.AVOID));
        return out;
    }

    /** Both sides of every tokenised pair, in order (A then B). */
    public static List<Sequence> sequences(List<sparsecircuits.pruning.tasks.TaskTokens.TokenPair> pairs) {
        List<Sequence> out = new ArrayList<>();
        for (sparsecircuits.pruning.tasks.TaskTokens.TokenPair p : pairs) {
            out.addAll(p.singleTarget() ? single(p.promptA(), p.targetA(), p.promptB())
                    : binary(p.promptA(), p.targetA(), p.promptB(), p.targetB()));
        }
        return out;
    }

    /** The hook for one batch of equal-length prompts (resample ablation needs activations of that shape). */
    @FunctionalInterface
    public interface HookFor {
        Hook of(int batch, int tokens);

        /** Whether the hook acts the same at every position and batch shape (then prompts may be right-padded). */
        default boolean samePerShape() {
            return false;
        }

        /** One hook for every shape (a fixed node mask, mean or zero ablation, recording). */
        static HookFor fixed(Hook hook) {
            return new HookFor() {
                @Override
                public Hook of(int batch, int tokens) {
                    return hook;
                }

                @Override
                public boolean samePerShape() {
                    return true;
                }
            };
        }
    }

    /**
     * Sequences per right-padded pass when evaluating without a tape: large enough that the CSR products run on
     * whole token tiles, small enough that the prompts of one pass have similar lengths (little padding).
     */
    public static final int EVAL_PASS_SEQUENCES = 16;
    /** Padded lengths of an evaluation pass are multiples of this. */
    public static final int EVAL_QUANTUM = 8;

    /** The mean task loss as a one-element tensor on {@code ops}' tape (differentiable, e.g. for mask training). */
    public static Tensor loss(Gpt model, List<Sequence> seqs, Ops ops, Hook hook) {
        return loss(model, seqs, ops, HookFor.fixed(hook));
    }

    /** {@link #loss(Gpt, List, Ops, Hook)} with a hook per batch shape. */
    public static Tensor loss(Gpt model, List<Sequence> seqs, Ops ops, HookFor hookFor) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("no sequences");
        Tensor total = null;
        for (List<Sequence> group : byLength(model, seqs).values()) {
            int t = group.get(0).tokens().length, b = group.size();
            int[] tokens = new int[b * t], correct = new int[b], other = new int[b];
            Choice[] kind = new Choice[b];
            for (int i = 0; i < b; i++) {
                Sequence s = group.get(i);
                System.arraycopy(s.tokens(), 0, tokens, i * t, t);
                correct[i] = s.correct();
                other[i] = s.other();
                kind[i] = s.kind();
            }
            Tensor l = ChoiceLoss.of(ops, model.logitsAt(tokens, b, Gpt.lastPositions(b, t), ops, hookFor.of(b, t)), correct, other, kind);
            Tensor weighted = ops.scale(l, (float) b / seqs.size());
            total = total == null ? weighted : ops.add(total, weighted);
        }
        return total;
    }

    /**
     * {@link #loss(Gpt, List, Ops, Hook)} in ONE forward pass: every (left-truncated) prompt right-padded to the
     * longest of the batch, each sequence's loss read at its own last position. The same value as the by-length
     * batches (up to float rounding): attention is causal and every other op works per token, so tokens after a
     * prompt's last one can neither reach its logits nor receive a gradient from them (their rows' gradients
     * are exactly 0). For hooks that act the same at every position and batch shape (a fixed node mask, mean
     * or zero ablation), not for resample ablation (which draws activations per batch shape).
     *
     * <p>Why: a task batch has many prompt lengths (single_double_quote: 9..58 tokens), so by-length batches
     * are many forward passes of 2–3 sequences, and CSR products over fewer than one token tile (128) run their
     * slow tail path; one padded batch of 32 sequences is several times faster for mask training.
     *
     * @param length pad to at least this many tokens (at most the context): a training loop passes the longest
     *               prompt of its training set, so every step has the same shape and a recycling tape reuses
     *               every array (a shape per step would grow its pool without bound)
     */
    public static Tensor lossPadded(Gpt model, List<Sequence> seqs, int length, Ops ops, Hook hook) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("no sequences");
        List<Sequence> cut = new ArrayList<>(seqs.size());
        for (Sequence s : seqs) cut.add(truncate(model, s));
        return padded(model, cut, Math.min(Math.max(length, maxLength(model, cut)), model.config().blockSize()), ops, hook);
    }

    /**
     * {@link #lossPadded(Gpt, List, int, Ops, Hook)} in {@code groups} passes: the prompts sorted by length (stably)
     * and cut into {@code groups} equal runs, each right-padded to its longest prompt rounded up to a multiple
     * of {@code quantum} (at most the context), so little is padded and the shapes a recycling tape sees stay
     * few (at most groups · context/quantum). The mean over all sequences, as {@link #loss(Gpt, List, Ops, Hook)}.
     */
    public static Tensor lossPadded(Gpt model, List<Sequence> seqs, int groups, int quantum, Ops ops, Hook hook) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("no sequences");
        if (groups < 1 || quantum < 1) throw new IllegalArgumentException("groups and quantum must be >= 1");
        List<Sequence> cut = new ArrayList<>(seqs.size());
        for (Sequence s : seqs) cut.add(truncate(model, s));
        cut.sort((x, y) -> Integer.compare(x.tokens().length, y.tokens().length));
        int b = cut.size(), g = Math.min(groups, b), ctx = model.config().blockSize();
        Tensor total = null;
        for (int i = 0; i < g; i++) {
            List<Sequence> part = cut.subList(i * b / g, (i + 1) * b / g);
            Tensor l = padded(model, part, paddedLength(part.get(part.size() - 1).tokens().length, quantum, ctx), ops, hook);
            Tensor w = g == 1 ? l : ops.scale(l, (float) part.size() / b);
            total = total == null ? w : ops.add(total, w);
        }
        return total;
    }

    /** One right-padded pass over already truncated prompts, t ≥ the longest: the mean loss at each own last token. */
    private static Tensor padded(Gpt model, List<Sequence> cut, int t, Ops ops, Hook hook) {
        int b = cut.size();
        int[] correct = new int[b], other = new int[b];
        Choice[] kind = new Choice[b];
        for (int i = 0; i < b; i++) {
            correct[i] = cut.get(i).correct();
            other[i] = cut.get(i).other();
            kind[i] = cut.get(i).kind();
        }
        Padded p = Padded.of(cut, t);
        return ChoiceLoss.of(ops, model.logitsAt(p.tokens(), b, p.last(), ops, hook), correct, other, kind); // [b, V] at each last token
    }

    /** Prompts right-padded to t tokens each, {@code tokens[b·t]}, and the flat index of each prompt's own last token. */
    private record Padded(int[] tokens, int[] last) {
        static Padded of(List<Sequence> cut, int t) {
            int b = cut.size();
            int[] tokens = new int[b * t], last = new int[b];
            for (int i = 0; i < b; i++) {
                int[] q = cut.get(i).tokens();
                System.arraycopy(q, 0, tokens, i * t, q.length);
                Arrays.fill(tokens, i * t + q.length, (i + 1) * t, q[q.length - 1]); // padding: any valid token (never seen)
                last[i] = i * t + q.length - 1;
            }
            return new Padded(tokens, last);
        }
    }

    /** The padded length of a pass whose longest prompt has {@code longest} tokens: a multiple of quantum, at most ctx. */
    private static int paddedLength(int longest, int quantum, int ctx) {
        return Math.min(ctx, (longest + quantum - 1) / quantum * quantum);
    }

    /** The longest prompt of {@code seqs} after left-truncation to the context (the padded length for {@link #lossPadded}). */
    public static int maxLength(Gpt model, List<Sequence> seqs) {
        int t = 0;
        for (Sequence s : seqs) t = Math.max(t, Math.min(s.tokens().length, model.config().blockSize()));
        return t;
    }

    /** Loss and accuracy without a tape. A side is right when its correct token wins (BINARY: over the other; TARGET: argmax; AVOID: the other is not the argmax). */
    public static Result evaluate(Gpt model, List<Sequence> seqs, Ops ops, Hook hook) {
        return evaluate(model, seqs, ops, HookFor.fixed(hook));
    }

    /** {@link #evaluate(Gpt, List, Ops, Hook)} with a hook per batch shape. */
    public static Result evaluate(Gpt model, List<Sequence> seqs, Ops ops, HookFor hookFor) {
        float[][] last = lastLogits(model, seqs, ops, hookFor);
        int v = model.config().vocabSize();
        double loss = 0;
        int right = 0;
        for (int i = 0; i < seqs.size(); i++) {
            Sequence s = seqs.get(i);
            float[] x = last[i];
            loss += ChoiceLoss.of(ops, Tensor.constant(x, 1, v), new int[] {s.correct()}, new int[] {s.other()}, new Choice[] {s.kind()}).item();
            int arg = 0;
            for (int j = 1; j < v; j++) if (x[j] > x[arg]) arg = j;
            boolean ok = switch (s.kind()) {
                case BINARY -> x[s.correct()] > x[s.other()];
                case TARGET -> arg == s.correct();
                case AVOID -> arg != s.other();
            };
            if (ok) right++;
        }
        return new Result(loss / seqs.size(), (double) right / seqs.size(), seqs.size());
    }

    /**
     * The last-position logits of every sequence ({@code [V]} each, in input order). With a hook that is the same
     * for every shape, the prompts sorted by length run in right-padded passes of about {@link #EVAL_PASS_SEQUENCES}
     * (padded to a multiple of {@link #EVAL_QUANTUM} tokens; the same values up to float rounding, see
     * {@link #lossPadded(Gpt, List, int, Ops, Hook)}); otherwise equal lengths are batched together.
     */
    public static float[][] lastLogits(Gpt model, List<Sequence> seqs, Ops ops, HookFor hookFor) {
        float[][] out = new float[seqs.size()][];
        int v = model.config().vocabSize();
        List<Sequence> cut = new ArrayList<>();
        for (Sequence s : seqs) cut.add(truncate(model, s));
        if (hookFor.samePerShape()) {
            Integer[] order = new Integer[cut.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (x, y) -> Integer.compare(cut.get(x).tokens().length, cut.get(y).tokens().length)); // stable
            int n = order.length, passes = Math.max(1, (n + EVAL_PASS_SEQUENCES - 1) / EVAL_PASS_SEQUENCES), ctx = model.config().blockSize();
            Hook hook = hookFor.of(0, 0);
            for (int p = 0; p < passes; p++) {
                int from = p * n / passes, to = (p + 1) * n / passes, b = to - from;
                if (b == 0) continue;
                List<Sequence> part = new ArrayList<>(b);
                for (int i = from; i < to; i++) part.add(cut.get(order[i]));
                Padded padded = Padded.of(part, paddedLength(part.get(b - 1).tokens().length, EVAL_QUANTUM, ctx));
                float[] x = model.logitsAt(padded.tokens(), b, padded.last(), ops, hook).data();
                for (int i = 0; i < b; i++) out[order[from + i]] = Arrays.copyOfRange(x, i * v, (i + 1) * v);
                ops.recycle(); // the rows are copied: inference ops take the next pass's arrays from the same pool
            }
            return out;
        }
        Map<Integer, List<Integer>> groups = new TreeMap<>();
        for (int i = 0; i < cut.size(); i++) groups.computeIfAbsent(cut.get(i).tokens().length, n -> new ArrayList<>()).add(i);
        for (List<Integer> group : groups.values()) {
            int t = cut.get(group.get(0)).tokens().length, b = group.size();
            int[] tokens = new int[b * t];
            for (int i = 0; i < b; i++) System.arraycopy(cut.get(group.get(i)).tokens(), 0, tokens, i * t, t);
            float[] x = model.logitsAt(tokens, b, Gpt.lastPositions(b, t), ops, hookFor.of(b, t)).data();
            for (int i = 0; i < b; i++) out[group.get(i)] = Arrays.copyOfRange(x, i * v, (i + 1) * v);
            ops.recycle();
        }
        return out;
    }

    private static Sequence truncate(Gpt model, Sequence s) {
        int ctx = model.config().blockSize();
        return s.tokens().length <= ctx ? s
                : new Sequence(Arrays.copyOfRange(s.tokens(), s.tokens().length - ctx, s.tokens().length), s.correct(), s.other(), s.kind());
    }

    /** Sequences grouped by (left-truncated) length, in a fixed order. */
    private static Map<Integer, List<Sequence>> byLength(Gpt model, List<Sequence> seqs) {
        Map<Integer, List<Sequence>> groups = new TreeMap<>();
        for (Sequence s : seqs) {
            Sequence c = truncate(model, s);
            groups.computeIfAbsent(c.tokens().length, n -> new ArrayList<>()).add(c);
        }
        return groups;
    }
}
