package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.train.Checkpoint;
import resnet.train.EpochRecord;
import resnet.train.HoldRunLock;
import resnet.train.RunLock;

/** Faults a user would not notice without a check: a damaged checkpoint, two runs in one folder, a diverged run. */
class RunFaultsTest {

    private static Path data(Path dir) throws Exception {
        return TestData.fashionMnistFolder(dir.resolve("data"), TestData.brightness(40, 1, 28, 1),
                TestData.brightness(16, 1, 28, 2));
    }

    private static CliRun train(Path data, Path out, String... more) {
        String[] base = {"train", "--dataset", "fashion-mnist", "--data-dir", data.toString(), "--limit", "32",
            "--batch", "16", "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void aCheckpointWithOneFlippedByteIsRefusedByEvaluateAndByResume(@TempDir Path dir) throws Exception {
        Path data = data(dir);
        Path out = dir.resolve("run");
        CliRun first = train(data, out, "--epochs", "1");
        assertEquals(0, first.status(), first.err());
        CliRun intact = CliRun.of("evaluate", "--checkpoint", out.toString(), "--dataset", "fashion-mnist",
                "--data-dir", data.toString());
        assertEquals(0, intact.status(), intact.err());

        for (String name : new String[] {Checkpoint.BEST, Checkpoint.LAST}) {
            byte[] bytes = Files.readAllBytes(out.resolve(name));
            bytes[bytes.length / 2] ^= 0x01; // one bit, in the middle of the weights
            Files.write(out.resolve(name), bytes);
        }
        CliRun evaluate = CliRun.of("evaluate", "--checkpoint", out.toString(), "--dataset", "fashion-mnist",
                "--data-dir", data.toString());
        assertEquals(1, evaluate.status(), evaluate.out());
        assertTrue(evaluate.err().contains(out.resolve(Checkpoint.BEST) + " is damaged"), evaluate.err());
        assertFalse(evaluate.out().contains("test accuracy"), evaluate.out());

        CliRun resume = train(data, out, "--epochs", "1", "--resume");
        assertEquals(1, resume.status(), resume.out());
        assertTrue(resume.err().contains(out.resolve(Checkpoint.LAST) + " is damaged"), resume.err());
        assertFalse(resume.out().contains("epoch"), "refused before any training: " + resume.out());
    }

    @Test
    void aSecondRunIntoALockedFolderIsRefusedNamingTheProcess(@TempDir Path dir) throws Exception {
        Path data = data(dir);
        Path out = dir.resolve("run");
        Process other = HoldRunLock.start(out);
        try {
            CliRun second = train(data, out, "--epochs", "1");
            assertEquals(1, second.status(), second.out());
            assertTrue(second.err().contains("the run folder " + out + " is in use")
                    && second.err().contains("process " + other.pid()), second.err());
            assertFalse(Files.exists(out.resolve(Checkpoint.LAST)), "the refused run wrote nothing");
        } finally {
            HoldRunLock.kill(other);
        }
        try (RunLock lock = RunLock.acquire(out)) {
            assertEquals(out.toAbsolutePath().normalize(), lock.folder(), "the lock of a killed process is gone");
        }
    }

    /** The issue's --lr 1000 on ResNet-20: it must stop naming epoch and batch, and keep no diverged epoch. */
    @Test
    void aDivergingLearningRateStopsAndKeepsNoDivergedEpoch(@TempDir Path dir) throws Exception {
        Path data = data(dir);
        Path out = dir.resolve("run");
        CliRun run = train(data, out, "--epochs", "2", "--lr", "1000");
        assertEquals(1, run.status(), run.out());
        assertTrue(run.err().matches("(?s).*(became NaN|became Infinity|past the divergence bound|validation loss became"
                + "|weights hold NaN).*") && run.err().contains("epoch "), run.err());
        assertFalse(run.out().contains("test accuracy"), run.out());
        if (Files.exists(out.resolve(Checkpoint.BEST))) {
            Checkpoint best = Checkpoint.read(out.resolve(Checkpoint.BEST));
            for (EpochRecord r : best.history().epochs()) {
                assertTrue(Double.isFinite(r.validLoss()), "best.ckpt holds a finite epoch: " + r);
            }
        }
    }
}
