package sparsecircuits.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparsecircuits.experiment.job.JobRecord;
import sparsecircuits.experiment.plan.ExperimentPlan;
import sparsecircuits.experiment.plan.ExperimentSettings;
import sparsecircuits.experiment.run.ClusterRunner;
import sparsecircuits.experiment.run.InProcessRunner;
import sparsecircuits.experiment.run.RunListener;
import sparsecircuits.experiment.store.ResultStore;

/** The Spark runner on embedded Spark (local[2]) against the in-process runner, on the same small plan. */
class SparkRunnerTest {
    @BeforeAll
    static void loopback() {
        ClusterFixture.loopbackOnly();
    }

    @Test
    void localTwoGivesTheInProcessRunnersResultsExactly(@TempDir Path tmp) throws Exception {
        ExperimentSettings s = ClusterFixture.plan();
        Path inProcess = tmp.resolve("in-process"), spark = tmp.resolve("spark");
        ExperimentPlan.Outcome a = ExperimentPlan.run(s, inProcess, new InProcessRunner(2, 1), RunListener.NONE, () -> false);
        assertTrue(a.run().complete(), a.run().failures().toString());
        ExperimentPlan.Outcome b;
        try (ClusterRunner runner = new SparkRunnerProvider().open("local[2]", 1, "sparse-circuits test")) {
            ResultStore store = runner.store(spark.toString());
            b = ExperimentPlan.run(s, store, runner, RunListener.NONE, () -> false);
            assertTrue(b.run().complete(), b.run().failures().toString());
            assertEquals(a.run().ran().size(), b.run().ran().size());
            for (JobRecord r : b.run().records().values()) assertEquals("spark executor driver", r.worker().runner(), r.name());
            // a second run on Spark finds everything
            ExperimentPlan.Outcome again = ExperimentPlan.run(s, store, runner, RunListener.NONE, () -> false);
            assertEquals(0, again.run().ran().size(), again.run().ran().toString());
        }
        ClusterFixture.assertSameResults(a.run(), inProcess, b.run(), spark);
    }

    @Test
    void aSweepOnLocalTwoGivesTheInProcessResults(@TempDir Path tmp) throws Exception {
        var points = sparsecircuits.experiment.plan.SweepGrid.parse(ClusterFixture.GRID);
        Path inProcess = tmp.resolve("in-process"), spark = tmp.resolve("spark");
        var a = sparsecircuits.experiment.plan.SweepPlan.run(points, new sparsecircuits.experiment.store.LocalDirectoryStore(inProcess),
                new InProcessRunner(2, 1), RunListener.NONE, () -> false);
        assertTrue(a.run().complete(), a.run().failures().toString());
        try (ClusterRunner runner = new SparkRunnerProvider().open("local[2]", 1, "sparse-circuits sweep test")) {
            var b = sparsecircuits.experiment.plan.SweepPlan.run(points, runner.store(spark.toString()), runner, RunListener.NONE, () -> false);
            assertTrue(b.run().complete(), b.run().failures().toString());
            assertEquals(a.experiments().keySet(), b.experiments().keySet());
            ClusterFixture.assertSameResults(a.run(), inProcess, b.run(), spark);
        }
    }
}
