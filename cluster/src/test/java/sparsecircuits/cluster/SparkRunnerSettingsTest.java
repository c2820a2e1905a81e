package sparsecircuits.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** What the Spark runner refuses before it starts Spark, and the JVM options the build gives every Spark JVM. */
class SparkRunnerSettingsTest {
    @Test
    void mastersAreCheckedBeforeSparkStarts() {
        assertTrue(SparkRunner.checkMaster("local[2]", 1));
        assertTrue(SparkRunner.checkMaster("local[*]", 1));
        assertTrue(SparkRunner.checkMaster("local[2,3]", 2));
        String few = assertThrows(IllegalArgumentException.class, () -> SparkRunner.checkMaster("local[1]", 2)).getMessage();
        assertTrue(few.contains("fewer than the 2 threads"), few);
        String bad = assertThrows(IllegalArgumentException.class, () -> SparkRunner.checkMaster("spark:/host", 1)).getMessage();
        assertEquals("'spark:/host' is not a Spark master: give local[N], spark://HOST:PORT, yarn or k8s://URL", bad);
        // port 1 on the loopback address: nothing listens there
        String down = assertThrows(IllegalArgumentException.class, () -> SparkRunner.checkMaster("spark://127.0.0.1:1", 1)).getMessage();
        assertTrue(down.startsWith("no Spark master answers at 127.0.0.1:1 ("), down);
        assertFalse(down.contains("\n"));
        assertFalse(SparkRunner.checkMaster("yarn", 1), "yarn is left to Spark");
    }

    @Test
    void aFailedSparkJobIsOneLine() {
        String spark = "Job aborted due to stage failure: Task 0 in stage 3.0 failed 4 times, most recent failure: Lost task 0.3 in stage 3.0 "
                + "(TID 7) (127.0.0.1 executor 1): java.lang.IllegalStateException: the model has no weights\n\tat x.y(Z.java:1)";
        assertEquals("IllegalStateException: the model has no weights (after 4 attempts)", SparkRunner.failure(new RuntimeException(spark)));
        assertEquals("disk full", SparkRunner.failure(new java.io.IOException("disk full")));
    }

    @Test
    void theBuildsJvmOptionsAreSparksOwn() {
        String pom = System.getProperty("sparsecircuits.spark.jvm.args");
        assertTrue(pom != null && !pom.isBlank(), "the build passes spark.jvm.args to the tests");
        assertEquals(List.of(JavaModuleOptions.defaultModuleOptionArray()), List.of(pom.trim().split("\\s+")),
                "cluster/pom.xml's spark.jvm.args must be Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + "'s JavaModuleOptions");
    }
}
