package resnet.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.blocks.Shortcut;
import resnet.inspect.Parameters;

/** The networks train with DJL's own Trainer: what the train command and the notebooks rely on. */
class ResidualNetworkTrainingTest {

    private static final Shape BATCH = new Shape(4, 1, 28, 28);

    /** Forward and backward on one random batch, gradients left for inspection. */
    private static void backward(Trainer trainer) {
        NDManager manager = trainer.getManager();
        NDArray x = manager.randomNormal(BATCH);
        NDArray labels = manager.create(new float[] {0, 1, 2, 3});
        try (GradientCollector collector = trainer.newGradientCollector()) {
            NDArray scores = trainer.forward(new NDList(x)).singletonOrThrow();
            collector.backward(trainer.getLoss().evaluate(new NDList(labels), new NDList(scores)));
        }
    }

    private static void step(Trainer trainer) {
        backward(trainer);
        trainer.step();
    }

    private static DefaultTrainingConfig config() {
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
    }

    @Test
    void everyLearnableParameterGetsAGradientThroughBothShortcutStyles() {
        for (Shortcut style : new Shortcut[] {Shortcut.ZERO_PAD, Shortcut.PROJECTION}) {
            ResNetSpec spec = ResNet.spec("resnet20").withInputChannels(1).withShortcut(style);
            try (Model model = Model.newInstance("resnet20")) {
                model.setBlock(ResNet.build(spec));
                try (Trainer trainer = model.newTrainer(config())) {
                    trainer.initialize(BATCH);
                    backward(trainer);
                    for (Pair<String, Parameter> p : model.getBlock().getParameters()) {
                        if (Parameters.isLearnable(p.getValue())) {
                            NDArray gradient = p.getValue().getArray().getGradient();
                            assertTrue(gradient.abs().sum().getFloat() > 0, style + ": no gradient for " + p.getKey());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aFrozenBackboneStaysPutWhileTheNewHeadLearns() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1));
        try (Model model = Model.newInstance("resnet20")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config())) {
                trainer.initialize(BATCH);
                step(trainer);
            }
            net.replaceHead(4);
            try (Trainer trainer = model.newTrainer(config())) {
                net.freezeBackbone(true);
                trainer.initialize(BATCH);
                float[] stem = net.getParameters().get("stem_conv_weight").getArray().toFloatArray();
                float[] head = net.getParameters().get("fc_weight").getArray().toFloatArray();
                step(trainer);
                assertArrayEquals(stem, net.getParameters().get("stem_conv_weight").getArray().toFloatArray());
                assertFalse(java.util.Arrays.equals(head, net.getParameters().get("fc_weight").getArray().toFloatArray()));
            }
        }
    }

    private static float[] array(ResidualNetwork net, String name) {
        return net.getParameters().get(name).getArray().toFloatArray();
    }

    @Test
    void frozenPartsKeepWeightsAndBatchNormStatisticsWhileTheLastStageLearns() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1));
        try (Model model = Model.newInstance("resnet20")) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config())) {
                trainer.initialize(BATCH);
                step(trainer); // running statistics away from 0 and 1
                net.freezeUpTo("layer2");
                assertEquals(java.util.List.of("stem", "layer1", "layer2"), net.frozenNames());
                float[] stemMean = array(net, "stem_bn_runningMean");
                float[] layer2Var = array(net, "layer2_2_bn2_runningVar");
                float[] layer2Weight = array(net, "layer2_2_conv2_weight");
                float[] layer3Mean = array(net, "layer3_2_bn2_runningMean");
                float[] layer3Weight = array(net, "layer3_2_conv2_weight");
                step(trainer);
                assertArrayEquals(stemMean, array(net, "stem_bn_runningMean"), "a frozen BatchNorm runs in inference mode");
                assertArrayEquals(layer2Var, array(net, "layer2_2_bn2_runningVar"));
                assertArrayEquals(layer2Weight, array(net, "layer2_2_conv2_weight"));
                assertFalse(java.util.Arrays.equals(layer3Mean, array(net, "layer3_2_bn2_runningMean")), "the last stage still trains");
                assertFalse(java.util.Arrays.equals(layer3Weight, array(net, "layer3_2_conv2_weight")));

                net.freezeBackbone(false);
                assertTrue(net.frozenNames().isEmpty());
                assertFalse(net.getParameters().get("stem_bn_runningMean").requiresGradient(),
                        "unfreezing leaves the running statistics out of the gradient");
                assertTrue(net.getParameters().get("stem_bn_gamma").requiresGradient());
                step(trainer);
                assertFalse(java.util.Arrays.equals(stemMean, array(net, "stem_bn_runningMean")), "unfrozen, the stem trains again");
            }
        }
    }

    @Test
    void freezeUpToNamesThePartsThatCanBeFrozen() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1));
        for (String bad : new String[] {"fc", "layer4", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.freezeUpTo(bad));
            assertTrue(e.getMessage().contains("[stem, layer1, layer2, layer3, pool]"), e.getMessage());
        }
    }

    @Test
    void savedParametersLoadIntoAFreshlyBuiltNetwork(@TempDir Path dir) throws Exception {
        ResNetSpec spec = ResNet.spec("resnet20").withInputChannels(1).withClasses(4);
        float[] image = new float[(int) BATCH.size()];
        java.util.Random random = new java.util.Random(3);
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextGaussian();
        }
        float[] before;
        try (Model model = Model.newInstance("resnet20")) {
            model.setBlock(ResNet.build(spec));
            try (Trainer trainer = model.newTrainer(config())) {
                trainer.initialize(BATCH);
                step(trainer); // moves the running statistics away from 0 and 1 too
            }
            before = scores(model, image);
            model.save(dir, "resnet20");
        }
        try (Model model = Model.newInstance("resnet20")) {
            model.setBlock(ResNet.build(spec));
            model.load(dir, "resnet20");
            assertArrayEquals(before, scores(model, image), 1e-5f);
        }
    }

    /** Inference-mode scores (BatchNorm on its running statistics). */
    private static float[] scores(Model model, float[] image) {
        NDManager manager = model.getNDManager();
        NDArray x = manager.create(image, BATCH);
        return model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow().toFloatArray();
    }
}
