package sparsecircuits.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** transpose is an exact copy (or exact add): every element checked, guards untouched, 1 and 3 threads. */
class TransposeTest {

    @Test
    void transposesExactlyAndAccumulates() {
        int[] dims = {0, 1, 3, 31, 32, 33, 64, 67, 130};
        try (WorkerPool three = new WorkerPool(3)) {
            for (Kernels ks : new Kernels[] {Fixtures.kernels(), KernelProvider.scalar(three)}) {
                for (int rows : dims) {
                    for (int cols : dims) {
                        SplittableRandom r = Fixtures.rnd(rows * 1000L + cols);
                        float[] src = Fixtures.guardedInput(Fixtures.randomFloats(r, rows * cols, -2, 2), 3, 2);
                        float[] init = Fixtures.randomFloats(r, rows * cols, -1, 1);
                        float[] dst = Fixtures.guardedOutput(init, 1, 2);
                        ks.transpose(rows, cols, src, 3, dst, 1, false);
                        String ctx = ks.name() + " " + rows + "×" + cols;
                        Fixtures.assertGuards(dst, 1, rows * cols, ctx);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                assertEquals(src[3 + i * cols + j], dst[1 + j * rows + i], ctx + " [" + i + "," + j + "]");
                            }
                        }
                        float[] acc = Fixtures.guardedOutput(init, 1, 2);
                        ks.transpose(rows, cols, src, 3, acc, 1, true);
                        for (int i = 0; i < rows; i++) {
                            for (int j = 0; j < cols; j++) {
                                assertEquals(init[j * rows + i] + src[3 + i * cols + j], acc[1 + j * rows + i], ctx + " acc");
                            }
                        }
                    }
                }
            }
        }
    }
}
