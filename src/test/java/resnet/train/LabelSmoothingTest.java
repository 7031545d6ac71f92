package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import org.junit.jupiter.api.Test;

/** Label smoothing against DJL's cross-entropy (epsilon 0) and against the formula in doubles. */
class LabelSmoothingTest {

    private static final float[] SCORES = {2.0f, -1.0f, 0.5f, 0.0f, 3.0f, 1.0f, -2.0f, 0.25f, 0.75f, 1.5f, -0.5f, 4.0f};
    private static final float[] LABELS = {0, 2, 1};
    private static final int K = 4;

    @Test
    void epsilonZeroIsDjlsCrossEntropy() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList scores = new NDList(manager.create(SCORES, new Shape(3, K)));
            NDList labels = new NDList(manager.create(LABELS));
            float ours = new LabelSmoothing(0).evaluate(labels, scores).getFloat();
            float djl = Loss.softmaxCrossEntropyLoss().evaluate(labels, scores).getFloat();
            assertEquals(djl, ours, 1e-6);
        }
    }

    @Test
    void smoothedLossIsTheCrossEntropyOfTheSmoothedTarget() {
        double epsilon = 0.1;
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < K; k++) {
                max = Math.max(max, SCORES[i * K + k]);
            }
            double sum = 0;
            for (int k = 0; k < K; k++) {
                sum += Math.exp(SCORES[i * K + k] - max);
            }
            for (int k = 0; k < K; k++) {
                double logp = SCORES[i * K + k] - max - Math.log(sum);
                double target = (k == (int) LABELS[i] ? 1 - epsilon : 0) + epsilon / K;
                expected -= target * logp / 3;
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray loss = new LabelSmoothing(epsilon).evaluate(new NDList(manager.create(LABELS)),
                    new NDList(manager.create(SCORES, new Shape(3, K))));
            assertEquals(expected, loss.getFloat(), 1e-6);
        }
    }

    @Test
    void epsilonOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(1));
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(-0.01));
        assertThrows(IllegalArgumentException.class, () -> new LabelSmoothing(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> FitConfig.of(1, Schedule.constant(0.1)).withLabelSmoothing(1));
    }
}
