package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.data.Augmentation;
import resnet.data.BatchLoader;
import resnet.data.TrainingData;
import resnet.inspect.Summary;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.train.EpochRecord;
import resnet.train.Fit;
import resnet.train.FitConfig;
import resnet.train.FitListener;
import resnet.train.History;
import resnet.train.OptimizerSettings;
import resnet.train.Schedule;
import resnet.train.TrainingStep;

class BenchCommandTest {

    private static String run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args));
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(out);
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    @Test
    void aCaseNamesModelInputModeAndBatchWithDefaultsForWhatIsLeftOut() {
        BenchCommand.Case full = BenchCommand.Case.parse("resnet20:1x28x28:train:64", 0);
        assertEquals(new BenchCommand.Case("resnet20", new Shape(1, 28, 28), true, 64), full);
        BenchCommand.Case bare = BenchCommand.Case.parse("ResNet50", 0);
        assertEquals(new BenchCommand.Case("resnet50", new Shape(3, 224, 224), true, 128), bare);
        BenchCommand.Case infer = BenchCommand.Case.parse("resnet50::infer", 0);
        assertEquals(8, infer.batch());
        assertEquals(16, BenchCommand.Case.parse("resnet50::infer:4", 16).batch()); // --batch overrides
        assertEquals("resnet20:1x28x28:train:64", full.text());
    }

    @Test
    void badCasesAreRejectedWithWhatIsExpected() {
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet20:1x28x28:fit", 0))
                .getMessage().contains("train or infer"));
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet20:1x28x28:train:0", 0))
                .getMessage().contains("positive whole number"));
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet21", 0))
                .getMessage().contains("known models"));
        assertEquals(2, Main.run(new String[] {"bench", "--steps", "0"}));
    }

    @Test
    void theDefaultCasesAreThePyTorchScriptsToo() throws Exception {
        String script = Files.readString(Path.of("scripts", "bench_torch.py"));
        assertTrue(script.contains("DEFAULT_CASES = \"" + BenchCommand.DEFAULT_CASES + "\""),
                "scripts/bench_torch.py must time the same cases as BenchCommand.DEFAULT_CASES");
    }

    @Test
    void oneTrainingCasePrintsOneLineWithTheLibrarysCounts() {
        String out = run("bench", "--models", "resnet20:1x16x16:train:4", "--steps", "2", "--warmup", "1", "--no-matmul",
                "--threads", "1", "--rss-every", "1");
        String line = out.lines().filter(l -> l.startsWith("bench ")).findFirst().orElseThrow(() -> new AssertionError(out));
        Map<String, String> f = fields(line);
        Summary summary = Summary.of(ResNet.build(ResNet.spec("resnet20").withInputChannels(1)), new Shape(1, 16, 16));
        assertEquals("djl", f.get("side"));
        assertEquals("train", f.get("mode"));
        assertEquals(resnet.Platform.ompWaitPolicy(), f.get("omp_wait"));
        assertEquals("4", f.get("batch"));
        assertEquals(String.valueOf(summary.parameters()), f.get("params"));
        assertEquals(String.valueOf(summary.macs()), f.get("macs"));
        double median = Double.parseDouble(f.get("img_s_median"));
        assertTrue(Double.parseDouble(f.get("img_s_min")) <= median && median <= Double.parseDouble(f.get("img_s_max")), line);
        assertTrue(Double.parseDouble(f.get("peak_rss_mib")) >= Double.parseDouble(f.get("rss_end_mib")), line);
        assertFalse(out.contains("matmul"), out);
        // one resident-memory line per step, warm-up included
        assertEquals(java.util.List.of("rss step=1", "rss step=2", "rss step=3"), out.lines()
                .filter(l -> l.startsWith("rss ")).map(l -> l.substring(0, l.indexOf(" rss_mib="))).toList());
    }

    /**
     * The benchmark times the fit loop's own step: on the same batches, from the same start, the
     * bench's step gives the losses the fit loop reports, batch for batch, and the second and later
     * losses depend on every earlier update (optimiser, momentum, weight decay, learning rate).
     */
    @Test
    void theBenchStepsLikeTheFitLoopWithItsOptimiser() throws Exception {
        ResNetSpec tiny = ResNet.spec("resnet20").withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);
        TrainingData data = TrainingData.split(TestData.brightness(40, 1, 8, 7), 0.2, 3, Augmentation.NONE);
        FitConfig config = FitConfig.of(1, Schedule.constant(BenchCommand.LEARNING_RATE)).withBatchSize(8).withSeed(9)
                .withOptimizer(BenchCommand.OPTIMIZER);
        List<Double> fitLosses = new ArrayList<>();
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(tiny));
            new Fit(model, data, config).listen(new FitListener() {
                @Override
                public void onBatch(BatchProgress progress) {
                    fitLosses.add(progress.loss());
                }

                @Override
                public void onEpoch(EpochRecord record, History history) {}
            }).run();
        }
        assertEquals(4, fitLosses.size());

        List<Double> benchLosses = new ArrayList<>();
        Engine.getInstance().setRandomSeed((int) config.seed());
        BenchCommand.Case c = BenchCommand.Case.parse("resnet20:1x8x8:train:8", 0);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(tiny));
            try (TrainingStep step = BenchCommand.trainingStep(model, c);
                    BatchLoader loader = data.trainBatches(config.batchSize(), config.seed(), 1)) {
                assertEquals(OptimizerSettings.sgd(0.9, 5e-4, false), step.optimizer().settings(),
                        "torch.optim.SGD(momentum=0.9, weight_decay=5e-4) as in bench_torch.py: no Nesterov");
                double sum = 0;
                int seen = 0;
                while (loader.hasNext()) {
                    try (Batch batch = loader.next(model.getNDManager())) {
                        TrainingStep.Result r = step.run(batch.getData().head(), batch.getLabels().head(), BenchCommand.LEARNING_RATE);
                        sum += r.loss() * r.size();
                        seen += r.size();
                        benchLosses.add(sum / seen);
                    }
                }
            }
        }
        assertEquals(fitLosses, benchLosses);
        assertNotEquals(fitLosses.get(0), fitLosses.get(1), "the batches differ");
    }

    @Test
    void theMatmulLineReportsAPositiveRate() {
        String out = run("bench", "--matmul-only", "--threads", "1");
        Map<String, String> f = fields(out.lines().filter(l -> l.startsWith("matmul ")).findFirst().orElseThrow());
        assertEquals("2048", f.get("n"));
        assertTrue(Double.parseDouble(f.get("gflops")) > 0, out);
    }
}
