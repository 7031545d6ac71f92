package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumableOptimizerTest {

    /** One update of {@code w} with the gradient of sum(w · g), i.e. gradient g. */
    private static void step(ResumableOptimizer optimizer, NDArray w, float[] g) {
        try (NDManager temp = w.getManager().newSubManager()) {
            NDArray gradient = temp.create(g);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(w.mul(gradient).sum());
            }
            optimizer.update("w", w, w.getGradient());
        }
    }

    @Test
    void sgdWithMomentumFollowsPyTorchsRule() {
        try (NDManager manager = NDManager.newBaseManager();
                ResumableOptimizer sgd = OptimizerSettings.sgd(0.9, 0, false).create()) {
            NDArray w = manager.create(new float[] {1f});
            w.setRequiresGradient(true);
            sgd.setLearningRate(0.1);
            step(sgd, w, new float[] {0.5f}); // b = 0.5, w = 1 − 0.05
            assertEquals(0.95f, w.getFloat(), 1e-6);
            assertEquals(0f, w.getGradient().getFloat(), "the gradient is zeroed after the update");
            step(sgd, w, new float[] {0.5f}); // b = 0.9 · 0.5 + 0.5 = 0.95, w = 0.95 − 0.095
            assertEquals(0.855f, w.getFloat(), 1e-6);
        }
    }

    @Test
    void nesterovAndWeightDecay() {
        try (NDManager manager = NDManager.newBaseManager();
                ResumableOptimizer sgd = OptimizerSettings.sgd(0.9, 0.1, true).create()) {
            NDArray w = manager.create(new float[] {2f});
            w.setRequiresGradient(true);
            sgd.setLearningRate(0.1);
            // g = 1 + 0.1 · 2 = 1.2; b = 1.2; direction = g + 0.9 b = 2.28; w = 2 − 0.228
            step(sgd, w, new float[] {1f});
            assertEquals(1.772f, w.getFloat(), 1e-6);
        }
    }

    @Test
    void adamsFirstStepMovesEachWeightByTheLearningRate() {
        try (NDManager manager = NDManager.newBaseManager();
                ResumableOptimizer adam = OptimizerSettings.adam(0).create()) {
            NDArray w = manager.create(new float[] {1f, 1f});
            w.setRequiresGradient(true);
            adam.setLearningRate(0.01);
            step(adam, w, new float[] {3f, -0.2f}); // bias-corrected m / sqrt(v) = sign(g)
            assertArrayEquals(new float[] {0.99f, 1.01f}, w.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void exportedStateContinuesExactlyInAFreshOptimizer() {
        for (OptimizerSettings settings : new OptimizerSettings[] {OptimizerSettings.sgd(0.9, 5e-4, true), OptimizerSettings.adam(1e-4)}) {
            try (NDManager manager = NDManager.newBaseManager();
                    ResumableOptimizer first = settings.create();
                    ResumableOptimizer second = settings.create()) {
                NDArray a = manager.create(new float[] {1f, -2f, 3f});
                a.setRequiresGradient(true);
                first.setLearningRate(0.05);
                step(first, a, new float[] {0.3f, 0.1f, -0.7f});
                step(first, a, new float[] {0.2f, -0.4f, 0.5f});
                NDList state = first.exportState(Map.of("w", "weight"), manager);
                Map<String, Integer> steps = first.exportSteps(Map.of("w", "weight"));
                assertEquals(Map.of("weight", 2), steps);

                NDArray b = a.duplicate();
                b.setRequiresGradient(true);
                second.importState(state, steps, Map.of("weight", "w"));
                second.setLearningRate(0.05);
                step(first, a, new float[] {-0.6f, 0.9f, 0.1f});
                step(second, b, new float[] {-0.6f, 0.9f, 0.1f});
                assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f, settings.toString());
            }
        }
    }
}
