package resnet.inspect;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import resnet.GradientMode;

/**
 * How long one forward and backward pass of a block takes on this machine: the work of a training
 * step without the optimiser's update, which costs the same for any network of equal size.
 *
 * <pre>{@code
 * StepTime t = StepTime.forwardBackward(ResNet.resnet50(1000), new Shape(3, 224, 224), 8, 2, 5);
 * t.secondsPerImage();   // median step time / batch
 * }</pre>
 *
 * <p>The first steps of a shape are slow (the engine picks and prepares its kernels, memory is
 * allocated for the first time), so {@code warmup} steps run untimed first; {@link #firstSeconds()}
 * keeps the very first one to show how far off it is. The median of the timed steps is robust to
 * one step that another process on the machine slowed down.
 *
 * @param batch images per step
 * @param image one image's shape (channels, height, width)
 * @param firstSeconds the very first step, warm-up included
 * @param seconds each timed step, in the order they ran
 */
public record StepTime(int batch, Shape image, double firstSeconds, List<Double> seconds) {

    public StepTime {
        seconds = List.copyOf(seconds);
        if (seconds.isEmpty()) {
            throw new IllegalArgumentException("a step time needs at least one timed step");
        }
    }

    /**
     * Times forward and backward passes of {@code block} on random images (in training mode, so
     * BatchNorm uses batch statistics), with the mean square of the output as the loss.
     *
     * <p>An uninitialised block is initialised on a temporary manager and given back without
     * arrays, as {@link Summary} does; an initialised one keeps its weights (a backward pass does
     * not change them).
     *
     * @param image one image's shape (channels, height, width)
     * @param batch images per step (at least 1)
     * @param warmup untimed steps first (0 or more)
     * @param steps timed steps (at least 1)
     */
    public static StepTime forwardBackward(Block block, Shape image, int batch, int warmup, int steps) {
        Summary.checkImage(image);
        if (batch < 1 || warmup < 0 || steps < 1) {
            throw new IllegalArgumentException(String.format(
                    "need batch >= 1, warmup >= 0 and steps >= 1, got batch %d, warmup %d, steps %d",
                    batch, warmup, steps));
        }
        Shape input = new Shape(batch).addAll(image);
        block.getOutputShapes(new Shape[] {input}); // a wrong input fails here, with the block's own message
        NDManager manager = NDManager.newBaseManager();
        boolean borrowed = prepare(block, manager, input);
        try {
            ParameterStore store = new ParameterStore(manager, false);
            double first = Double.NaN;
            List<Double> timed = new ArrayList<>();
            for (int i = 0; i < warmup + steps; i++) {
                double s = step(block, store, manager, input);
                if (i == 0) {
                    first = s;
                }
                if (i >= warmup) {
                    timed.add(s);
                }
            }
            return new StepTime(batch, image, first, timed);
        } finally {
            giveBack(block, borrowed);
            manager.close();
        }
    }

    /**
     * Readies {@code block} for timed backward passes: initialises it on {@code manager} when it is
     * not (then it is borrowed, and {@link #giveBack} must follow) and asks for the gradients of
     * its trainable parameters.
     *
     * @return whether the block was borrowed
     */
    static boolean prepare(Block block, NDManager manager, Shape input) {
        boolean borrowed = !block.isInitialized();
        if (borrowed) {
            block.initialize(manager, DataType.FLOAT32, input);
        }
        for (Parameter parameter : block.getParameters().values()) {
            if (parameter.requiresGradient()) {
                parameter.getArray().setRequiresGradient(true);
            }
        }
        return borrowed;
    }

    /** After {@link #prepare}: a borrowed block keeps its parameters' shapes and loses their arrays, as in Summary. */
    static void giveBack(Block block, boolean borrowed) {
        if (borrowed) {
            block.getParameters().values().forEach(Parameter::close);
        }
    }

    /** One forward pass in training mode and the backward pass of the output's mean square, on {@code x}. */
    static void forwardBackward(Block block, ParameterStore store, NDArray x) {
        GradientMode.off(); // so that the collector's close leaves this thread off (GradientMode)
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray out = block.forward(store, new NDList(x), true).singletonOrThrow();
            collector.backward(out.square().mean());
        }
    }

    /** One forward and backward pass on fresh random images, timed without making the images. */
    private static double step(Block block, ParameterStore store, NDManager manager, Shape input) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(input);
            long start = System.nanoTime();
            forwardBackward(block, store, x);
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** The median timed step, in seconds. */
    public double medianSeconds() {
        List<Double> sorted = seconds.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The fastest timed step, in seconds. */
    public double minSeconds() {
        return seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** The slowest timed step, in seconds. */
    public double maxSeconds() {
        return seconds.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The median step time divided by the batch: seconds per image. */
    public double secondsPerImage() {
        return medianSeconds() / batch;
    }

    /** Images per second at the median step time. */
    public double imagesPerSecond() {
        return batch / medianSeconds();
    }

    /** E.g. {@code batch 8 of 3x224x224: 0.412 s per image (median of 5 steps of 3.30 s, min 3.21, max 3.52; first step 5.01 s)}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "batch %d of %s: %.3f s per image (median of %d steps of %.2f s, min %.2f, max %.2f; first step %.2f s)",
                batch, CostTable.shape(image), secondsPerImage(), seconds.size(),
                medianSeconds(), minSeconds(), maxSeconds(), firstSeconds);
    }
}
