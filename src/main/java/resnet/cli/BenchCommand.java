package resnet.cli;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import resnet.Platform;
import resnet.data.BatchLoader;
import resnet.inspect.Summary;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.train.OptimizerSettings;
import resnet.train.TrainingStep;

/**
 * {@code resnet bench}: training and inference throughput and peak memory of the library's models,
 * one line per model in the format {@code scripts/bench_torch.py} prints for the same models in
 * PyTorch, so that {@code scripts/bench.sh} can put both sides in one table.
 *
 * <p>A training step is the fit loop's own ({@link TrainingStep}, what {@code Fit} runs for every
 * batch): forward, softmax cross-entropy, backward, the loss and accuracy read back, the check for a
 * finite loss, and the update by the fit loop's optimiser ({@link #OPTIMIZER}: SGD with momentum
 * 0.9, weight decay 5e-4, without Nesterov, as {@code torch.optim.SGD} in
 * {@code scripts/bench_torch.py}) at learning rate 0.1, on one random batch made before timing.
 * Each model runs in a fresh JVM when several are asked for, so that each peak resident memory
 * (VmHWM) is that model's alone.
 */
public final class BenchCommand implements Command {

    /** The four cases: ResNet-18 (CIFAR stem) and ResNet-20 training, ResNet-50 inference. */
    static final String DEFAULT_CASES = "resnet18_cifar:3x32x32:train:128,resnet20:1x28x28:train:128,"
            + "resnet20:3x32x32:train:128,resnet50:3x224x224:infer:8";

    static final double LEARNING_RATE = 0.1;
    /** The fit loop's SGD with PyTorch's defaults where bench_torch.py states none (no Nesterov, no dampening). */
    static final OptimizerSettings OPTIMIZER = OptimizerSettings.sgd(0.9, 5e-4, false);
    static final int MATMUL_SIZE = 2048;
    /** More engine threads than this is a typo (OpenMP would start them all). */
    static final int MAX_THREADS = 1024;

    /**
     * One thing to time: a model at an input shape, training or inference, at a batch size.
     *
     * @param model a name {@link ResNet#spec(String)} knows
     * @param input one image (channels, height, width)
     */
    record Case(String model, Shape input, boolean training, int batch) {

        /** MODEL[:CxHxW[:train|infer[:BATCH]]]; a positive {@code batchOverride} replaces the batch. */
        static Case parse(String text, int batchOverride) {
            String[] parts = text.trim().split(":", -1);
            if (parts[0].isEmpty() || parts.length > 4) {
                throw new UsageException("a case is MODEL[:CxHxW[:MODE[:BATCH]]], e.g. resnet20:1x28x28:train:128, got '"
                        + text + "'");
            }
            ResNetSpec spec;
            try {
                spec = ResNet.spec(parts[0]);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            Shape input = parts.length > 1 && !parts[1].isEmpty()
                    ? SummaryCommand.parseShape(parts[1])
                    : spec.defaultInputShape();
            if (input.get(0) > Integer.MAX_VALUE) {
                throw new UsageException("the input of a case has " + input.get(0) + " channels, more than a network takes,"
                        + " in '" + text + "'");
            }
            String mode = parts.length > 2 && !parts[2].isEmpty() ? parts[2] : "train";
            if (!mode.equals("train") && !mode.equals("infer")) {
                throw new UsageException("the mode of a case is train or infer, got '" + mode + "' in '" + text + "'");
            }
            boolean training = mode.equals("train");
            int batch = training ? 128 : 8;
            if (parts.length > 3) {
                try {
                    batch = Integer.parseInt(parts[3].trim());
                } catch (NumberFormatException e) {
                    batch = -1;
                }
                if (batch <= 0) {
                    throw new UsageException("the batch of a case is a positive whole number, got '" + parts[3]
                            + "' in '" + text + "'");
                }
            }
            return new Case(parts[0].trim().toLowerCase(Locale.ROOT), input, training,
                    batchOverride > 0 ? batchOverride : batch);
        }

        ResNetSpec spec() {
            return ResNet.spec(model).withInputChannels((int) input.get(0));
        }

        /**
         * Refuses a case whose weights and batch cannot fit in memory (lower bounds: {@link MemoryCheck}),
         * before any array is made; training counts a gradient and a momentum buffer per weight.
         */
        void checkMemory() {
            ResNetSpec spec = spec();
            MemoryCheck.requireWeights(text(), spec);
            long weights = MemoryCheck.headParameters(spec) * 4 * (training ? 3 : 1);
            long perImage;
            try {
                perImage = MemoryCheck.activationsPerImage(ResNet.build(spec), input, training);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage() + " (case '" + text() + "')");
            }
            MemoryCheck.requireBatch(text(), weights, perImage, batch, "a batch");
        }

