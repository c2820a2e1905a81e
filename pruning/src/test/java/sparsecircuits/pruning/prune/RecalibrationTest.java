package sparsecircuits.pruning.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import sparsecircuits.kernels.KernelProvider;
import sparsecircuits.pruning.loss.Choice;
import sparsecircuits.pruning.loss.TaskLoss;

class RecalibrationTest {

    /** Logits where the right token leads by a small margin: a larger scale (sharper logits) lowers the loss. */
    static float[][] logits(List<TaskLoss.Sequence> seqs, int v, Random r) {
        float[][] l = new float[seqs.size()][v];
        for (int i = 0; i < seqs.size(); i++) {
            for (int j = 0; j < v; j++) l[i][j] = (float) r.nextGaussian() * 0.1f;
            l[i][seqs.get(i).correct()] += 0.3f;
        }
        return l;
    }

    @Test
    void gradientMatchesFiniteDifferencesAndTheFitLowersTheLoss() {
        Random r = new Random(4);
        int v = 7;
        List<TaskLoss.Sequence> seqs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int c = r.nextInt(v), o = (c + 1 + r.nextInt(v - 1)) % v;
            seqs.add(new TaskLoss.Sequence(new int[] {1}, c, o, Choice.BINARY));
        }
        float[][] l = logits(seqs, v, r);
        float[] b = new float[v];
        b[2] = 0.05f;
        double[] g = new double[1 + v];
        Recalibration.loss(l, seqs, 1.3, b, g, KernelProvider.get());
        double h = 1e-3;
        double up = Recalibration.loss(l, seqs, 1.3 + h, b, null, KernelProvider.get());
        double down = Recalibration.loss(l, seqs, 1.3 - h, b, null, KernelProvider.get());
        assertEquals((up - down) / (2 * h), g[0], 2e-3, "d loss / d scale");
        Recalibration.Fit fit = Recalibration.fit(l, seqs, 16, KernelProvider.get());
        assertTrue(fit.lossAfter() < 0.5 * fit.lossBefore(), fit.toString());
        assertEquals(fit.lossAfter(), Recalibration.lossWith(fit, l, seqs, KernelProvider.get()), 1e-6);
    }
}
