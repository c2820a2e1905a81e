package sparsecircuits.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own thread pool (never the common pool). Work is split into contiguous chunks of
 * output rows; each output has one writer, so results do not depend on the number of threads.
 * Calls made from inside a worker run inline, so nested kernels cannot deadlock.
 */
public final class WorkerPool implements AutoCloseable {

    /** Work below this many multiply-adds runs on the calling thread: forking costs more than it saves. */
    public static final long MIN_PARALLEL_WORK = 1L << 16;

    /** A chunk of work over items [from, to). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    private static volatile WorkerPool defaultPool;

    private final int threads;
    private final ForkJoinPool pool;

    /** A pool of {@code threads} workers (the calling thread counts as one of them). */
    public WorkerPool(int threads) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be in [1, 1024], got " + threads);
        }
        this.threads = threads;
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = threads == 1 ? null : new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("sparse-circuits-" + id + "-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /**
     * The process-wide pool: {@code -Dsparsecircuits.threads=N} when given, else one worker per
     * available processor.
     */
    public static WorkerPool defaultPool() {
        WorkerPool p = defaultPool;
        if (p == null) {
            synchronized (WorkerPool.class) {
                p = defaultPool;
                if (p == null) {
                    p = new WorkerPool(configuredThreads());
                    defaultPool = p;
                }
            }
        }
        return p;
    }

    /** The threads the process may use: {@code -Dsparsecircuits.threads=N} when given, else the available processors. */
    public static int configuredThreads() {
        String s = System.getProperty("sparsecircuits.threads");
        if (s == null || s.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(s.trim());
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("-Dsparsecircuits.threads must be a positive integer, got '" + s + "'");
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, n) split into at most {@code threads()} contiguous chunks; stays on
     * the calling thread when {@code totalWork} is below {@link #MIN_PARALLEL_WORK}.
     */
    public void forRange(int n, long totalWork, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int chunks = chunksFor(n, totalWork);
        if (chunks <= 1) {
            task.run(0, n);
            return;
        }
        int[] bounds = new int[chunks + 1];
        for (int c = 0; c <= chunks; c++) {
            bounds[c] = (int) ((long) n * c / chunks);
        }
        runChunks(bounds, task);
    }

    /**
     * Like {@link #forRange} but balances chunks by a prefix sum of per-item work
     * ({@code prefix[i+1] − prefix[i]} is item i's work; e.g. a CSR rowPtr).
     */
    public void forWeightedRange(int n, int[] prefix, int prefixOff, long workPerUnit, RangeTask task) {
        if (n <= 0) {
            return;
        }
        long total = (long) (prefix[prefixOff + n] - prefix[prefixOff]) * workPerUnit + n;
        int chunks = chunksFor(n, total);
        if (chunks <= 1) {
            task.run(0, n);
            return;
        }
        int[] bounds = new int[chunks + 1];
        bounds[chunks] = n;
        long base = prefix[prefixOff];
        long units = prefix[prefixOff + n] - base;
        for (int c = 1; c < chunks; c++) {
            long goal = base + units * c / chunks;
            int lo = bounds[c - 1], hi = n;
            while (lo < hi) { // first row whose start reaches the goal
                int mid = (lo + hi) >>> 1;
                if (prefix[prefixOff + mid] < goal) lo = mid + 1; else hi = mid;
            }
            bounds[c] = lo;
        }
        runChunks(bounds, task);
    }

    private int chunksFor(int n, long totalWork) {
        if (pool == null || totalWork < MIN_PARALLEL_WORK || ForkJoinTask.inForkJoinPool()) {
            return 1;
        }
        return Math.min(threads, n);
    }

    private void runChunks(int[] bounds, RangeTask task) {
        int chunks = bounds.length - 1;
        ForkJoinTask<?>[] forks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            final int from = bounds[c], to = bounds[c + 1];
            if (from < to) {
                forks[c - 1] = pool.submit(() -> task.run(from, to));
            }
        }
        RuntimeException first = null;
        try {
            if (bounds[0] < bounds[1]) {
                task.run(bounds[0], bounds[1]);
            }
        } catch (RuntimeException e) {
            first = e;
        }
        for (ForkJoinTask<?> f : forks) {
            if (f == null) continue;
            try {
                f.join();
            } catch (RuntimeException e) {
                if (first == null) first = e;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        if (pool != null && this != defaultPool) {
            pool.shutdown();
        }
    }

    @Override
    public String toString() {
        return "WorkerPool[" + threads + " threads]";
    }
}
