package resnet;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What the series runs on: Java, DJL, the engine and its native library, the devices and threads.
 * Notebooks print it first so that every number that follows can be read against its machine.
 */
public final class Platform {

    private Platform() {}

    /** e.g. {@code 17.0.15+6-Debian-1deb12u1 (Debian)}. */
    public static String javaVersion() {
        return Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    }

    /** The DJL version on the class path, e.g. {@code 0.35.1}. */
    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    /** The default engine and its version, e.g. {@code PyTorch 2.7.1}. */
    public static String engine() {
        Engine engine = Engine.getInstance();
        return engine.getEngineName() + " " + engine.getVersion();
    }

    /** The device DJL computes on by default: the first GPU if there is one, else the CPU. */
    public static Device device() {
        return Engine.getInstance().defaultDevice();
    }

    /** Every device DJL can train on (all GPUs, or the CPU). */
    public static Device[] devices() {
        return Engine.getInstance().getDevices();
    }

    /** Threads the engine uses inside one operator (a convolution, a matrix multiply). */
    public static int engineThreads() {
        Engine engine = Engine.getInstance();
        if ("PyTorch".equals(engine.getEngineName())) {
            return JniUtils.getNumThreads();
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Resident memory of this process in bytes (Java heap and native arrays together), read from
     * {@code /proc/self/status}; -1 where that file does not exist (not Linux).
     */
    public static long residentBytes() {
        return procStatus("VmRSS:");
    }

    /**
     * Where resident memory goes besides native arrays: the Java heap the JVM has committed (it
     * grows it as it sees fit, and seldom gives it back) and the direct buffers alive (DJL copies
     * each array it creates from Java data through one; they are freed when the garbage collector
     * gets to them).
     */
    public static String javaMemory() {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        return String.format(Locale.ROOT, "Java heap committed %.0f MiB, direct buffers %.0f MiB", mib(heap), mib(direct));
    }

    /**
     * Engine arrays open in this process, in every manager: a number that must not grow from one
     * epoch, or one step, to the next.
     */
    public static int openArrays() {
        // a base manager's parent is the engine's system manager, the root of every manager
        try (NDManager probe = NDManager.newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }

    /** The highest resident memory this process has had, in bytes; -1 where unknown. */
    public static long peakResidentBytes() {
        return procStatus("VmHWM:");
    }

    /**
     * Minor page faults of this process so far (pages the kernel had to map, and zero, on first
     * touch), from {@code /proc/self/stat}; -1 where unknown. Many per training step mean the
     * allocator hands freshly mapped memory to every new array instead of reusing freed memory.
     */
    public static long minorPageFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name, which is in parentheses and may contain spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]); // minflt is field 10 of the line, 8th after the name
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The native memory allocator this process runs on: {@code tcmalloc} or {@code jemalloc} when one
     * was preloaded ({@code bin/resnet} does, see {@code RESNET_MALLOC}), else {@code glibc}.
     */
    public static String allocator() {
        try {
            String maps = Files.readString(Path.of("/proc/self/maps"));
            if (maps.contains("libtcmalloc")) {
                return "tcmalloc";
            }
            return maps.contains("libjemalloc") ? "jemalloc" : "glibc";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * The math oneDNN may use inside float32 convolutions, from {@code ONEDNN_DEFAULT_FPMATH_MODE}
     * (which {@code bin/resnet} sets from {@code RESNET_FPMATH} before the engine starts): "strict" (float32 throughout,
     * the default) or e.g. "bf16" (inputs rounded to bfloat16 where the processor multiplies them
     * faster, sums kept in float32).
     */
    public static String fpmath() {
        String mode = System.getenv("ONEDNN_DEFAULT_FPMATH_MODE");
        return mode == null || mode.isBlank() ? "strict" : mode.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the processor multiplies bfloat16 in hardware (AVX-512 BF16 or AMX-BF16 in
     * /proc/cpuinfo's flags); without, oneDNN's bf16 math falls back to float32.
     */
    public static boolean hasBf16() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    List<String> flags = List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                    return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** One phrase for a log: the fpmath mode, and whether this processor can use bf16 math. */
    public static String fpmathDescription() {
        String mode = fpmath();
        if (mode.equals("strict")) {
            return "fpmath strict (float32 throughout)";
        }
        return "fpmath " + mode + (hasBf16() ? " (this processor multiplies bfloat16: convolutions round their inputs"
                + " to it, sums stay float32)" : " (no bfloat16 instructions in this processor: float32 as before)");
    }

    /**
     * How the engine's OpenMP threads wait for each other, as {@code OMP_WAIT_POLICY} set it when the
     * process started: {@code passive} (sleep; what {@code bin/resnet} and the project's kernel set
     * unless told otherwise, see {@code RESNET_OMP_WAIT}), {@code active} (spin), or {@code runtime}
     * when it is unset (the OpenMP runtime's own default: spin for a while, then sleep).
     */
    public static String ompWaitPolicy() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        return policy == null || policy.isBlank() ? "runtime" : policy.trim().toLowerCase(Locale.ROOT);
    }

    /**
     * The environment settings of {@code bin/resnet} that change a run's speed, as they would be written
     * before the command to repeat it: e.g. {@code "RESNET_OMP_WAIT=active RESNET_FPMATH=bf16 "}, or
     * {@code ""} for {@code bin/resnet}'s defaults (threads wait passive, strict float32 math).
     */
    public static String settingsPrefix() {
        return settingsPrefix(ompWaitPolicy(), fpmath());
    }

    static String settingsPrefix(String ompWait, String fpmath) {
        StringBuilder prefix = new StringBuilder();
        if (!ompWait.equals("passive")) {
            prefix.append("RESNET_OMP_WAIT=").append(ompWait).append(' ');
        }
        if (!fpmath.equals("strict")) {
            prefix.append("RESNET_FPMATH=").append(fpmath).append(' ');
        }
        return prefix.toString();
    }

    /**
     * The machine's load average over the last minute (runnable processes, all users), or -1 where
     * the system does not tell: printed next to a timing, since a shared machine runs slower when
     * other jobs want its cores.
     */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * The processor's name as the system gives it (Linux: the first "model name" of /proc/cpuinfo),
     * else the architecture: a timing is only comparable with timings on the same kind of machine.
     */
    public static String processor() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && line.contains(":")) {
                    String name = line.substring(line.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
                    if (!name.isEmpty()) {
                        return name;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the architecture below
        }
        return System.getProperty("os.arch");
    }

    /**
     * A processor's name without its marks and padding, for a chart's legend: "Intel(R) Xeon(R)
     * Processor" and "Intel(R) Xeon(R) CPU @ 2.20GHz" both read "Intel Xeon", "AMD EPYC 7B13 64-Core
     * Processor" reads "AMD EPYC 7B13". Two machines whose names differ only in these are one kind.
     */
    public static String shortProcessor(String name) {
        String text = name.replaceAll("\\((R|r|TM|tm)\\)", " ").replaceAll("(?i)\\bCPU\\b.*$", " ")
                .replaceAll("(?i)\\b\\d+-Core\\b", " ").replaceAll("(?i)\\bProcessor\\b", " ")
                .replaceAll("\\s+", " ").trim();
        return text.isEmpty() ? name.trim() : text;
    }

    /** Bytes as MiB, for printing. */
    public static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static long procStatus(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // the file counts in kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** A few lines for the top of a notebook or a log. */
    public static String describe() {
        String devices = Arrays.stream(devices()).map(Device::toString).collect(Collectors.joining(", "));
        return String.join(System.lineSeparator(),
                "Java:     " + javaVersion(),
                "DJL:      " + djlVersion(),
                "engine:   " + engine(),
                "devices:  " + devices + " (default " + device() + ")",
                "threads:  " + engineThreads() + " per operator; " + Runtime.getRuntime().availableProcessors()
                        + " processors; max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB",
                "native:   " + allocator() + " allocator; OpenMP threads wait " + ompWaitPolicy(),
                "mode:     " + RunMode.describe());
    }
}
