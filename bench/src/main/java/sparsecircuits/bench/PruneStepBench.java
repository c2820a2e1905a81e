package sparsecircuits.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.info.PlatformInfo;
import sparsecircuits.model.corpus.SyntheticPython;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.tokenizer.BpeTrainer;
import sparsecircuits.model.tokenizer.ByteLevelBpe;
import sparsecircuits.pruning.loss.TaskLoss;
import sparsecircuits.pruning.nodes.MaskOps;
import sparsecircuits.pruning.nodes.NodeMask;
import sparsecircuits.pruning.nodes.NodeMeans;
import sparsecircuits.pruning.prune.Pruner;
import sparsecircuits.pruning.tasks.PaperTaskTargets;
import sparsecircuits.pruning.tasks.PaperTasks;
import sparsecircuits.pruning.tasks.Task;
import sparsecircuits.pruning.tasks.TaskTokens;

/**
 * Pruning (mask-training) throughput, issue 5: steps/s of the real {@link Pruner#train} on a frozen model, sparse
 * (every sparse tensor at density 1/16, as after annealing) or dense, with the real task single_double_quote
 * (pairs tokenised by a BPE trained on the synthetic corpus) and node means computed on corpus windows.
 * Batch 16 pairs = 32 sequences ({@link Pruner.Settings#defaults()}). Steps are timed through the Pruner's
 * listener (the wall time between consecutive step callbacks) after {@code warmup} steps.
 *
 * <p>Usage: {@code PruneStepBench [sparse|dense] [demo|perf|e8|d48] [steps] [warmup]}; {@code -Dprofile=true} adds an
 * op-level profile from a replica of one Pruner step on a profiling tape (same ops, same order);
 * {@code -Dexport=file.json} writes the model's training sequences (so a PyTorch peer can use the same prompts).
 * Prints one summary line and a JSON line.
 */
public final class PruneStepBench {

    /** The two sizes: the demo model and PERF.md's training-bench model. */
    static GptConfig config(String size) {
        return switch (size) {
            // 2 layers, d_model 128, 8 heads × 16, vocab 512, ctx 64, d_mlp 512
            case "demo" -> GptConfig.builder().vocabSize(512).nLayer(2).dModel(128).blockSize(64).build();
            // 4 layers, d_model 256, 16 heads × 16, d_mlp 1024, vocab 2048, ctx 128 (TrainStepBench, gpt_step.py)
            case "perf" -> GptConfig.builder().vocabSize(2048).nLayer(4).dModel(256).blockSize(128).build();
            // the width benchmark's E = 8 model: 2 layers, d_model 512 (32 heads × 16, d_mlp 2048), vocab 512, ctx 64
            case "e8" -> GptConfig.builder().vocabSize(512).nLayer(2).dModel(512).blockSize(64).build();
            // its loss-matched dense partner: d_model 48 (3 heads × 16, d_mlp 192)
            case "d48" -> GptConfig.builder().vocabSize(512).nLayer(2).dModel(48).blockSize(64).build();
            default -> throw new IllegalArgumentException("size must be demo, perf, e8 or d48, got " + size);
        };
    }

