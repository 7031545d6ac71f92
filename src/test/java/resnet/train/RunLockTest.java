package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

    @Test
    void anotherProcessIsRefusedUntilTheHolderIsKilled(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Process holder = HoldRunLock.start(run);
        try {
            RunLock.RunFolderException e = assertThrows(RunLock.RunFolderException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains("the run folder " + run + " is in use")
                    && e.getMessage().contains("process " + holder.pid()), e.getMessage());
        } finally {
            HoldRunLock.kill(holder);
        }
        try (RunLock lock = RunLock.acquire(run)) {
            assertEquals(String.valueOf(ProcessHandle.current().pid()),
                    Files.readString(run.resolve(RunLock.FILE)).trim(), "the lock file names its holder");
        }
    }

    @Test
    void theHoldingThreadMayTakeItAgainAnotherThreadMayNot(@TempDir Path dir) throws Exception {
        try (RunLock outer = RunLock.acquire(dir)) {
            try (RunLock inner = RunLock.acquire(dir)) {
                assertEquals(outer.folder(), inner.folder());
            }
            CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
                try (RunLock lock = RunLock.acquire(dir)) {
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Throwable refused = other.get(30, TimeUnit.SECONDS);
            assertTrue(refused instanceof RunLock.RunFolderException && refused.getMessage().contains("this process"),
                    String.valueOf(refused));
        }
        try (RunLock again = RunLock.acquire(dir)) {
            assertEquals(dir.toAbsolutePath().normalize(), again.folder(), "released when the outer hold closed");
        }
    }

    @Test
    void aFileInTheWayIsNamed(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        RunLock.RunFolderException e = assertThrows(RunLock.RunFolderException.class, () -> RunLock.acquire(file));
        assertTrue(e.getMessage().contains(file + " is a file, not a folder"), e.getMessage());
        e = assertThrows(RunLock.RunFolderException.class, () -> RunLock.acquire(file.resolve("run")));
        assertTrue(e.getMessage().contains(file + " is a file"), e.getMessage());
    }
}
