package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A second process for the lock tests: takes the run lock of the folder in {@code args[0]}, says
 * {@code locked PID} on standard output, and holds it until it is killed.
 */
public final class HoldRunLock {

    private HoldRunLock() {}

    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]));
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        Thread.sleep(120_000);
        lock.close();
    }

    /** Starts this class on {@code dir} in a new JVM and returns once that process holds the lock. */
    public static Process start(Path dir) throws Exception {
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HoldRunLock.class.getName(), dir.toString()))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(60, TimeUnit.SECONDS);
        assertEquals("locked " + child.pid(), line, "the child process took the lock");
        return child;
    }

    /** kill -9: the process gets no chance to release anything itself. */
    public static void kill(Process child) throws InterruptedException {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
    }
}
