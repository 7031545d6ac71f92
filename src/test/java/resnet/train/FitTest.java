package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.data.Augmentation;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** The fit loop on a two-stage ResNet of widths 4 and 8 and 8x8 images: seconds, not minutes. */
class FitTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static TrainingData data() {
        return TrainingData.split(TestData.brightness(48, 1, 8, 1), 0.25, 3, new Augmentation(1, true));
    }

    private static FitConfig config(int epochs) {
        return FitConfig.of(epochs, Schedule.oneCycle(0.05, epochs, 0.5)).withBatchSize(16).withSeed(11).withModelName("tiny");
    }

    private static History train(TrainingData data, FitConfig config, FitListener... listeners) throws IOException {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data, config);
            for (FitListener listener : listeners) {
                fit.listen(listener);
            }
            return fit.run();
        }
    }

    @Test
    void learnsTheTinyTaskAndRecordsEveryEpoch() throws IOException {
        History history = train(data(), config(4));
        assertEquals(4, history.size());
        assertTrue(history.last().trainLoss() < history.epoch(1).trainLoss(), history.toString());
        assertTrue(history.last().validAccuracy() > 0.9, history.toString());
        assertEquals(Schedule.oneCycle(0.05, 4, 0.5).atEpoch(3), history.epoch(3).learningRate(), 1e-12);
        assertEquals(8, history.table().columnCount());
    }

    @Test
    void sameSeedSameHistory() throws IOException {
        assertEquals(train(data(), config(2)).withoutTiming(), train(data(), config(2)).withoutTiming());
    }

    @Test
    void resumedRunEndsWithTheSameHistoryAsAnUninterruptedOne(@TempDir Path dir) throws IOException {
        for (OptimizerSettings optimizer : new OptimizerSettings[] {OptimizerSettings.sgd(0.9, 5e-4, true), OptimizerSettings.adam(1e-4)}) {
            FitConfig base = config(3).withOptimizer(optimizer).withSchedule(
                    optimizer.kind() == OptimizerSettings.Kind.ADAM ? Schedule.cosine(0.01, 3) : Schedule.oneCycle(0.05, 3, 0.5));
            History whole = train(data(), base.withCheckpoints(dir.resolve(optimizer.kind() + "-whole")));

            Path out = dir.resolve(optimizer.kind() + "-interrupted");
            FitConfig interrupted = base.withCheckpoints(out).withResume(true);
            RuntimeException stop = assertThrows(RuntimeException.class, () -> train(data(), interrupted, (record, history) -> {
                if (record.epoch() == 2) {
                    throw new RuntimeException("interrupted after epoch 2");
                }
            }));
            assertEquals("interrupted after epoch 2", stop.getMessage());
            assertEquals(2, Checkpoint.read(out.resolve(Checkpoint.LAST)).info().epoch());

            History resumed = train(data(), interrupted);
            assertEquals(whole.withoutTiming(), resumed.withoutTiming(), optimizer.toString());
            assertEquals(whole.withoutTiming(), History.load(out.resolve(Checkpoint.HISTORY)).withoutTiming());
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefused(@TempDir Path dir) throws IOException {
        train(data(), config(1).withCheckpoints(dir));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> train(data(), config(1).withSeed(12).withCheckpoints(dir).withResume(true)));
        assertTrue(e.getMessage().contains("seed: checkpoint has 11, this run 12"), e.getMessage());
    }

    @Test
    void earlyStoppingStopsAndPutsTheBestWeightsBack(@TempDir Path dir) throws IOException {
        // Validation labels are the training labels swapped: the better the network learns, the worse it validates.
        ImageSet train = TestData.brightness(64, 1, 8, 1);
        ImageSet swapped = TestData.brightness(32, 1, 8, 2);
        int[] flipped = new int[swapped.size()];
        byte[] pixels = new byte[swapped.size() * swapped.imageBytes()];
        for (int i = 0; i < swapped.size(); i++) {
            flipped[i] = 1 - swapped.label(i);
            System.arraycopy(swapped.image(i), 0, pixels, i * swapped.imageBytes(), swapped.imageBytes());
        }
        ImageSet valid = new ImageSet("swapped", pixels, flipped, 1, 8, 8, swapped.classes());
        TrainingData data = new TrainingData(train, valid, Normalization.of(train), Augmentation.NONE);
        FitConfig config = FitConfig.of(30, Schedule.constant(0.02)).withBatchSize(16).withSeed(5)
                .withEarlyStopping(2, EarlyStopping.Monitor.VALID_LOSS).withCheckpoints(dir);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data, config);
            History history = fit.run();
            assertTrue(history.size() < 30, "stopped early: " + history);
            int best = fit.bestEpoch();
            assertEquals(best + 2, history.size(), "two epochs without improvement after the best one");
            assertTrue(fit.stopReason().startsWith("stopped early"), fit.stopReason());
            double bestLoss = history.epoch(best).validLoss();
            assertNotEquals(bestLoss, history.last().validLoss(), 1e-3);
            Evaluation now = Evaluation.of(model, valid, data.normalization(), 16);
            assertEquals(bestLoss, now.loss(), 1e-5, "the model holds the best epoch's weights");
            assertEquals(best, Checkpoint.read(dir.resolve(Checkpoint.BEST)).info().epoch());
        }
    }

    @Test
    void nonFiniteLossStopsNamingEpochAndBatchAndKeepsTheLastCheckpoint(@TempDir Path dir) throws IOException {
        boolean[] poison = {false};
        Block head = new LambdaBlock(list -> new NDList(poison[0] ? list.head().mul(Float.NaN) : list.head()), "poison");
        SequentialBlock net = new SequentialBlock().add(ResNet.build(TINY)).add(head);
        FitConfig config = config(3).withCheckpoints(dir);
        try (Model model = Model.newInstance("poisoned")) {
            model.setBlock(net);
            Fit fit = new Fit(model, data(), config).listen((record, history) -> poison[0] = true);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, fit::run);
            assertEquals(2, e.epoch());
            assertEquals(1, e.batch());
            assertTrue(e.getMessage().contains("NaN at epoch 2, batch 1 of 3"), e.getMessage());
            assertTrue(e.getMessage().contains(dir.resolve(Checkpoint.LAST) + " (epoch 1), is kept"), e.getMessage());
        }
        Checkpoint last = Checkpoint.read(dir.resolve(Checkpoint.LAST));
        assertEquals(1, last.info().epoch());
        assertEquals(1, last.history().size());
    }

    /** Scores pass in training and become NaN in inference: every training batch is finite, validation is not. */
    private static final class NaNInInference extends ai.djl.nn.AbstractBlock {
        @Override
        protected NDList forwardInternal(ai.djl.training.ParameterStore store, NDList inputs, boolean training,
                ai.djl.util.PairList<String, Object> params) {
            return training ? inputs : new NDList(inputs.head().mul(Float.NaN));
        }

        @Override
        public ai.djl.ndarray.types.Shape[] getOutputShapes(ai.djl.ndarray.types.Shape[] inputShapes) {
            return inputShapes;
        }
    }

    @Test
    void aNonFiniteValidationLossStopsTheRunAndNothingIsSaved(@TempDir Path dir) throws IOException {
        SequentialBlock net = new SequentialBlock().add(ResNet.build(TINY)).add(new NaNInInference());
        try (Model model = Model.newInstance("nan-in-validation")) {
            model.setBlock(net);
            Fit fit = new Fit(model, data(), config(3).withCheckpoints(dir));
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, fit::run);
            assertEquals("epoch 1, validation", e.where());
            assertTrue(e.getMessage().contains("the validation loss became NaN after epoch 1"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve(Checkpoint.BEST)), "a non-finite epoch is never the best");
        assertFalse(Files.exists(dir.resolve(Checkpoint.LAST)));
    }

    @Test
    void aLossPastTheDivergenceBoundStopsTheRun() {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data(), config(2)).divergenceBound(0.01);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, fit::run);
            assertEquals("epoch 1, batch 1", e.where());
            assertTrue(e.getMessage().contains("past the divergence bound of 0.01000"), e.getMessage());
        }
        assertEquals(100 * Math.log(10), Fit.divergenceBoundFor(10), 1e-12);
    }

    /**
     * The runs in miniature: far too high a learning rate, with BatchNorm (1e6) and without
     * (30). Each run must stop naming where, and whatever it left on disk must be finite: no
     * checkpoint of a diverged epoch, as last or as best.
     */
    @Test
    void aLearningRateThatDivergesStopsAndLeavesOnlyFiniteCheckpoints(@TempDir Path dir) throws IOException {
        for (boolean batchNorm : new boolean[] {true, false}) {
            double lr = batchNorm ? 1e6 : 30;
            Path out = dir.resolve("bn-" + batchNorm);
            try (Model model = Model.newInstance("tiny")) {
                model.setBlock(ResNet.build(TINY.withBatchNorm(batchNorm)));
                Fit fit = new Fit(model, data(), config(3).withSchedule(Schedule.constant(lr)).withCheckpoints(out));
                NonFiniteLossException e = assertThrows(NonFiniteLossException.class, fit::run, "lr " + lr);
                assertTrue(e.getMessage().contains("epoch " + e.epoch()), e.getMessage());
                for (String name : new String[] {Checkpoint.LAST, Checkpoint.BEST}) {
                    if (Files.exists(out.resolve(name))) {
                        Checkpoint saved = Checkpoint.read(out.resolve(name));
                        assertTrue(saved.info().epoch() < e.epoch(), name + " holds an epoch before the divergence");
                        for (EpochRecord r : saved.history().epochs()) {
                            assertTrue(Double.isFinite(r.trainLoss()) && Double.isFinite(r.validLoss()), r.toString());
                        }
                        try (Model again = Model.newInstance("tiny")) {
                            again.setBlock(ResNet.build(TINY.withBatchNorm(batchNorm)));
                            saved.loadInto(again.getBlock(), again.getNDManager()); // finite weights, or this throws
                        }
                    }
                }
            }
        }
    }

    @Test
    void checkpointRoundTripRebuildsTheSameModel(@TempDir Path dir) throws IOException {
        TrainingData data = data();
        float[] before;
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            new Fit(model, data, config(2).withCheckpoints(dir).withRestoreBest(false)).run();
            before = scores(model, data);
        }
        Checkpoint checkpoint = Checkpoint.read(dir.resolve(Checkpoint.LAST));
        Checkpoint.Info info = checkpoint.info();
        assertEquals("tiny", info.modelName());
        assertArrayEquals(new long[] {1, 8, 8}, info.inputShape());
        assertEquals(2, info.classes());
        assertEquals(data.normalization(), info.normalization());
        assertEquals(config(2).settings(), info.settings());
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            checkpoint.loadInto(model.getBlock(), model.getNDManager());
            assertArrayEquals(before, scores(model, data), 0f);
        }
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY.withInputChannels(3)));
            IllegalStateException wrong = assertThrows(IllegalStateException.class,
                    () -> checkpoint.loadInto(model.getBlock(), model.getNDManager()));
            assertTrue(wrong.getMessage().contains("for 1 input channel(s) and 2 classes, the network has 3 and 2"), wrong.getMessage());
        }
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "no temporary file is left behind");
        }
        assertTrue(Files.getPosixFilePermissions(dir.resolve(Checkpoint.LAST))
                .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ), "readable like any output file");
        byte[] bytes = Files.readAllBytes(dir.resolve(Checkpoint.LAST));
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> Checkpoint.read(cut));
        assertTrue(e.getMessage().contains(cut + " is truncated"), e.getMessage());
    }

    /**
     * Every array a batch, a validation pass or a checkpoint makes is closed again: the engine's
     * count of open arrays is the same after every epoch (resident memory is the allocator's and the
     * JVM's business, this count is ours).
     */
    @Test
    void noArrayIsLeftOpenFromOneEpochToTheNext(@TempDir Path dir) throws IOException {
        List<Integer> open = new java.util.ArrayList<>();
        History history = train(data(), config(4).withCheckpoints(dir), (record, h) -> open.add(resnet.Platform.openArrays()));
        assertEquals(4, history.size());
        assertEquals(List.of(open.get(0), open.get(0), open.get(0), open.get(0)), open,
                "engine arrays open after each epoch: " + open);
    }

    private static float[] scores(Model model, TrainingData data) {
        ai.djl.ndarray.NDManager manager = model.getNDManager();
        try (ai.djl.ndarray.NDManager temp = manager.newSubManager()) {
            float[] pixels = new float[data.valid().size() * 64];
            for (int i = 0; i < data.valid().size(); i++) {
                data.normalization().apply(data.valid().image(i), 0, 8, 8, pixels, i * 64);
            }
            var x = temp.create(pixels, new ai.djl.ndarray.types.Shape(data.valid().size(), 1, 8, 8));
            return model.getBlock().forward(new ai.djl.training.ParameterStore(temp, false), new NDList(x), false)
                    .singletonOrThrow().toFloatArray();
        }
    }
}
