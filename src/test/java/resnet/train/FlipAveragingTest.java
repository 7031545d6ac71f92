package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.nn.Parameter;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** Flip averaging in {@link Evaluation}: the mean of the two softmax outputs, computed by hand here. */
class FlipAveragingTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(java.util.List.of(1, 1), java.util.List.of(4, 8)).withInputChannels(1).withClasses(10);

    @Test
    void flipAveragingIsTheMeanOfTheImageAndItsMirror() {
        // an untrained network may give every image and its mirror the same class; the first seed of
        // weights under which the mirror changes a decision is used, so that the check can see a bug
        for (int seed = 1; seed <= 20; seed++) {
            if (checkFlipAveraging(seed)) {
                return;
            }
        }
        throw new AssertionError("under none of 20 seeds did flip averaging change a prediction; the test would not"
                + " see a bug");
    }

    /** Checks the averaged outputs under weights of this seed; false when the mirror changed no decision. */
    private static boolean checkFlipAveraging(int seed) {
        ImageSet set = TestData.random(24, 1, 8, 4);
        Normalization normalization = Normalization.of(set);
        ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            model.getBlock().setInitializer(new NormalInitializer(0.5f), Parameter.Type.WEIGHT);
            model.getBlock().initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 8, 8));
            Evaluation plain = Evaluation.of(model, set, normalization, 10);
            Evaluation averaged = Evaluation.of(model, set, normalization, 10, true);

            int agreeWithPlain = 0;
            double lossSum = 0;
            try (NDManager manager = NDManager.newBaseManager()) {
                float[] pixels = new float[set.size() * set.imageBytes()];
                for (int i = 0; i < set.size(); i++) {
                    normalization.apply(set.image(i), 0, 8, 8, pixels, i * set.imageBytes());
                }
                NDArray x = manager.create(pixels, new Shape(set.size(), 1, 8, 8));
                ParameterStore store = new ParameterStore(manager, false);
                NDArray p = model.getBlock().forward(store, new NDList(x), false).singletonOrThrow().softmax(1);
                NDArray q = model.getBlock().forward(store, new NDList(x.flip(3)), false).singletonOrThrow().softmax(1);
                float[] mean = p.add(q).div(2).toFloatArray();
                for (int i = 0; i < set.size(); i++) {
                    int best = 0;
                    for (int k = 1; k < 10; k++) {
                        if (mean[i * 10 + k] > mean[i * 10 + best]) {
                            best = k;
                        }
                    }
                    assertEquals(best, averaged.predictions()[i], "image " + i);
                    agreeWithPlain += best == plain.predictions()[i] ? 1 : 0;
                    lossSum -= Math.log(mean[i * 10 + set.label(i)]);
                }
            }
            assertEquals(lossSum / set.size(), averaged.loss(), 1e-5);
            // the checks above are of more than identical outputs only when the mirror changed a decision
            return agreeWithPlain < set.size();
        }
    }
}