        String inputText() {
            return input.get(0) + "x" + input.get(1) + "x" + input.get(2);
        }

        String text() {
            return model + ":" + inputText() + ":" + (training ? "train" : "infer") + ":" + batch;
        }
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String description() {
        return "training and inference speed (images/s) and peak memory, in the format of scripts/bench_torch.py";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet bench [--models CASES] [--threads N] [--steps N] [--warmup N] [--batch N]",
                "                    [--matmul-only] [--no-matmul] [--rss-every N] [--nchw]",
                "",
                "  --models CASES  comma-separated MODEL[:CxHxW[:train|infer[:BATCH]]] (default: the issue's four,",
                "                  " + DEFAULT_CASES + ")",
                "  --threads N     intra-op and inter-op threads of the engine (default: all processors)",
                "  --steps N       timed steps per model (default 10)",
                "  --warmup N      untimed steps first (default 3)",
                "  --batch N       replaces every case's batch",
                "  --matmul-only   only the single-precision matrix-multiply ceiling",
                "  --no-matmul     leave the matrix-multiply ceiling out",
                "  --rss-every N   also print 'rss step=S rss_mib=M' every N steps (memory must not grow)",
                "  --nchw          the batch stored (n, C, H, W); by default it is stored channels last, (n, H, W, C),",
                "                  as train's loader stores it (layout= in the line)",
                "  --profile FILE  one case only: libtorch's profiler records the timed steps into FILE (Chrome",
                "                  trace JSON); scripts/profile_table.py sums it per operator",
                "",
                "Prints 'matmul side=djl threads=T n=N gflops=G', then for each model one line",
                "'bench side=djl model=.. input=.. batch=.. mode=.. threads=.. interop=.. omp_wait=.. alloc=.. layout=..",
                " fpmath=.. params=.. macs=..",
                " img_s_median=.. img_s_min=.. img_s_max=.. gflops=.. cpu_ms_per_step=.. faults_per_step=.. rss_warm_mib=..",
                " rss_end_mib=.. peak_rss_mib=..': CPU time of all threads and minor page faults per timed step;",
                " rss_warm is after the warm-up. CPU time per step holds up on a busy machine where img/s does not.",
                "gflops counts 2 flops per multiply-add, times 3 for training (forward and backward).",
                "With several models, each runs in a fresh JVM (same JVM options) for a fair peak memory.");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args parsed = Args.parse(args, Set.of("models", "threads", "steps", "warmup", "batch", "rss-every", "profile"),
                Set.of("matmul-only", "no-matmul", "nchw"));
        if (!parsed.positional().isEmpty()) {
            throw new UsageException("bench takes no positional arguments, got " + parsed.positional());
        }
        int threads = parsed.integer("threads", Runtime.getRuntime().availableProcessors(), 1, MAX_THREADS);
        int steps = parsed.integer("steps", 10, 1, Integer.MAX_VALUE);
        int warmup = parsed.integer("warmup", 3, 0, Integer.MAX_VALUE);
        int batch = parsed.has("batch") ? parsed.integer("batch", 0, 1, TrainCommand.MAX_BATCH) : 0;
        int rssEvery = parsed.integer("rss-every", 0, 0, Integer.MAX_VALUE);
        Path profile = parsed.path("profile", null);
        if (parsed.flag("matmul-only")) {
            configureThreads(threads);
            System.out.println(matmul(threads));
            return 0;
        }
        List<Case> cases = new ArrayList<>();
        for (String text : parsed.string("models", DEFAULT_CASES).split(",")) {
            if (!text.isBlank()) {
                cases.add(Case.parse(text, batch));
            }
        }
        if (cases.isEmpty()) {
            throw new UsageException("--models named no model");
        }
        for (Case c : cases) {
            c.checkMemory();
        }
        boolean nchw = parsed.flag("nchw");
        List<String> common = new ArrayList<>(List.of("--threads", String.valueOf(threads), "--steps",
                String.valueOf(steps), "--warmup", String.valueOf(warmup), "--rss-every", String.valueOf(rssEvery)));
        if (nchw) {
            common.add("--nchw");
        }
        if (!parsed.flag("no-matmul")) {
            // its own JVM, so that its arrays do not count in a model's peak memory
            child(concat(List.of("--matmul-only"), common));
        }
        if (profile != null && cases.size() != 1) {
            throw new UsageException("option --profile records one case; give one in --models, got " + cases.size());
        }
        if (profile != null && (profile.toAbsolutePath().getParent() == null
                || !Files.isDirectory(profile.toAbsolutePath().getParent()))) {
            throw new UsageException("option --profile: the folder of " + profile + " does not exist");
        }
        if (cases.size() == 1) {
            configureThreads(threads);
            System.out.println(measure(cases.get(0), steps, warmup, rssEvery, profile, !nchw));
            return 0;
        }
        for (Case c : cases) {
            child(concat(List.of("--models", c.text(), "--no-matmul"), common));
        }
        return 0;
    }

