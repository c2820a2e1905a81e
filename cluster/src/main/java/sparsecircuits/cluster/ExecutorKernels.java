package sparsecircuits.cluster;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.kernels.Kernels;
import sparsecircuits.kernels.WorkerPool;

/**
 * The kernels of an executor's running jobs: each job borrows kernels with its own thread pool (an executor runs as
 * many jobs at once as it has cores ÷ {@code spark.task.cpus}) and gives them back, so pools are made once per
 * executor, not per job.
 */
final class ExecutorKernels {
    private static final Map<Integer, Deque<Kernels>> FREE = new HashMap<>();

    private ExecutorKernels() {
    }

    static synchronized Kernels borrow(int threads) {
        Deque<Kernels> free = FREE.computeIfAbsent(threads, t -> new ArrayDeque<>());
        return free.isEmpty() ? KernelProvider.create(new WorkerPool(threads)) : free.pop();
    }

    static synchronized void giveBack(Kernels k) {
        FREE.computeIfAbsent(k.pool().threads(), t -> new ArrayDeque<>()).push(k);
    }
}
