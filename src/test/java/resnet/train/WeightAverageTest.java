package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.blocks.Layers;
import resnet.data.Augmentation;
import resnet.data.BatchLoader;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** Stochastic weight averaging: the mean of the weights, BatchNorm measured anew, and a run that resumes it. */
class WeightAverageTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    /** A tiny network's parameters, initialised for 1x8x8 images. */
    private static Block tiny(NDManager manager) {
        Block block = ResNet.build(TINY);
        block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 8, 8));
        return block;
    }

    private static float[] values(Block block, String name) {
        return block.getParameters().get(name).getArray().toFloatArray();
    }

    @Test
    void theAverageIsTheMeanOfTheWeightsAddedAndLeavesRunningStatisticsAlone() {
        try (NDManager manager = NDManager.newBaseManager(); WeightAverage average = new WeightAverage()) {
            Block block = tiny(manager);
            String conv = block.getParameters().keys().stream().filter(k -> k.endsWith("weight")).findFirst()
                    .orElseThrow();
            String mean = block.getParameters().keys().stream().filter(k -> k.endsWith("runningMean")).findFirst()
                    .orElseThrow();
            List<float[]> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                for (Pair<String, Parameter> p : block.getParameters()) {
                    NDArray array = p.getValue().getArray();
                    array.set(manager.randomNormal(array.getShape()).toFloatArray());
                }
                seen.add(values(block, conv));
                average.add(block);
            }
            float[] runningBefore = values(block, mean);
            average.copyInto(block);
            float[] expected = new float[seen.get(0).length];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = (seen.get(0)[j] + seen.get(1)[j] + seen.get(2)[j]) / 3;
            }
            assertEquals(3, average.count());
            assertArrayEquals(expected, values(block, conv), 1e-6f);
            assertArrayEquals(runningBefore, values(block, mean), 0f, "BatchNorm's statistics are not averaged");
        }
    }

    @Test
    void exportAndRestoreGiveTheSameAverage() {
        try (NDManager manager = NDManager.newBaseManager(); WeightAverage average = new WeightAverage();
                WeightAverage restored = new WeightAverage()) {
            Block block = tiny(manager);
            average.add(block);
            NDList saved = average.export(manager);
            saved.add(manager.zeros(new Shape(2)));
            saved.get(saved.size() - 1).setName("momentum:x");
            assertEquals(1, WeightAverage.withoutAverage(saved).size(), "the optimiser's arrays stay");
            NDList decoded = NDList.decode(manager, saved.encode());
            restored.restore(decoded, 1);
            Block other = tiny(manager);
            restored.copyInto(other);
            for (String name : block.getParameters().keys()) {
                if (!name.endsWith("runningMean") && !name.endsWith("runningVar")) {
                    assertArrayEquals(values(block, name), values(other, name), 0f, name);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage().restore(new NDList(), 2));
        }
    }

    /** One BatchNorm over 3 channels: its running statistics after the pass can be checked by hand. */
    @Test
    void batchNormStatisticsBecomeTheExactMeanOverTheBatches() {
        ImageSet set = TestData.random(50, 3, 4, 5);
        Normalization none = Normalization.none(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            BatchNorm norm = Layers.batchNorm();
            norm.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
            norm.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 4, 4));
            // a stale statistic, as the last epoch's weights leave it: it must not leak into the result
            norm.getParameters().get("runningMean").getArray().set(new float[] {5, 5, 5});
            int batches;
            try (BatchLoader loader = BatchLoader.inOrder(set, 16, none)) {
                batches = WeightAverage.recomputeBatchNorm(norm, manager, loader);
            }
            assertEquals(4, batches, "50 images in batches of 16");
            double[] mean = new double[3];
            double[] variance = new double[3];
            for (int start = 0; start < 50; start += 16) {
                int n = Math.min(16, 50 - start);
                for (int c = 0; c < 3; c++) {
                    double sum = 0;
                    double squares = 0;
                    for (int i = start; i < start + n; i++) {
                        for (int p = 0; p < 16; p++) {
                            double v = (set.image(i)[c * 16 + p] & 0xFF) / 255.0;
                            sum += v;
                            squares += v * v;
                        }
                    }
                    int count = n * 16;
                    double m = sum / count;
                    mean[c] += m / 4;
                    // PyTorch's running variance takes the unbiased variance of each batch
                    variance[c] += (squares - count * m * m) / (count - 1) / 4;
                }
            }
            float[] gotMean = norm.getParameters().get("runningMean").getArray().toFloatArray();
            float[] gotVariance = norm.getParameters().get("runningVar").getArray().toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertEquals(mean[c], gotMean[c], 1e-5, "mean of channel " + c);
                assertEquals(variance[c], gotVariance[c], 1e-5, "variance of channel " + c);
            }
        }
    }

    private static TrainingData data() {
        return TrainingData.split(TestData.brightness(48, 1, 8, 1), 0.25, 3, new Augmentation(1, true));
    }

    private static FitConfig config() {
        return FitConfig.of(4, Schedule.swa(0.05, 4, 0.5, 0.5, 0.01)).withBatchSize(16).withSeed(11)
                .withModelName("tiny");
    }

    private static float[] weights(Block block) {
        List<Float> all = new ArrayList<>();
        for (Parameter p : block.getParameters().values()) {
            for (float v : p.getArray().toFloatArray()) {
                all.add(v);
            }
        }
        float[] flat = new float[all.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = all.get(i);
        }
        return flat;
    }

    /** A run that averages its last two epochs, whole and interrupted after epoch 3 (inside the averaging). */
    @Test
    void anAveragingRunEndsWithTheAverageAndResumesToTheSameOne(@TempDir Path dir) throws IOException {
        float[] whole;
        float[] lastEpoch;
        List<Integer> open = new ArrayList<>();
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data(), config().withCheckpoints(dir.resolve("whole")))
                    .listen((record, history) -> open.add(resnet.Platform.openArrays()));
            fit.run();
            whole = weights(model.getBlock());
            Fit.Averaged averaged = fit.averaged();
            assertEquals(3, averaged.firstEpoch());
            assertEquals(4, averaged.lastEpoch());
            assertEquals(3, averaged.batchNormBatches(), "36 training images in batches of 16");
            assertTrue(averaged.validAccuracy() >= 0 && averaged.validAccuracy() <= 1, averaged.toString());
            assertEquals("the average of epochs 3-4", averaged.describe());
        }
        assertEquals(open.get(2), open.get(3), "the average's arrays are made once: " + open);
        Checkpoint best = Checkpoint.read(dir.resolve("whole").resolve(Checkpoint.BEST));
        Checkpoint last = Checkpoint.read(dir.resolve("whole").resolve(Checkpoint.LAST));
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            best.loadInto(model.getBlock(), model.getNDManager());
            assertArrayEquals(whole, weights(model.getBlock()), 0f, "best.ckpt holds the averaged weights");
            last.loadInto(model.getBlock(), model.getNDManager());
            lastEpoch = weights(model.getBlock());
            assertNotEquals(java.util.Arrays.toString(whole), java.util.Arrays.toString(lastEpoch),
                    "last.ckpt holds the last epoch's own weights");
        }

        Path out = dir.resolve("interrupted");
        FitConfig interrupted = config().withCheckpoints(out).withResume(true);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            RuntimeException stop = assertThrows(RuntimeException.class, () -> new Fit(model, data(), interrupted)
                    .listen((record, history) -> {
                        if (record.epoch() == 3) {
                            throw new RuntimeException("interrupted after epoch 3");
                        }
                    }).run());
            assertEquals("interrupted after epoch 3", stop.getMessage());
        }
        for (int twice = 0; twice < 2; twice++) {
            // the second time the run is complete: the average is made again from last.ckpt, the same
            try (Model model = Model.newInstance("tiny")) {
                model.setBlock(ResNet.build(TINY));
                Fit fit = new Fit(model, data(), interrupted);
                fit.run();
                assertArrayEquals(whole, weights(model.getBlock()), 0f, "resumed " + (twice + 1) + " time(s)");
                assertEquals(3, fit.averaged().firstEpoch());
            }
        }
    }

    @Test
    void aBudgetPlanKeepsTheAveragedShareAtTheEnd() {
        Schedule.Swa swa = Schedule.swa(0.2, 60, 1, 0.25, 0.02);
        assertEquals(45, swa.averageFrom());
        assertEquals(15, swa.averagedEpochs());
        assertEquals(Schedule.Swa.averageFrom(44, 1, 0.25), 33);
        assertEquals(Schedule.Swa.averageFrom(2, 1, 0.25), 1, "at least one epoch, never the warm-up");
        assertTrue(TimeBudget.canPlan(swa));
        assertEquals(1, TimeBudget.planEpoch(swa));
    }
}