    /**
     * Sets the engine's intra-op and inter-op threads. The system properties reach PyTorch when the
     * engine starts here; an engine already running (a notebook, a test) gets the intra-op count only,
     * since PyTorch fixes its inter-op pool on first use. The printed line reports what is in force.
     */
    static void configureThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", String.valueOf(threads));
        Engine.getInstance();
        JniUtils.setNumThreads(threads);
    }

    /** The best of five {@value #MATMUL_SIZE}-square single-precision products, as a line. */
    static String matmul(int threads) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(MATMUL_SIZE, MATMUL_SIZE));
            NDArray b = manager.randomNormal(new Shape(MATMUL_SIZE, MATMUL_SIZE));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 7; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    long start = System.nanoTime();
                    a.matMul(b).attach(scope);
                    if (i >= 2) { // two warm-up products
                        best = Math.min(best, (System.nanoTime() - start) / 1e9);
                    }
                }
            }
            double flop = 2.0 * MATMUL_SIZE * MATMUL_SIZE * MATMUL_SIZE;
            return String.format(Locale.ROOT, "matmul side=djl threads=%d n=%d gflops=%.1f",
                    threads, MATMUL_SIZE, flop / best / 1e9);
        }
    }

    /**
     * Times one case in this JVM and returns its line.
     *
     * @param rssEvery print the resident memory every this many steps (0: never), to show it does not grow
     */
    static String measure(Case c, int steps, int warmup, int rssEvery) {
        return measure(c, steps, warmup, rssEvery, null, true);
    }

    /**
     * As {@link #measure(Case, int, int, int)}; with {@code profile}, libtorch's profiler records the
     * timed steps (every operator, its thread, start and duration) into that file as a Chrome trace,
     * which {@code scripts/profile_table.py} turns into a table per operator. The profiler's own cost
     * lowers the printed speed; time without it.
     */
    static String measure(Case c, int steps, int warmup, int rssEvery, Path profile, boolean channelsLast) {
        ResNetSpec spec = c.spec();
        ResidualNetwork net = ResNet.build(spec);
        Summary summary = Summary.of(net, c.input());
        Shape batchShape = new Shape(c.batch()).addAll(c.input());
        Engine.getInstance().setRandomSeed(0);
        double[] rates = new double[steps];
        long rssWarm;
        long faults;
        long cpu;
        try (Model model = Model.newInstance(c.model())) {
            model.setBlock(net);
            Runnable step;
            TrainingStep training = null;
            NDManager manager = model.getNDManager();
            // stored as train's loader stores a batch, unless --nchw
            NDArray images = channelsLast && batchShape.dimension() == 4
                    ? BatchLoader.channelsLast(manager.randomNormal(new Shape(batchShape.get(0), batchShape.get(2),
                            batchShape.get(3), batchShape.get(1))))
                    : manager.randomNormal(batchShape);
            if (c.training()) {
                training = trainingStep(model, c);
                NDArray labels = manager.randomInteger(0, spec.classes(), new Shape(c.batch()), DataType.INT64);
                TrainingStep fitStep = training;
                step = () -> fitStep.run(images, labels, LEARNING_RATE);
            } else {
                net.initialize(manager, DataType.FLOAT32, batchShape);
                ParameterStore store = new ParameterStore(manager, false);
                step = () -> {
                    try (NDManager scope = manager.newSubManager()) {
                        images.tempAttach(scope);
                        net.forward(store, new NDList(images), false);
                    }
                };
            }
            try {
                for (int i = 0; i < warmup; i++) {
                    step.run();
                    reportRss(i + 1, rssEvery);
                }
                rssWarm = Platform.residentBytes();
                faults = Platform.minorPageFaults();
                cpu = processCpuNanos();
                if (profile != null) {
                    JniUtils.startProfile(false, false, false);
                }
                for (int i = 0; i < steps; i++) {
                    long start = System.nanoTime();
                    step.run();
                    rates[i] = c.batch() / ((System.nanoTime() - start) / 1e9);
                    reportRss(warmup + i + 1, rssEvery);
                }
                if (profile != null) {
                    JniUtils.stopProfile(profile.toAbsolutePath().toString());
                }
                faults = (Platform.minorPageFaults() - faults) / steps;
                cpu = (processCpuNanos() - cpu) / steps;
            } finally {
                if (training != null) {
                    training.close();
                }
            }
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
        double flopPerImage = 2.0 * summary.macs() * (c.training() ? 3 : 1);
        return String.format(Locale.ROOT,
                "bench side=djl model=%s input=%s batch=%d mode=%s threads=%d interop=%d omp_wait=%s alloc=%s layout=%s"
                        + " fpmath=%s params=%d macs=%d"
                        + " img_s_median=%.2f img_s_min=%.2f img_s_max=%.2f gflops=%.1f"
                        + " cpu_ms_per_step=%.1f faults_per_step=%d rss_warm_mib=%.0f rss_end_mib=%.0f peak_rss_mib=%.0f",
                c.model(), c.inputText(), c.batch(), c.training() ? "train" : "infer", JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Platform.ompWaitPolicy(), Platform.allocator(),
                channelsLast && batchShape.dimension() == 4 ? "nhwc" : "nchw", Platform.fpmath(), summary.parameters(), summary.macs(), median, sorted[0],
                sorted[steps - 1], median * flopPerImage / 1e9, cpu / 1e6, faults, Platform.mib(rssWarm),
                Platform.mib(Platform.residentBytes()), Platform.mib(Platform.peakResidentBytes()));
    }

    /** The fit loop's training step for {@code model}, with the benchmark's optimiser, for the case's images. */
    static TrainingStep trainingStep(Model model, Case c) {
        return TrainingStep.open(model, OPTIMIZER, c.input());
    }

    private static void reportRss(int step, int rssEvery) {
        if (rssEvery > 0 && step % rssEvery == 0) {
            System.out.println(String.format(Locale.ROOT, "rss step=%d rss_mib=%.0f", step, Platform.mib(Platform.residentBytes())));
        }
    }

    /** CPU time of all this process's threads (engine, JVM, GC) so far, in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Runs {@code bench ARGS} in a fresh JVM with this JVM's options and class path, its output inline. */
    private static void child(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "bench"));
        command.addAll(args);
        int status = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (status != 0) {
            throw new IllegalStateException("bench " + String.join(" ", args) + " exited with status " + status);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
