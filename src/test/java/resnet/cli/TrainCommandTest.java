package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.train.Checkpoint;
import resnet.train.History;

/** train and evaluate end to end on a tiny Fashion-MNIST-format folder the test writes. */
class TrainCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void trainWritesItsFilesAndEvaluateRepeatsTheTestAccuracy(@TempDir Path dir) throws Exception {
        Path data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path out = dir.resolve("run");
        CliRun train = run("train", "--model", "resnet20", "--dataset", "fashion-mnist", "--data-dir", data.toString(),
                "--epochs", "1", "--batch", "16", "--out", out.toString());
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.lastLine().matches("test accuracy: [01]\\.\\d{4}"), train.lastLine());
        for (String file : new String[] {Checkpoint.LAST, Checkpoint.BEST, Checkpoint.HISTORY, "curves.png"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        assertEquals(1, History.load(out.resolve(Checkpoint.HISTORY)).size());

        CliRun evaluate = run("evaluate", "--checkpoint", out.toString(), "--dataset", "fashion-mnist", "--data-dir", data.toString(),
                "--tta", "flip");
        assertEquals(0, evaluate.status(), evaluate.out() + evaluate.err());
        assertEquals(train.lastLine(), evaluate.lastLine());

        Map<String, String> result = RunResult.read(out.resolve(RunResult.FILE));
        assertEquals(train.lastLine(), "test accuracy: " + result.get("test accuracy"));
        assertEquals("42", result.get("seed"));
        // the speed settings that differ from bin/resnet's defaults come first, as one would repeat the run
        assertTrue(result.get("command").startsWith(resnet.Platform.settingsPrefix() + "bin/resnet train --model resnet20"),
                result.get("command"));
        assertTrue(Double.parseDouble(result.get("peak memory MiB")) > 0, result.toString());
        assertTrue(result.containsKey("validation accuracy flip"), result.toString());
        assertFalse(result.getOrDefault("processor", "").isBlank(), result.toString());

        Path png = dir.resolve("chart.png");
        CliRun chart = run("chart", out.toString(), "--out", png.toString());
        assertEquals(0, chart.status(), chart.out() + chart.err());
        assertTrue(Files.size(png) > 0);
        assertTrue(chart.out().contains("| default | 42 | 1 |"), chart.out());
        assertEquals("resnet20", result.get("model"));
        // a run of another network under the same recipe is its own series
        Path wide = Files.createDirectories(dir.resolve("wide"));
        Files.writeString(wide.resolve(RunResult.FILE), Files.readString(out.resolve(RunResult.FILE))
                .replace("model: resnet20\n", "model: resnet20_w1.5\n"));
        CliRun both = run("chart", out.toString(), wide.toString(), "--out", png.toString());
        assertEquals(0, both.status(), both.out() + both.err());
        assertTrue(both.out().contains("| default | 42 | 1 |"), both.out());
        assertTrue(both.out().contains("| default, resnet20_w1.5 | 42 | 1 |"), both.out());

        CliRun again = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(2, again.status());
        assertTrue(again.err().contains("pass --resume"), again.err());
    }

    @Test
    void aTimeBudgetPlansTheEpochsAndRecordsThePlan(@TempDir Path dir) throws Exception {
        Path data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path out = dir.resolve("run");
        // 1.01 minutes less the minute kept for the test ended long ago (the budget counts from the JVM's
        // start): the plan after the warm-up epoch is the fewest, one epoch more
        CliRun train = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "5",
                "--batch", "16", "--minutes", "1.01", "--out", out.toString());
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.out().contains("time budget: after epoch 1"), train.out());
        assertTrue(train.out().contains("2 epochs in all"), train.out());
        assertEquals(2, History.load(out.resolve(Checkpoint.HISTORY)).size());
        Map<String, String> result = RunResult.read(out.resolve(RunResult.FILE));
        assertEquals("1.01", result.get("time budget minutes"));
        assertEquals("2", result.get("epochs run"));
    }

    @Test
    void averagedWeightsAreTheRunsResultAndEvaluateScoresThem(@TempDir Path dir) throws Exception {
        Path data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path out = dir.resolve("run");
        CliRun train = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "4",
                "--batch", "16", "--swa", "0.5", "--zero-init-residual", "--out", out.toString());
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.out().contains("average after epoch 2 at 0.02"), train.out());
        assertTrue(train.out().contains("zero-init residual: true"), train.out());
        assertTrue(train.out().contains("weights: the average of epochs 3-4, BatchNorm's statistics measured anew on 2"
                + " batches"), train.out());
        Map<String, String> result = RunResult.read(out.resolve(RunResult.FILE));
        assertEquals("the average of epochs 3-4 of 4", result.get("weights"));
        assertTrue(result.containsKey("last epoch validation accuracy"), result.toString());
        CliRun evaluate = run("evaluate", "--checkpoint", out.toString(), "--dataset", "fashion-mnist", "--data-dir",
                data.toString(), "--tta", "flip");
        assertEquals(0, evaluate.status(), evaluate.out() + evaluate.err());
        assertEquals(train.lastLine(), evaluate.lastLine(), "best.ckpt holds the average train tested");
    }

    @Test
    void membersTrainOneAfterTheOtherAndAreScoredTogether(@TempDir Path dir) throws Exception {
        Path data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path out = dir.resolve("run");
        CliRun train = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "1",
                "--batch", "16", "--members", "2", "--seed", "5", "--out", out.toString());
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.out().contains("member 2 of 2: seed 6"), train.out());
        for (String member : new String[] {"member-1", "member-2"}) {
            for (String file : new String[] {Checkpoint.LAST, Checkpoint.BEST, Checkpoint.HISTORY, "curves.png"}) {
                assertTrue(Files.size(out.resolve(member).resolve(file)) > 0, member + "/" + file);
            }
        }
        Map<String, String> result = RunResult.read(out.resolve(RunResult.FILE));
        assertEquals("2", result.get("members"));
        assertEquals("1; 1", result.get("epochs run"));
        assertEquals(2, result.get("member test accuracy").split(", ").length, result.toString());
        assertEquals(2, result.get("member validation accuracy flip").split(", ").length, result.toString());
        assertEquals(train.lastLine(), "test accuracy: " + result.get("test accuracy"));
        CliRun chart = run("chart", out.toString(), "--out", dir.resolve("chart.png").toString());
        assertEquals(0, chart.status(), chart.out() + chart.err());
        assertTrue(chart.out().contains("| default, 2 members | 5 | 1; 1 |"), chart.out());

        // evaluate scores the two checkpoints as the same ensemble, and each alone as train did
        CliRun both = run("evaluate", "--checkpoint", out.resolve("member-1") + "," + out.resolve("member-2"),
                "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--tta", "flip");
        assertEquals(0, both.status(), both.out() + both.err());
        assertEquals(train.lastLine(), both.lastLine());
        CliRun second = run("evaluate", "--checkpoint", out.resolve("member-2").toString(), "--dataset",
                "fashion-mnist", "--data-dir", data.toString(), "--tta", "flip");
        assertEquals("test accuracy: " + result.get("member test accuracy").split(", ")[1], second.lastLine());

        CliRun resume = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--members", "2",
                "--resume", "--out", out.toString());
        assertEquals(2, resume.status());
        assertTrue(resume.err().contains("resume a member on its own"), resume.err());
        CliRun again = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--members", "2",
                "--epochs", "1", "--out", out.toString());
        assertEquals(2, again.status());
        assertTrue(again.err().contains("member-1"), again.err());
        CliRun empty = run("evaluate", "--checkpoint", out.resolve("member-1") + ",", "--dataset", "fashion-mnist",
                "--data-dir", data.toString());
        assertEquals(2, empty.status());
        assertTrue(empty.err().contains("empty path"), empty.err());
    }

    @Test
    void missingDataFolderOrCheckpointIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-data");
        CliRun train = run("train", "--dataset", "fashion-mnist", "--data-dir", missing.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, train.status());
        assertTrue(train.err().contains("Fashion-MNIST folder " + missing + " does not exist"), train.err());

        CliRun evaluate = run("evaluate", "--checkpoint", dir.toString(), "--dataset", "cifar10");
        assertEquals(1, evaluate.status());
        assertTrue(evaluate.err().contains("no checkpoint at " + dir.resolve(Checkpoint.BEST)), evaluate.err());

        CliRun unknown = run("train", "--dataset", "mnist");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown data set 'mnist'; known: fashion-mnist, cifar10"), unknown.err());
    }
}