    public static void main(String[] args) throws IOException {
        String mode = args.length > 0 ? args[0] : "sparse";
        String size = args.length > 1 ? args[1] : "demo";
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        if (!mode.equals("sparse") && !mode.equals("dense")) throw new IllegalArgumentException("mode must be sparse or dense");
        Kernels k = KernelProvider.get();
        GptConfig cfg = config(size);
        Gpt g = new Gpt(cfg, 1);
        boolean sparse = mode.equals("sparse");
        if (sparse && size.equals("d48")) throw new IllegalArgumentException("d48 is the dense partner: run it with mode dense");
        // the weights as after annealing: one optimizer step (zero gradients) placed past the anneal stop applies
        // the schedule's per-tensor top-k, exactly as TrainStepBench does: density 1/16 on matrices at demo/perf;
        // at e8 the width benchmark's L0 A (pfrac 1/4 of a width-64 base, E = 8, at least 2 per neuron)
        long total = 1000;
        boolean wide = size.equals("e8");
        Schedule s = !sparse ? Schedule.dense(total) : wide ? Schedule.standard(total, 0.25, 8.0) : Schedule.standard(total, 1.0 / 16, 1.0);
        int minPerNeuron = !sparse ? 0 : wide ? 2 : 4;
        SparseAdam opt = new SparseAdam(g.parameterList(), s, 1e-2, SparseAdam.Settings.defaults().withMinPerNeuron(minPerNeuron), k);
        opt.setStepsTaken(total * 6 / 10);
        opt.step();
        for (var p : g.parameterList()) p.zeroGrad();
        double density = (double) g.nonZeroBudget() / g.parameterCount();

        // the task: single_double_quote pairs, tokenised by a BPE trained on the synthetic corpus
        long t0 = System.nanoTime();
        ByteLevelBpe bpe = new BpeTrainer(cfg.vocabSize(), PaperTaskTargets.all()).train(SyntheticPython.documentsOfAtLeast(0, 1_500_000));
        Task task = PaperTasks.byName("single_double_quote").orElseThrow();
        List<TaskLoss.Sequence> train = TaskLoss.sequences(
                TaskTokens.tokenizeSkippingClashes(task.name(), task.pairs(Task.Split.TRAIN, 256, 0), bpe).pairs());
        // node means over corpus windows (the cost of a pruning step does not depend on their values)
        int[] corpus = bpe.encode(String.join("\n", SyntheticPython.documentsOfAtLeast(1, 200_000)));
        List<int[]> windows = new ArrayList<>();
        int mb = 8;
        SplittableRandom wr = new SplittableRandom(3);
        for (int i = 0; i < 8; i++) {
            int[] w = new int[mb * cfg.blockSize()];
            for (int j = 0; j < mb; j++) System.arraycopy(corpus, wr.nextInt(corpus.length - cfg.blockSize()), w, j * cfg.blockSize(), cfg.blockSize());
            windows.add(w);
        }
        NodeMeans means = NodeMeans.compute(g, windows, mb, k, i -> { });
        double setupS = (System.nanoTime() - t0) / 1e9;
        int[] lens = train.stream().mapToInt(q -> Math.min(q.tokens().length, cfg.blockSize())).sorted().toArray();
        String export = System.getProperty("export");
        if (export != null) exportSequences(Path.of(export), train);

        Pruner pruner = new Pruner(g, means, NodeMask.Ablation.MEAN, k);
        Pruner.Settings ps = Pruner.Settings.defaults().withSteps(warmup + steps);
        long[] stamp = new long[warmup + steps + 1];
        double[] lastLoss = new double[1];
        long[] lastKept = new long[1];
        stamp[0] = System.nanoTime();
        pruner.train(train, ps, (step, n, loss, kept) -> {
            stamp[step] = System.nanoTime();
            lastLoss[0] = loss;
            lastKept[0] = kept;
        });
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) ms[i] = (stamp[warmup + i + 1] - stamp[warmup + i]) / 1e6;
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2], mean = Arrays.stream(ms).average().orElse(0);
        String cpu = PlatformInfo.detect().cpuModel();
        System.out.printf(Locale.ROOT, "%s %s: median %.1f ms/step (%.2f steps/s), mean %.1f, min %.1f, batch %d pairs, prompt tokens %d..%d (median %d), "
                        + "density %.4f, task loss %.3f, kept %d, %s, %d threads, setup %.1f s, %s%n",
                mode, size, median, 1000 / median, mean, sorted[0], ps.batchPairs(), lens[0], lens[lens.length - 1], lens[lens.length / 2],
                density, lastLoss[0], lastKept[0], k.name(), k.pool().threads(), setupS, cpu);
        if (Boolean.getBoolean("profile")) profile(g, pruner, train, ps, k, Integer.getInteger("profileSteps", Math.max(steps, 5)));
        System.out.printf(Locale.ROOT, "{\"mode\":\"%s\",\"size\":\"%s\",\"median_ms\":%.2f,\"mean_ms\":%.2f,\"min_ms\":%.2f,\"steps_per_s\":%.3f,"
                        + "\"steps\":%d,\"warmup\":%d,\"batch_pairs\":%d,\"density\":%.5f,\"threads\":%d,\"kernels\":\"%s\",\"cpu\":\"%s\"}%n",
                mode, size, median, mean, sorted[0], 1000 / median, steps, warmup, ps.batchPairs(), density, k.pool().threads(), k.name(), cpu);
    }

    /**
     * A replica of one {@link Pruner#train} step (same ops in the same order, on a profiling tape) run {@code n}
     * times; prints the tape's per-op forward/backward milliseconds per step and the step's phases.
     */
    private static void profile(Gpt g, Pruner pruner, List<TaskLoss.Sequence> train, Pruner.Settings s, Kernels k, int n) {
        Map<String, Tensor> tau = new LinkedHashMap<>();
        for (String hook : g.nodeHookNames()) {
            int w = widthOf(g, hook);
            float[] v = new float[w];
            Arrays.fill(v, 0.1f);
            tau.put(hook, Tensor.variable(v, w));
        }
        SplittableRandom r = new SplittableRandom(7);
        int pairs = train.size() / 2, padTo = TaskLoss.maxLength(g, train);
        String batching = System.getProperty("batching", "groups");
        int groups = Integer.getInteger("groups", Pruner.PAD_GROUPS), quantum = Integer.getInteger("quantum", Pruner.PAD_QUANTUM);
        System.out.printf(Locale.ROOT, "  profile batching: %s%s%n", batching, batching.equals("groups") ? " (" + groups + " groups, quantum " + quantum + ")" : "");
        Tape tape = new Tape(true);
        double fw = 0, bw = 0;
        Map<String, double[]> prof = new TreeMap<>();
        for (int i = -Integer.getInteger("profileWarmup", 10); i < n; i++) {
            List<TaskLoss.Sequence> batch = new ArrayList<>();
            for (int b = 0; b < s.batchPairs(); b++) {
                int p = r.nextInt(pairs);
                batch.add(train.get(2 * p));
                batch.add(train.get(2 * p + 1));
            }
            if (i == 0) tape.resetProfile();
            long a = System.nanoTime();
            tape.clear();
            tape.markStart();
            Ops ops = new Ops(k, tape).sparseBelow(Double.parseDouble(System.getProperty("sparseBelow", "1.0")));
            Map<String, Tensor> gates = new LinkedHashMap<>();
            Tensor kept = null;
            for (Map.Entry<String, Tensor> e : tau.entrySet()) {
                Tensor gt = MaskOps.heaviside(ops, e.getValue(), s.temperature());
                gates.put(e.getKey(), gt);
                kept = kept == null ? ops.sum(gt) : ops.add(kept, ops.sum(gt));
            }
            Tensor taskL = switch (batching) {
                case "byLength" -> TaskLoss.loss(g, batch, ops, pruner.mask(gates));           // the Pruner before the padded passes
                case "global" -> TaskLoss.lossPadded(g, batch, padTo, ops, pruner.mask(gates).of(batch.size(), padTo));
                default -> TaskLoss.lossPadded(g, batch, groups, quantum, ops, pruner.mask(gates).of(batch.size(), padTo));
            };
            Tensor loss = ops.add(taskL, ops.scale(kept, (float) s.kCoef()));
            taskL.item();
            long b = System.nanoTime();
            for (Tensor t : tau.values()) t.zeroGrad();
            tape.backward(List.of(loss), List.of(new float[] {1f}), new ArrayList<>(tau.values()));
            long c = System.nanoTime();
            if (i >= 0) {
                fw += (b - a) / 1e6;
                bw += (c - b) / 1e6;
            }
        }
        tape.profile().forEach((kk, vv) -> prof.put(kk, new double[] {vv[0] / n, vv[1] / n, vv[2] / n}));
        System.out.printf(Locale.ROOT, "  profile (replica of one Pruner step, mean of %d): forward+loss %.1f ms, backward %.1f ms (tau kept at 0.1: every node on)%n", n, fw / n, bw / n);
        prof.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                .forEach(en -> System.out.printf(Locale.ROOT, "    %-16s fwd %7.2f ms  bwd %7.2f ms  (%.0f calls)%n",
                        en.getKey(), en.getValue()[0], en.getValue()[1], en.getValue()[2]));
    }

    private static int widthOf(Gpt g, String hook) {
        for (var l : sparsecircuits.pruning.nodes.NodeLocation.of(g.config())) if (l.hook().equals(hook)) return l.width();
        throw new IllegalArgumentException(hook);
    }

    /** The training sequences as JSON: [{"tokens":[...],"correct":c,"other":o}, ...] (pairs consecutive). */
    private static void exportSequences(Path file, List<TaskLoss.Sequence> seqs) throws IOException {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < seqs.size(); i++) {
            TaskLoss.Sequence q = seqs.get(i);
            if (i > 0) sb.append(",\n");
            sb.append("{\"tokens\":").append(Arrays.toString(q.tokens())).append(",\"correct\":").append(q.correct())
                    .append(",\"other\":").append(q.other()).append('}');
        }
        Files.writeString(file, sb.append("]\n").toString());
    }
}
