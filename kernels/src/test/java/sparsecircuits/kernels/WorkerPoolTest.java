package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The chunking contract the kernels' determinism rests on. */
class WorkerPoolTest {

    /** Each index of [0, n) is visited exactly once; returns the number of chunks and the threads used. */
    private static int[] coverage(WorkerPool pool, int n, long work, Set<Thread> threads) {
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        AtomicInteger chunks = new AtomicInteger();
        pool.forRange(n, work, (from, to) -> {
            assertTrue(0 <= from && from < to && to <= n, "chunk [" + from + ", " + to + ") of " + n);
            chunks.incrementAndGet();
            threads.add(Thread.currentThread());
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) if (hits.get(i) != 1) fail("index " + i + " visited " + hits.get(i) + " times (n=" + n + ")");
        return new int[] {chunks.get()};
    }

    @Test
    void forRangeCoversEveryIndexOnceAndSplitsOnlyAboveTheThreshold() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int n : new int[] {0, 1, 2, 3, 4, 7, 100, 1001}) {
                Set<Thread> small = ConcurrentHashMap.newKeySet();
                int[] c = coverage(pool, n, WorkerPool.MIN_PARALLEL_WORK - 1, small);
                assertEquals(n == 0 ? 0 : 1, c[0], "below the threshold the work is one chunk");
                if (n > 0) assertEquals(Set.of(Thread.currentThread()), small, "below the threshold: the calling thread only");
                Set<Thread> big = ConcurrentHashMap.newKeySet();
                c = coverage(pool, n, WorkerPool.MIN_PARALLEL_WORK * 10, big);
                assertEquals(Math.min(3, n), c[0], "above the threshold: min(threads, n) chunks for n=" + n);
            }
        }
        try (WorkerPool one = new WorkerPool(1)) {
            Set<Thread> t = ConcurrentHashMap.newKeySet();
            assertEquals(1, coverage(one, 500, Long.MAX_VALUE, t)[0]);
            assertEquals(Set.of(Thread.currentThread()), t);
        }
    }

    @Test
    void forWeightedRangeCoversEveryIndexOnce() {
        try (WorkerPool pool = new WorkerPool(3)) {
            int[][] prefixes = {
                {0, 0, 0, 0, 0, 0},            // no work at all
                {0, 100000, 100000, 100000},   // everything in the first row
                {0, 0, 0, 0, 200000},          // everything in the last row
                {0, 5, 10, 15, 20, 25, 30, 35} // uniform
            };
            for (int[] prefix : prefixes) {
                int n = prefix.length - 1;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forWeightedRange(n, prefix, 0, 1000, (from, to) -> {
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "row " + i + " of " + java.util.Arrays.toString(prefix));
            }
        }
    }

    @Test
    void exceptionsReachTheCallerAndNestedCallsRunInline() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.forRange(10, Long.MAX_VALUE, (from, to) -> {
                        if (to == 10) throw new IllegalStateException("boom in the last chunk");
                    }));
            // ForkJoin may rethrow a copy of a worker's exception; type and message survive.
            assertTrue(e.getMessage().contains("boom in the last chunk"), e.getMessage());
            AtomicInteger inner = new AtomicInteger();
            pool.forRange(4, Long.MAX_VALUE, (from, to) -> {
                for (int i = from; i < to; i++) {
                    pool.forRange(8, Long.MAX_VALUE, (a, b) -> inner.addAndGet(b - a)); // must not deadlock
                }
            });
            assertEquals(4 * 8, inner.get(), "every nested range ran completely");
        }
    }

    @Test
    void constructionAndDefaults() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(1025));
        try (WorkerPool p = new WorkerPool(3)) {
            assertEquals(3, p.threads());
        }
        assertSame(WorkerPool.defaultPool(), WorkerPool.defaultPool());
        assertTrue(WorkerPool.defaultPool().threads() >= 1);
    }
}
