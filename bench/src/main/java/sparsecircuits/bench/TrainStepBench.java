package sparsecircuits.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import sparsecircuits.autograd.graph.Ops;
import sparsecircuits.autograd.graph.Tape;
import sparsecircuits.autograd.graph.Tensor;
import sparsecircuits.autograd.optim.Schedule;
import sparsecircuits.autograd.optim.SparseAdam;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.info.PlatformInfo;
import sparsecircuits.model.gpt.Gpt;
import sparsecircuits.model.gpt.GptConfig;
import sparsecircuits.model.gpt.Hook;

/**
 * End-to-end training step at PERF.md's sizes (L4, d_model 256, 16 heads of d_head 16, V 2048, ctx 128,
 * batch 8): forward, backward, gradient-RMS normalisation, Adam, top-k, decay. Modes: {@code sparse}
 * (density 1/16 after annealing: the schedule is placed past its anneal stop) and {@code dense}.
 * Usage: {@code TrainStepBench [sparse|scalable|dense] [steps] [warmup]}; prints one line per mode and a JSON line.
 *
 * <p>System properties set other shapes: {@code layers}, {@code dModel}, {@code vocab}, {@code ctx}, {@code batch},
 * {@code dHead} (16); the sparse budget is either PERF.md's density 1/16 at E = 1 (default) or, with
 * {@code baseWidth} set, the width benchmark's L0: {@code pfrac} (0.25) of a base model of that width, E =
 * dModel / baseWidth, minimum {@code minPerNeuron} (2) per neuron. {@code phase=anneal} places the schedule in the
 * first tenth of the L0 anneal instead of after it. Mode {@code scalable} is {@code sparse} with the scalable recipe
 * (issue 18): the weights it holds are held, the first warm-up step brings in candidates so the held set is at its
 * steady size, and every {@code regrowEvery} (100) steps a regrowth step streams the dense gradient, so that the
 * mean counts them at their share.
 */
public final class TrainStepBench {
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "sparse";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int layers = Integer.getInteger("layers", 4), d = Integer.getInteger("dModel", 256);
        int vocab = Integer.getInteger("vocab", 2048), ctx = Integer.getInteger("ctx", 128), batch = Integer.getInteger("batch", 8);
        int dHead = Integer.getInteger("dHead", 16), baseWidth = Integer.getInteger("baseWidth", 0);
        Kernels k = KernelProvider.get();
        GptConfig cfg = GptConfig.builder().vocabSize(vocab).nLayer(layers).dModel(d).dHead(dHead).blockSize(ctx).build();
        Gpt g = new Gpt(cfg, 1);
        boolean scalable = mode.equals("scalable"), sparse = scalable || mode.equals("sparse");
        int regrowEvery = Integer.getInteger("regrowEvery", 100);
        long total = 1000;
        double pfrac = baseWidth > 0 ? Double.parseDouble(System.getProperty("pfrac", "0.25")) : 1.0 / 16;
        double expansion = baseWidth > 0 ? (double) d / baseWidth : 1.0;
        int minPerNeuron = baseWidth > 0 ? Integer.getInteger("minPerNeuron", 2) : 4;
        Schedule s = sparse ? Schedule.standard(total, pfrac, expansion) : Schedule.dense(total);
        SparseAdam opt = new SparseAdam(g.parameterList(), s, 1e-2, SparseAdam.Settings.defaults().withMinPerNeuron(sparse ? minPerNeuron : 0), k);
        boolean anneal = "anneal".equals(System.getProperty("phase"));
        // after the anneal stop every sparse tensor is at its target density; in the anneal's first tenth it is dense-ish
        opt.setStepsTaken(anneal ? total * 3 / 100 : total * 6 / 10);
        if (scalable) sparsecircuits.model.train.ScalableRecipe.holdAll(g.parameterList(), s, minPerNeuron);
        Random r = new Random(2);
        int[] w = new int[batch * (ctx + 1)];
        double[] ms = new double[steps];
        double fw = 0, bw = 0, op = 0;
        java.util.Map<String, double[]> prof = new java.util.TreeMap<>();
        double loss = 0;
        Tape tape = new Tape(!Boolean.getBoolean("noRecycle"));
        for (int i = -warmup; i < steps; i++) {
            for (int j = 0; j < w.length; j++) w[j] = r.nextInt(vocab);
            long t0 = System.nanoTime();
            tape.markStart();
            Ops ops = new Ops(k, tape).patternGradients(Boolean.getBoolean("patternGrad"))
                    .regrowth(scalable && (i == -warmup || i >= 0 && i % regrowEvery == regrowEvery - 1));
            Tensor l = g.loss(w, batch, ops, Hook.NONE);
            long ta = System.nanoTime();
            loss = l.item();
            tape.backward(l);
            tape.clear();
            long tb = System.nanoTime();
            opt.step();
            if (i == -1) tape.resetProfile();
            if (i == steps - 1) {
                tape.profile().forEach((kk, vv) -> {
                    double[] a = prof.computeIfAbsent(kk, z -> new double[3]);
                    for (int q = 0; q < 3; q++) a[q] += vv[q] / steps;
                });
            }
            if (i >= 0) {
                fw += (ta - t0) / 1e6;
                bw += (tb - ta) / 1e6;
                op += (System.nanoTime() - tb) / 1e6;
            }
            for (var p : g.parameterList()) p.zeroGrad();
            long t1 = System.nanoTime();
            if (i >= 0) ms[i] = (t1 - t0) / 1e6;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[steps / 2];
        long peak = 0;
        for (MemoryPoolMXBean b : ManagementFactory.getMemoryPoolMXBeans()) {
            if (b.getType() == MemoryType.HEAP && b.getPeakUsage() != null) peak += b.getPeakUsage().getUsed();
        }
        double density = (double) g.nonZeroBudget() / g.parameterCount();
        System.out.printf(Locale.ROOT, "%s: median %.1f ms/step, min %.1f, %.0f tokens/s, loss %.3f, density %.4f, peak heap %d MB, %s, %d threads, %s%n",
                mode, median, sorted[0], batch * ctx / (median / 1000), loss, density, peak >> 20, k.name(), k.pool().threads(), PlatformInfo.detect().cpuModel());
        System.out.printf(Locale.ROOT, "  mean forward %.1f ms, backward %.1f ms, optimizer %.1f ms%n", fw / steps, bw / steps, op / steps);
        prof.forEach((kk, vv) -> System.out.printf(Locale.ROOT, "    %-14s fwd %6.1f ms  bwd %6.1f ms  (%d calls)%n", kk, vv[0], vv[1], Math.round(vv[2])));
        System.out.printf(Locale.ROOT, "{\"mode\":\"%s\",\"median_ms\":%.2f,\"min_ms\":%.2f,\"tokens_per_s\":%.0f,\"peak_heap_mb\":%d,\"threads\":%d,\"cpu\":\"%s\"}%n",
                mode, median, sorted[0], batch * ctx / (median / 1000), peak >> 20, k.pool().threads(), PlatformInfo.detect().cpuModel());
    }
}
