package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** An ensemble in {@link Evaluation}: the mean of every model's softmax outputs, computed by hand here. */
class EnsembleEvaluationTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(10);

    /** A tiny network with random weights drawn under this seed. */
    private static Model tiny(String name, int seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        Model model = Model.newInstance(name);
        model.setBlock(ResNet.build(TINY));
        model.getBlock().setInitializer(new NormalInitializer(0.5f), Parameter.Type.WEIGHT);
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 8, 8));
        return model;
    }

    @Test
    void anEnsembleAveragesTheProbabilitiesOfAllItsModels() {
        // two untrained networks may agree on every image; the first pair of seeds under which the
        // second changes a decision of the first (with and without the flip) is used, so that the
        // check can see a member left out
        for (int seed = 1; seed <= 20; seed++) {
            if (checkEnsemble(2 * seed - 1, 2 * seed)) {
                return;
            }
        }
        throw new AssertionError("under none of 20 pairs of seeds did the second model change a decision of the"
                + " first; the test would not see a missing member");
    }

    /** Checks the ensemble of two networks of these seeds; false when it agreed with the first everywhere. */
    private static boolean checkEnsemble(int seedA, int seedB) {
        boolean changed = true;
        ImageSet set = TestData.random(24, 1, 8, 4);
        Normalization normalization = Normalization.of(set);
        List<Model> models = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            models.add(tiny("a", seedA));
            models.add(tiny("b", seedB));
            float[] pixels = new float[set.size() * set.imageBytes()];
            for (int i = 0; i < set.size(); i++) {
                normalization.apply(set.image(i), 0, 8, 8, pixels, i * set.imageBytes());
            }
            NDArray x = manager.create(pixels, new Shape(set.size(), 1, 8, 8));
            for (boolean flip : new boolean[] {false, true}) {
                Evaluation ensemble = Evaluation.of(models, set, normalization, 10, flip);
                NDArray sum = null;
                for (Model model : models) {
                    ParameterStore store = new ParameterStore(manager, false);
                    for (NDArray view : flip ? List.of(x, x.flip(3)) : List.of(x)) {
                        NDArray p = model.getBlock().forward(store, new NDList(view), false).singletonOrThrow()
                                .softmax(1);
                        sum = sum == null ? p : sum.add(p);
                    }
                }
                float[] mean = sum.div(flip ? 4 : 2).toFloatArray();
                double lossSum = 0;
                int disagreeWithFirst = 0;
                Evaluation first = Evaluation.of(models.get(0), set, normalization, 10, flip);
                for (int i = 0; i < set.size(); i++) {
                    int best = 0;
                    for (int k = 1; k < 10; k++) {
                        if (mean[i * 10 + k] > mean[i * 10 + best]) {
                            best = k;
                        }
                    }
                    assertEquals(best, ensemble.predictions()[i], "image " + i + ", flip " + flip);
                    disagreeWithFirst += best == first.predictions()[i] ? 0 : 1;
                    lossSum -= Math.log(mean[i * 10 + set.label(i)]);
                }
                assertEquals(lossSum / set.size(), ensemble.loss(), 1e-5, "flip " + flip);
                changed &= disagreeWithFirst > 0;
            }
            return changed;
        } finally {
            models.forEach(Model::close);
        }
    }

    @Test
    void aModelListedTwiceScoresAsTheModelOnce() {
        // the mean over the members must divide by their number: one model twice is that model alone
        ImageSet set = TestData.random(24, 1, 8, 4);
        Normalization normalization = Normalization.of(set);
        try (Model model = tiny("a", 3)) {
            for (boolean flip : new boolean[] {false, true}) {
                Evaluation one = Evaluation.of(model, set, normalization, 7, flip);
                Evaluation twice = Evaluation.of(List.of(model, model), set, normalization, 7, flip);
                assertArrayEquals(one.predictions(), twice.predictions());
                assertEquals(one.loss(), twice.loss(), 1e-6, "flip " + flip);
            }
        }
    }

    @Test
    void anEnsembleOfNoModelIsRefused() {
        ImageSet set = TestData.random(4, 1, 8, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Evaluation.of(List.of(), set, Normalization.of(set), 4, false));
        assertTrue(e.getMessage().contains("at least one model"), e.getMessage());
    }
}
