package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.train.Checkpoint;
import resnet.train.History;

/** train and evaluate end to end on a tiny Fashion-MNIST-format folder the test writes. */
class TrainCommandTest {

    private record Result(int status, String out, String err) {
        String lastLine() {
            String[] lines = out.trim().split("\\R");
            return lines[lines.length - 1];
        }
    }

    private static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int status = Main.run(args);
            return new Result(status, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void trainWritesItsFilesAndEvaluateRepeatsTheTestAccuracy(@TempDir Path dir) throws Exception {
        Path data = TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1), TestData.brightness(16, 1, 28, 2));
        Path out = dir.resolve("run");
        Result train = run("train", "--model", "resnet20", "--dataset", "fashion-mnist", "--data-dir", data.toString(),
                "--epochs", "1", "--batch", "16", "--out", out.toString());
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.lastLine().matches("test accuracy: [01]\\.\\d{4}"), train.lastLine());
        for (String file : new String[] {Checkpoint.LAST, Checkpoint.BEST, Checkpoint.HISTORY, "curves.png"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file);
        }
        assertEquals(1, History.load(out.resolve(Checkpoint.HISTORY)).size());

        Result evaluate = run("evaluate", "--checkpoint", out.toString(), "--dataset", "fashion-mnist", "--data-dir", data.toString());
        assertEquals(0, evaluate.status(), evaluate.out() + evaluate.err());
        assertEquals(train.lastLine(), evaluate.lastLine());

        Result again = run("train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(2, again.status());
        assertTrue(again.err().contains("pass --resume"), again.err());
    }

    @Test
    void missingDataFolderOrCheckpointIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-data");
        Result train = run("train", "--dataset", "fashion-mnist", "--data-dir", missing.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, train.status());
        assertTrue(train.err().contains("Fashion-MNIST folder " + missing + " does not exist"), train.err());

        Result evaluate = run("evaluate", "--checkpoint", dir.toString(), "--dataset", "cifar10");
        assertEquals(1, evaluate.status());
        assertTrue(evaluate.err().contains("no checkpoint at " + dir.resolve(Checkpoint.BEST)), evaluate.err());

        Result unknown = run("train", "--dataset", "mnist");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown data set 'mnist'; known: fashion-mnist, cifar10"), unknown.err());
    }
}
