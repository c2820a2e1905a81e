package sparsecircuits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparsecircuits.kernels.info.KernelsInfoSample.sample;

import java.util.List;
import org.junit.jupiter.api.Test;

/** kernels-info's text tables on the kernels' made-up figures (KernelsInfoSample; the JSON is KernelsInfoTest's, in kernels). */
class KernelsInfoReportTest {

    @Test
    void textHasTheSystemChecksAndBenchmarkTables() {
        String text = KernelsInfoReport.text(sample(true, true));
        for (String s : List.of("sparse-circuits 1.2.3 kernels-info", "JDK        25.0.3+9-LTS", "Test CPU @ 3.0GHz, 8 logical cores",
                "provider   vector (jdk.incubator.vector present)", "512-bit (16 float lanes), FMA on", "1 of 2 kernels agree",
                "spmm: output 0 element 3 is NaN", "FAIL", "123 GFLOP/s", "layer forward, SpMM 1/64", "15.3x", "2.10x",
                "layer dX, spmmTransposed 1/16", "1.25 ns/element", "64K floats")) {
            assertTrue(text.contains(s), "'" + s + "' in\n" + text);
        }
        for (String line : text.split("\n")) {
            assertEquals(line.stripTrailing(), line, "no trailing blanks");
        }
        String scalar = KernelsInfoReport.text(sample(false, false));
        assertTrue(scalar.contains("32-bit (1 float lane), FMA off"), scalar);
        assertTrue(scalar.contains("Benchmark skipped"), scalar);
    }
}
