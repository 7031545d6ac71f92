package resnet;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Executes every {@code notebooks/*.ipynb} headless through real Jupyter against the installed
 * {@code java} kernel, in quick mode, one dynamic test per notebook (a new notebook is picked up
 * without editing this class). Executed copies go to {@code target/notebooks/}; the committed
 * notebooks are never rewritten.
 *
 * <p>The work is done by {@code scripts/run_notebooks.py} (nbclient), which fails naming the
 * notebook and the cell on an error output, a cell past its timeout, or a kernelspec other than
 * {@code java}. System properties: {@code notebook.python} (a python with nbclient; found if
 * unset), {@code notebook.cellTimeout} (seconds, default 600), {@code notebooks} (a
 * comma-separated subset of names to run, e.g. {@code 00-setup,02-residual-block}).
 */
class NotebooksIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path NOTEBOOKS = ROOT.resolve("notebooks");
    private static final Path OUT = ROOT.resolve("target/notebooks");
    private static String python;

    @BeforeAll
    static void findJupyterAndKernel() throws Exception {
        python = findPython();
        // Asked through jupyter_client itself: the `jupyter kernelspec` command is a separate Debian package.
        Output kernels = run(List.of(python, "-c",
                "from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec('java').resource_dir)"),
                60, false);
        assertTrue(kernels.status == 0,
                "the Jupyter kernel 'java' is not installed for " + python
                        + ": run bin/install-kernel (or bin/test, which does it)\n" + kernels.text);
    }

    @TestFactory
    Stream<DynamicTest> everyNotebookRunsInQuickMode() throws IOException {
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(NOTEBOOKS)) {
            notebooks = files.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
        }
        assertFalse(notebooks.isEmpty(), "no notebooks in " + NOTEBOOKS);
        String subset = System.getProperty("notebooks", "").trim();
        if (!subset.isEmpty()) {
            Set<String> wanted = Arrays.stream(subset.split(","))
                    .map(String::trim).map(s -> s.endsWith(".ipynb") ? s : s + ".ipynb")
                    .collect(Collectors.toSet());
            notebooks = notebooks.stream().filter(p -> wanted.contains(p.getFileName().toString())).toList();
            assertFalse(notebooks.isEmpty(), "-Dnotebooks=" + subset + " matches no notebook in " + NOTEBOOKS);
        }
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> execute(nb)));
    }

    /** What a kernel started from the kernelspec reports, and the kernelspec's own environment. */
    private static final String KERNEL_PROBE = String.join("\n",
            "import json",
            "from jupyter_client.manager import start_new_kernel",
            "km, kc = start_new_kernel(kernel_name='java', startup_timeout=120)",
            "out = []",
            "try:",
            "    kc.execute_interactive('System.out.println(\"probe \" + resnet.Platform.allocator() + \" \" + resnet.Platform.ompWaitPolicy());',",
            "        output_hook=lambda m: out.append(m['content'].get('text', '')) if m['msg_type'] == 'stream' else None, timeout=120)",
            "finally:",
            "    kc.stop_channels()",
            "    km.shutdown_kernel(now=True)",
            "print(''.join(out).strip())",
            "print('spec ' + json.dumps(km.kernel_spec.env))");

    /**
     * The kernel runs as {@code bin/resnet} does: on the allocator its kernelspec preloads
     * ({@code bin/install-kernel} writes tcmalloc's path when it is installed) and with the OpenMP
     * wait policy the kernelspec sets.
     */
    @org.junit.jupiter.api.Test
    void theKernelRunsOnTheAllocatorAndWaitPolicyOfItsKernelspec() throws Exception {
        Output output = run(List.of(python, "-c", KERNEL_PROBE), 300, false);
        assertTrue(output.status == 0, "the kernel probe failed:\n" + output.text);
        String probe = output.text.lines().filter(l -> l.startsWith("probe ")).findFirst().orElse("");
        String spec = output.text.lines().filter(l -> l.startsWith("spec ")).findFirst().orElse("");
        String preload = spec.contains("libtcmalloc") ? "tcmalloc" : spec.contains("libjemalloc") ? "jemalloc" : "glibc";
        java.util.regex.Matcher wait = java.util.regex.Pattern.compile("\"OMP_WAIT_POLICY\": \"(\\w+)\"").matcher(spec);
        String policy = wait.find() ? wait.group(1).toLowerCase(java.util.Locale.ROOT)
                : Platform.ompWaitPolicy(); // not in the spec: the kernel inherits this process's environment
        assertTrue(probe.equals("probe " + preload + " " + policy),
                "expected 'probe " + preload + " " + policy + "' from the kernel of " + spec + ", got:\n" + output.text);
    }

    /** Twenty cells sent back to back, each saying which thread ran it and whether it records gradients. */
    private static final String THREAD_PROBE = String.join("\n",
            "from jupyter_client.manager import start_new_kernel",
            "km, kc = start_new_kernel(kernel_name='java', startup_timeout=120)",
            "out = []",
            "hook = lambda m: out.append(m['content'].get('text', '')) if m['msg_type'] == 'stream' else None",
            "cell = 'System.out.println(\"cell \" + Thread.currentThread().getName() + \" \" + resnet.GradientMode.recording());'",
            "try:",
            "    kc.execute_interactive('ai.djl.engine.Engine.getInstance();', timeout=120)",
            "    for _ in range(20):",
            "        kc.execute_interactive(cell, output_hook=hook, timeout=120)",
            "finally:",
            "    kc.stop_channels()",
            "    km.shutdown_kernel(now=True)",
            "print(''.join(out).strip())");

    /**
     * Every cell runs on the one thread of the patched execution control (kernel-patch/README.md),
     * the thread that loaded the engine, so none records gradients: rapaio's own pool can hand a cell
     * a new thread, where PyTorch records and a training step fails.
     */
    @org.junit.jupiter.api.Test
    void everyCellRunsOnOneThreadThatRecordsNoGradients() throws Exception {
        Output output = run(List.of(python, "-c", THREAD_PROBE), 300, false);
        assertTrue(output.status == 0, "the kernel probe failed:\n" + output.text);
        List<String> cells = output.text.lines().filter(l -> l.startsWith("cell ")).toList();
        assertTrue(cells.size() == 20 && cells.stream().allMatch(l -> l.equals("cell cell-thread false")),
                "expected 20 lines 'cell cell-thread false', got:\n" + output.text);
    }

    private static void execute(Path notebook) throws Exception {
        int cellTimeout = Integer.getInteger("notebook.cellTimeout", 600);
        List<String> command = List.of(python, ROOT.resolve("scripts/run_notebooks.py").toString(),
                "--out", OUT.toString(), "--cell-timeout", String.valueOf(cellTimeout), notebook.toString());
        // A notebook has at most a few dozen cells; the per-cell timeout is the real guard.
        Output output = run(command, 3L * 3600, true);
        if (output.status != 0) {
            String failures = output.text.lines().filter(l -> l.startsWith("NOTEBOOK FAILED: "))
                    .map(l -> l.substring("NOTEBOOK FAILED: ".length())).collect(Collectors.joining("\n"));
            fail(failures.isEmpty() ? notebook.getFileName() + " failed:\n" + output.text : failures);
        }
    }

    private record Output(int status, String text) {}

    /** Runs a command with quick mode and offline DJL, echoing its output as it comes if asked. */
    private static Output run(List<String> command, long timeoutSeconds, boolean echo) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().put("RESNET_QUICK", "1");
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("PYTHONUNBUFFERED", "1");
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (echo) {
                        System.out.println(line);
                    }
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended; what was read is kept
            }
        });
        reader.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            reader.join(5000);
            return new Output(124, "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        reader.join();
        synchronized (lines) {
            return new Output(process.exitValue(), String.join("\n", lines));
        }
    }

    /** The python given by -Dnotebook.python, else the first of RESNET_PYTHON, python3, /usr/bin/python3 with nbclient. */
    private static String findPython() throws Exception {
        String given = System.getProperty("notebook.python", "").trim();
        List<String> candidates = new ArrayList<>();
        if (!given.isEmpty()) {
            candidates.add(given);
        }
        String env = System.getenv("RESNET_PYTHON");
        if (env != null && !env.isBlank()) {
            candidates.add(env.trim());
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String candidate : candidates) {
            try {
                if (run(List.of(candidate, "-c", "import jupyter_client, nbclient, nbformat"), 60, false).status == 0) {
                    return candidate;
                }
            } catch (IOException notThere) {
                // try the next one
            }
        }
        throw new AssertionError("no python with Jupyter and nbclient among " + candidates
                + "; Debian: apt-get install jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel;"
                + " conda: conda env create -f environment.yml");
    }
}
