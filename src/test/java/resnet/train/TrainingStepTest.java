package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** The one training step of the fit loop and the benchmark, on a two-stage ResNet of widths 4 and 8. */
class TrainingStepTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(3);
    private static final Shape IMAGE = new Shape(1, 8, 8);
    private static final OptimizerSettings SGD = OptimizerSettings.sgd(0.9, 5e-4, true);

    private static float[] weights(Model model) {
        // learnable ones: a forward in training mode moves BatchNorm's running statistics, update or not
        List<float[]> parts = model.getBlock().getParameters().values().stream()
                .filter(p -> p.requiresGradient()).map(p -> p.getArray().toFloatArray()).toList();
        int n = parts.stream().mapToInt(a -> a.length).sum();
        float[] all = new float[n];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static NDArray labels(NDManager manager) {
        return manager.create(new long[] {0, 1, 2, 0, 1, 2});
    }

    @Test
    void callersArraysAreLentForTheStepAndGivenBackWithNothingLeftBehind() {
        Engine.getInstance().setRandomSeed(3);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            try (TrainingStep step = TrainingStep.open(model, SGD, IMAGE);
                    NDManager manager = NDManager.newBaseManager()) {
                NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
                NDArray labels = labels(manager);
                float[] before = images.toFloatArray();
                step.run(images, labels, 0.05);
                int arrays = manager.getManagedArrays().size();
                float[] weights = weights(model);
                TrainingStep.Result result = step.run(images, labels, 0.05);
                step.run(images, labels, 0.05);
                assertEquals(arrays, manager.getManagedArrays().size(), "every array a step makes is freed");
                assertEquals(2, arrays, "the images and labels, still the caller's");
                assertArrayEquals(before, images.toFloatArray(), 0f);
                assertEquals(6, result.size());
                assertTrue(result.finite());
                assertTrue(result.correct() >= 0 && result.correct() <= 6, result.toString());
                assertNotEquals(weights[0], weights(model)[0], "the steps updated the weights");
            }
        }
    }

    @Test
    void aNonFiniteLossUpdatesNothingAndLeavesNoGradientBehind() {
        boolean[] poison = {true};
        float[][] after = new float[2][];
        double[] loss = new double[2];
        for (int run = 0; run < 2; run++) {
            Engine.getInstance().setRandomSeed(5);
            SequentialBlock net = new SequentialBlock().add(ResNet.build(TINY))
                    .add(new LambdaBlock(list -> new NDList(poison[0] ? list.head().mul(Float.NaN) : list.head()), "poison"));
            try (Model model = Model.newInstance("poisoned")) {
                model.setBlock(net);
                try (TrainingStep step = TrainingStep.open(model, SGD, IMAGE);
                        NDManager manager = NDManager.newBaseManager()) {
                    Engine.getInstance().setRandomSeed(6);
                    NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
                    if (run == 0) {
                        float[] start = weights(model);
                        poison[0] = true;
                        TrainingStep.Result bad = step.run(images, labels(manager), 0.05);
                        assertFalse(bad.finite());
                        assertTrue(Double.isNaN(bad.loss()), bad.toString());
                        assertArrayEquals(start, weights(model), 0f, "no update from a NaN loss");
                    }
                    poison[0] = false;
                    loss[run] = step.run(images, labels(manager), 0.05).loss();
                    after[run] = weights(model);
                }
            }
        }
        // The clean step after the NaN one is exactly the first step of a run that never saw a NaN.
        assertEquals(loss[1], loss[0], 0.0);
        assertArrayEquals(after[1], after[0], 0f);
    }

    @Test
    void badBatchesAndSettingsAreRejectedSayingWhatIsExpected() {
        try (Model model = Model.newInstance("tiny")) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingStep.open(model, SGD, IMAGE))
                    .getMessage().contains("no block"));
            model.setBlock(ResNet.build(TINY));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainingStep.open(model, SGD, new Shape(8, 8)))
                    .getMessage().contains("(channels, height, width)"));
            try (TrainingStep step = TrainingStep.open(model, SGD, IMAGE);
                    NDManager manager = NDManager.newBaseManager()) {
                NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> step.run(images, manager.create(new long[] {0, 1}), 0.05));
                assertTrue(e.getMessage().contains("one class index per image"), e.getMessage());
                assertTrue(e.getMessage().contains("(6, 1, 8, 8) and (2)"), e.getMessage());
            }
        }
    }
}
