package resnet.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import resnet.blocks.BlockOptions;
import resnet.blocks.Chain;
import resnet.blocks.ResNeXtBlock;
import resnet.blocks.ResidualBlock;
import resnet.blocks.Shortcut;

/**
 * Closing the arrays between layers early (what keeps peak memory down) must not change what
 * training computes: the same loss, output and gradients as with every array kept open.
 */
class ReleaseIntermediatesTest {

    private static final Shape BATCH = new Shape(4, 1, 16, 16);

    @AfterEach
    void restoreDefault() {
        Chain.releaseIntermediates(true);
    }

    /** Output, then every learnable parameter's gradient, after one forward and backward from a fixed start. */
    private static Map<String, float[]> forwardAndBackward(ResNetSpec spec, boolean release) {
        Chain.releaseIntermediates(release);
        Map<String, float[]> result = new LinkedHashMap<>();
        try (Model model = Model.newInstance("release")) {
            model.setBlock(ResNet.build(spec));
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
                Engine.getInstance().setRandomSeed(11);
                trainer.initialize(BATCH);
                NDManager manager = trainer.getManager();
                NDArray x = manager.randomNormal(BATCH);
                NDArray labels = manager.create(new long[] {0, 1, 2, 3});
                try (GradientCollector collector = trainer.newGradientCollector()) {
                    NDArray scores = trainer.forward(new NDList(x)).singletonOrThrow();
                    result.put("scores", scores.toFloatArray());
                    collector.backward(trainer.getLoss().evaluate(new NDList(labels), new NDList(scores)));
                }
                for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        result.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
                    }
                }
            }
        }
        return result;
    }

    @ParameterizedTest
    @EnumSource(value = Shortcut.class, names = {"ZERO_PAD", "PROJECTION", "NONE"})
    void gradientsAreTheSameWithAndWithoutEarlyRelease(Shortcut style) {
        ResNetSpec spec = ResNet.spec("resnet20").withInputChannels(1).withShortcut(style);
        Map<String, float[]> kept = forwardAndBackward(spec, false);
        Map<String, float[]> released = forwardAndBackward(spec, true);
        assertEquals(kept.keySet(), released.keySet());
        assertTrue(kept.size() > 50, "scores and the gradients of every parameter: " + kept.size());
        for (String name : kept.keySet()) {
            assertArrayEquals(kept.get(name), released.get(name), 0f, style + ": " + name);
        }
    }

    /** Output, input gradient and every parameter's gradient of one block, from a fixed start. */
    private static Map<String, float[]> blockGradients(ResidualBlock block, boolean release) {
        Chain.releaseIntermediates(release);
        Map<String, float[]> result = new LinkedHashMap<>();
        Shape shape = new Shape(2, block.inChannels(), 8, 8);
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(5);
            block.initialize(manager, DataType.FLOAT32, shape);
            NDArray x = manager.randomNormal(shape);
            x.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), true).singletonOrThrow();
                result.put("output", y.toFloatArray());
                collector.backward(y.square().sum());
            }
            result.put("input", x.getGradient().toFloatArray());
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    result.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
                }
            }
        }
        return result;
    }

    @ParameterizedTest
    @EnumSource(ResNeXtBlock.Form.class)
    void resNeXtPathsGiveTheSameGradientsWithAndWithoutEarlyRelease(ResNeXtBlock.Form form) {
        BlockOptions options = BlockOptions.DEFAULTS.withGroups(4).withWidthPerGroup(16); // 4 paths of 4 channels
        Map<String, float[]> kept = blockGradients(new ResNeXtBlock(form, 32, 16, 2, options), false);
        Map<String, float[]> released = blockGradients(new ResNeXtBlock(form, 32, 16, 2, options), true);
        assertEquals(kept.keySet(), released.keySet());
        assertTrue(kept.size() > 20, "output, input and parameter gradients: " + kept.size());
        for (String name : kept.keySet()) {
            assertArrayEquals(kept.get(name), released.get(name), 0f, form + ": " + name);
        }
    }

    @Test
    void aForwardPassLeavesOnlyItsOutputOpen() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, BATCH);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(BATCH);
            for (boolean release : new boolean[] {false, true}) {
                Chain.releaseIntermediates(release);
                try (NDManager step = manager.newSubManager()) {
                    x.tempAttach(step);
                    NDArray out = net.forward(store, new NDList(x), true).singletonOrThrow();
                    int open = step.getManagedArrays().size();
                    if (release) {
                        // the input lent to the step, and the scores
                        assertEquals(2, open, "arrays left open in the step's manager");
                    } else {
                        assertTrue(open > 50, "plain DJL keeps every intermediate open: " + open);
                    }
                    assertEquals(new Shape(4, 10), out.getShape());
                }
            }
        }
    }
}
