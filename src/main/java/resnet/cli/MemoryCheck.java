package resnet.cli;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;

/**
 * Refuses a size that cannot fit in memory before it reaches the engine, whose allocator would
 * otherwise fail with its own message ({@code DefaultCPUAllocator: can't allocate memory ...}) or
 * the machine would start swapping.
 *
 * <p>Every figure here is a lower bound, so nothing that would fit is ever refused:
 * <ul>
 *   <li>weights: the head alone, features x classes + classes floats (4 bytes each); training also
 *       keeps a gradient and a momentum buffer per weight (x 3);</li>
 *   <li>activations per image, from shape inference (no array is made): the input plus, in
 *       inference, the largest output of one residual block (it exists while the block runs); in
 *       training, the outputs of every residual block, which autograd keeps for the backward pass
 *       (the real figure is several times higher: each block keeps its BatchNorm inputs too).</li>
 * </ul>
 * The memory there is: {@code MemAvailable} of {@code /proc/meminfo} (what can be allocated without
 * swapping), else the JVM's view of free physical memory.
 */
final class MemoryCheck {

    private static final long FLOAT = 4;

    private MemoryCheck() {}

    /** A size that does not fit; {@link Main} prints the message and exits with status 1. */
    static final class TooLargeException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    /** Weights of the head alone: a lower bound of the network's parameters. */
    static long headParameters(ResNetSpec spec) {
        return (long) spec.featureChannels() * spec.classes() + spec.classes();
    }

    /**
     * Refuses a network whose head alone needs more memory than there is.
     *
     * @param what how the user named it, e.g. {@code resnet18 with 2000000000 classes}
     */
    static void requireWeights(String what, ResNetSpec spec) {
        long parameters = headParameters(spec);
        long bytes = saturatedMultiply(parameters, FLOAT);
        if (bytes > available()) {
            throw new TooLargeException(String.format(Locale.ROOT,
                    "%s has at least %,d parameters (its head alone: %d features x %d classes), %s as 32-bit"
                            + " floats; %s", what, parameters, spec.featureChannels(), spec.classes(),
                    bytes(bytes), machine()));
        }
    }

    /**
     * Activation bytes per image, a lower bound (see the class comment).
     *
     * @param image one image (channels, height, width)
     */
    static long activationsPerImage(ResidualNetwork net, Shape image, boolean training) {
        Shape[] shape = {new Shape(1).addAll(image)};
        long input = image.size();
        long largest = 0;
        long kept = 0;
        shape = net.stem().getOutputShapes(shape);
        largest = Math.max(largest, shape[0].size());
        kept = saturatedAdd(kept, shape[0].size());
        for (var stage : net.stages()) {
            for (Block block : stage.getChildren().values()) {
                shape = block.getOutputShapes(shape);
                largest = Math.max(largest, shape[0].size());
                kept = saturatedAdd(kept, shape[0].size());
            }
        }
        return saturatedMultiply(FLOAT, saturatedAdd(input, training ? kept : largest));
    }

    /**
     * Refuses a batch whose lower bound (weights plus {@code batch} images' activations) exceeds the
     * memory there is.
     *
     * @param what how the user named the run, e.g. {@code resnet50:3x224x224:infer:100000}
     * @param weightBytes the weights' share (with gradients and momentum when training)
     */
    static void requireBatch(String what, long weightBytes, long perImage, long batch, String batchOption) {
        long bytes = saturatedAdd(weightBytes, saturatedMultiply(perImage, batch));
        long available = available();
        if (bytes > available) {
            long fits = Math.max(0, (available - weightBytes) / Math.max(1, perImage));
            throw new TooLargeException(String.format(Locale.ROOT,
                    "%s needs at least %s of memory (%,d images of at least %s of activations each, plus %s of"
                            + " weights); %s: %s", what, bytes(bytes), batch, bytes(perImage), bytes(weightBytes),
                    machine(), fits == 0 ? "even one image does not fit"
                            : String.format(Locale.ROOT, "%s of at most %,d would pass this check", batchOption, fits)));
        }
    }

    static long saturatedMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    static long saturatedAdd(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Bytes that can be allocated now without swapping. */
    static long available() {
        long[] meminfo = meminfo();
        if (meminfo != null) {
            return meminfo[1];
        }
        return osBean().getFreeMemorySize();
    }

    /** Physical memory. */
    static long total() {
        long[] meminfo = meminfo();
        return meminfo != null ? meminfo[0] : osBean().getTotalMemorySize();
    }

    private static String machine() {
        return "this machine has " + bytes(total()) + " of memory, " + bytes(available()) + " of it available";
    }

    private static com.sun.management.OperatingSystemMXBean osBean() {
        return (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }

    /** MemTotal and MemAvailable in bytes, or null off Linux. */
    private static long[] meminfo() {
        Path file = Path.of("/proc/meminfo");
        if (!Files.isReadable(file)) {
            return null;
        }
        try {
            long total = -1;
            long available = -1;
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length >= 2 && parts[0].equals("MemTotal:")) {
                    total = Long.parseLong(parts[1]) * 1024;
                } else if (parts.length >= 2 && parts[0].equals("MemAvailable:")) {
                    available = Long.parseLong(parts[1]) * 1024;
                }
            }
            return total > 0 && available >= 0 ? new long[] {total, available} : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** 1536 -> "1.5 KiB"; binary units, one decimal. */
    static String bytes(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
