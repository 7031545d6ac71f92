package resnet.weights;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/python/torch_reference.py} with a python3 that has PyTorch and torchvision
 * ($RESNET_TORCH_PYTHON, Debian's /usr/bin/python3, or python3 on PATH, as bin/_common.sh's
 * ensure_test_packages looks for them). Without one the calling test fails, naming the packages:
 * it never skips.
 */
final class TorchReference {

    static final Path SCRIPT = Path.of("src/test/python/torch_reference.py").toAbsolutePath();
    private static String python;

    private TorchReference() {}

    static synchronized String python() {
        if (python != null) {
            return python;
        }
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("RESNET_TORCH_PYTHON");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add("/usr/bin/python3");
        candidates.add("python3");
        for (String candidate : candidates) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import torch, torchvision").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    return python;
                }
            } catch (IOException e) {
                // not installed under this name; try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("no python3 with PyTorch and torchvision (tried " + candidates + "); the weights tests make their"
                + " reference files with them. Install Debian's packages: sudo apt-get install python3-torch"
                + " python3-torchvision (bin/test installs them when run as root), or set RESNET_TORCH_PYTHON");
    }

    /** Runs the script with {@code args}; fails the test with its output unless it exits 0. Returns the output. */
    static String run(Object... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python(), SCRIPT.toString()));
        for (Object arg : args) {
            command.add(arg.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("torch_reference.py did not finish within 300 s: " + command + "\n" + output);
        }
        if (p.exitValue() != 0) {
            fail("torch_reference.py failed (exit " + p.exitValue() + "): " + command + "\n" + output);
        }
        return output;
    }
}
