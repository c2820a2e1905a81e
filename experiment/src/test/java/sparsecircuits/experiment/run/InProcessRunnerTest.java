package sparsecircuits.experiment.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.Job;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.store.LocalDirectoryStore;

/** The runner: dependency order, finished jobs found and never rerun, changed inputs rerun with their dependents only, failures contained. */
class InProcessRunnerTest {

    /** a -> b, a -> c, (b, c) -> d: a diamond. */
    private static List<FakeJob> diamond() {
        FakeJob a = new FakeJob("a", "A");
        FakeJob b = new FakeJob("b", "B", a), c = new FakeJob("c", "C", a);
        FakeJob d = new FakeJob("d", "D", b, c);
        return List.of(a, b, c, d);
    }

    private static Plan fixed(List<? extends Job> jobs) {
        return f -> new ArrayList<>(jobs);
    }

    private static RunSummary run(Plan plan, Path dir, int jobsAtOnce) throws IOException {
        return new InProcessRunner(jobsAtOnce, 1).run(plan, new LocalDirectoryStore(dir), RunListener.NONE, () -> false);
    }

    @Test
    void runsEachJobOnceAfterWhatItReadsAndARerunFindsThemAll(@TempDir Path dir) throws IOException {
        List<FakeJob> jobs = diamond();
        RunSummary first = run(fixed(jobs), dir, 2);
        assertTrue(first.complete());
        assertEquals(4, first.ran().size());
        assertEquals("D+B+A+C+A", Files.readString(dir.resolve("out/d.txt")), "d read b and c, which read a");
        for (FakeJob j : jobs) assertEquals(1, j.runs(), j.name);
        RunSummary again = run(fixed(diamond()), dir, 1);
        assertEquals(List.of(), again.ran(), "every result is found");
        assertEquals(first.records().keySet(), again.records().keySet());
        for (String name : first.records().keySet()) assertEquals(first.records().get(name).id(), again.records().get(name).id());
    }

    @Test
    void aChangedInputRerunsThatJobAndWhatReadsIt(@TempDir Path dir) throws IOException {
        run(fixed(diamond()), dir, 1);
        List<FakeJob> jobs = diamond();
        jobs.get(1).setting = "B2";
        RunSummary r = run(fixed(jobs), dir, 1);
        assertEquals(List.of("b", "d"), r.ran());
        assertEquals("D+B2+A+C+A", Files.readString(dir.resolve("out/d.txt")));
        try (var s = Files.list(dir.resolve(LocalDirectoryStore.JOBS))) {
            assertEquals(4, s.count(), "the replaced records of b and d are forgotten: one record per output");
        }
    }

    @Test
    void aDeletedOutputIsComputedAgain(@TempDir Path dir) throws IOException {
        run(fixed(diamond()), dir, 1);
        Files.delete(dir.resolve("out/c.txt"));
        RunSummary r = run(fixed(diamond()), dir, 1);
        assertEquals(List.of("c"), r.ran(), "c again; d's inputs (c's id) did not change");
    }

    @Test
    void aFailedJobStopsWhatReadsItAndNothingElse(@TempDir Path dir) throws IOException {
        List<FakeJob> jobs = diamond();
        jobs.get(1).fail = true;
        RunSummary r = run(fixed(jobs), dir, 2);
        assertFalse(r.complete());
        assertEquals(Map.of("b", "b failed on purpose"), r.failures());
        assertTrue(r.ran().containsAll(List.of("a", "c")));
        assertEquals(0, jobs.get(3).runs(), "d reads b");
        assertFalse(Files.exists(dir.resolve("out/b.txt")), "no partial result");
        jobs.get(1).fail = false;
        RunSummary fixedRun = run(fixed(jobs), dir, 2);
        assertEquals(List.of("b", "d"), fixedRun.ran(), "a rerun keeps what finished");
    }

    @Test
    void aPlanUnfoldsAsResultsArrive(@TempDir Path dir) throws IOException {
        FakeJob first = new FakeJob("first", "1");
        List<FakeJob> later = new ArrayList<>();
        Plan plan = f -> {
            List<Job> jobs = new ArrayList<>(List.of(first));
            if (f.has(first)) { // a second stage that depends on what the first found
                if (later.isEmpty()) later.add(new FakeJob("second-" + f.of(first).result().get("text"), "2", first));
                jobs.addAll(later);
            }
            return jobs;
        };
        RunSummary r = run(plan, dir, 1);
        assertEquals(List.of("first", "second-1"), r.ran());
    }

    @Test
    void recordsAreTheSameForAnyNumberOfJobsAtOnce(@TempDir Path dir) throws IOException {
        RunSummary one = run(fixed(diamond()), dir.resolve("one"), 1), two = run(fixed(diamond()), dir.resolve("two"), 3);
        for (String name : one.records().keySet()) {
            JobRecord a = one.records().get(name), b = two.records().get(name);
            assertEquals(a.id(), b.id(), name);
            assertEquals(a.result(), b.result(), name);
        }
    }

    @Test
    void aStopRunsNothingNew(@TempDir Path dir) throws IOException {
        RunSummary r = new InProcessRunner(1, 1).run(fixed(diamond()), new LocalDirectoryStore(dir), RunListener.NONE, () -> true);
        assertTrue(r.ran().size() <= 1, "at most the job started before the stop was seen: " + r.ran());
    }
}
