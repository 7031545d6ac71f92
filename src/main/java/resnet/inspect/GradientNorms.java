package resnet.inspect;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import resnet.GradientMode;
import resnet.TextTable;
import resnet.blocks.ResidualBlock;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The gradient norm of every weighted layer's weight for one batch: how much of the loss's gradient
 * reaches each layer on its way back from the head to the input.
 *
 * <pre>{@code
 * net.initialize(manager, DataType.FLOAT32, images.getShape());
 * GradientNorms norms = GradientNorms.of(net, images, labels);   // softmax cross-entropy
 * System.out.println(norms);                                      // one line per conv and the fc
 * norms.layers().get(0).gradientNorm();                           // the stem's convolution
 * }</pre>
 *
 * <p>In a deep plain network the product of the layers' Jacobians can shrink (or blow up) the
 * gradient before it reaches the first layers; a residual block's Jacobian is I + ∂F/∂x, which
 * keeps a path open. This class measures that, layer by layer, on a real network.
 *
 * <p>A measurement leaves the network as it found it: one forward pass in training mode (so BatchNorm
 * uses the batch's statistics, as in a training step) and one backward pass, no optimiser step; the
 * BatchNorm running statistics that the forward pass moves and any gradients that were there before
 * are put back; every array it makes lives in a sub-manager of the input's manager that is closed
 * before it returns.
 */
public final class GradientNorms {

    /**
     * One weighted layer (a convolution or a fully connected layer).
     *
     * @param depth its position on the main path, counted from 1 at the input: the stem's convolution
     *     is 1, a ResNet-20's fc is 20. A shortcut's convolution reads the same input as the first
     *     convolution of its block's branch and gets that convolution's depth.
     * @param name its path in the network, e.g. {@code layer2.0.conv1} or {@code layer2.0.shortcut.conv}
     * @param type e.g. {@code conv 3x3/2} or {@code linear}
     * @param shortcut whether it sits on a shortcut rather than on the main path
     * @param weights the number of elements of its weight
     * @param gradientNorm the L2 norm of the loss's gradient with respect to its weight; NaN for a
     *     frozen layer, which gets no gradient
     * @param weightNorm the L2 norm of its weight
     */
    public record Layer(
            int depth, String name, String type, boolean shortcut, long weights, double gradientNorm, double weightNorm) {

        /** Gradient norm over weight norm: the relative change one SGD step of learning rate 1 would make. */
        public double relative() {
            return gradientNorm / weightNorm;
        }
    }

    /** A weighted layer found in the network, before it is measured. */
    private record Weighted(int depth, String name, boolean shortcut, Block layer, Parameter weight) {}

    private final List<Layer> layers;
    private final double loss;

    private GradientNorms(List<Layer> layers, double loss) {
        this.layers = List.copyOf(layers);
        this.loss = loss;
    }

    /**
     * The gradient norms of a classifier for one batch under softmax cross-entropy.
     *
     * @param block an initialised network or block whose output is (batch, classes) scores
     * @param input the batch, e.g. (batch, channels, height, width)
     * @param labels the class of each example, shape (batch)
     */
    public static GradientNorms of(Block block, NDArray input, NDArray labels) {
        return of(block, new NDList(input), new NDList(labels), Loss.softmaxCrossEntropyLoss());
    }

    /**
     * The gradient norms of {@code block} for one batch under any loss.
     *
     * @throws IllegalArgumentException when the block has no weighted layer, the batch is empty, or
     *     inputs and labels disagree on the batch size or device
     * @throws IllegalStateException when the block is not initialised
     */
    public static GradientNorms of(Block block, NDList inputs, NDList labels, Loss loss) {
        List<Weighted> weighted = new ArrayList<>();
        walk("", block, 0, false, weighted);
        check(block, inputs, labels, weighted);
        NDManager caller = inputs.head().getManager();
        try (NDManager scratch = caller.newSubManager()) {
            inputs.tempAttach(scratch);
            for (NDArray label : labels) {
                // an array that is both input and label (an autoencoder's target) must be attached only once,
                // or closing the scratch manager would hand it back to the scratch manager itself
                if (inputs.stream().noneMatch(input -> input == label)) {
                    label.tempAttach(scratch);
                }
            }
            List<Runnable> restore = new ArrayList<>();
            try {
                saveState(block, scratch, restore);
                double lossValue;
                GradientMode.off(); // so that the collector's close leaves this thread off (GradientMode)
                try (GradientCollector collector = caller.getEngine().newGradientCollector()) {
                    NDList outputs = block.forward(new ParameterStore(scratch, false), inputs, true);
                    NDArray total = loss.evaluate(labels, outputs);
                    collector.backward(total);
                    lossValue = scalar(total);
                }
                List<Layer> result = new ArrayList<>();
                for (Weighted w : weighted) {
                    NDArray weight = w.weight().getArray();
                    double gradientNorm = Double.NaN;
                    if (weight.hasGradient()) {
                        NDArray gradient = weight.getGradient();
                        gradient.attach(scratch);
                        gradientNorm = norm(gradient);
                    }
                    result.add(new Layer(w.depth(), w.name(), Summary.describe(w.layer()), w.shortcut(),
                            weight.size(), gradientNorm, norm(weight)));
                }
                return new GradientNorms(result, lossValue);
            } finally {
                restore.forEach(Runnable::run);
            }
        }
    }

    /** All weighted layers in the order the network runs them (a shortcut after its block's branch). */
    public List<Layer> layers() {
        return layers;
    }

    /** The weighted layers on the main path, depth 1, 2, 3, ...: the shortcuts left out. */
    public List<Layer> mainPath() {
        return layers.stream().filter(l -> !l.shortcut()).toList();
    }

    /**
     * The layer called {@code name}, e.g. {@code stem.conv} or {@code fc}.
     *
     * @throws IllegalArgumentException naming the layers there are, when none has that name
     */
    public Layer get(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no weighted layer named '" + name + "'; layers: "
                        + layers.stream().map(Layer::name).toList()));
    }

    /** The loss of the batch, as the forward pass computed it. */
    public double loss() {
        return loss;
    }

    /** One row per weighted layer: depth, layer, type, shortcut, weights, gradient norm, weight norm, relative. */
    public Table table() {
        IntColumn depth = IntColumn.create("depth");
        StringColumn name = StringColumn.create("layer");
        StringColumn type = StringColumn.create("type");
        BooleanColumn shortcut = BooleanColumn.create("shortcut");
        LongColumn weights = LongColumn.create("weights");
        DoubleColumn gradient = DoubleColumn.create("gradient norm");
        DoubleColumn weight = DoubleColumn.create("weight norm");
        DoubleColumn relative = DoubleColumn.create("relative");
        for (Layer layer : layers) {
            depth.append(layer.depth());
            name.append(layer.name());
            type.append(layer.type());
            shortcut.append(layer.shortcut());
            weights.append(layer.weights());
            gradient.append(layer.gradientNorm());
            weight.append(layer.weightNorm());
            relative.append(layer.relative());
        }
        return Table.create(String.format(Locale.ROOT, "gradient norms, loss %.4f", loss),
                depth, name, type, shortcut, weights, gradient, weight, relative);
    }

    /** The table as aligned text: layer, type, depth, weights, gradient norm, weight norm, relative. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"layer", "type", "depth", "weights", "gradient norm", "weight norm", "relative"});
        for (Layer l : layers) {
            cells.add(new String[] {l.name(), l.type(), (l.shortcut() ? "(" + l.depth() + ")" : "" + l.depth()),
                String.format(Locale.ROOT, "%,d", l.weights()), String.format(Locale.ROOT, "%.3e", l.gradientNorm()),
                String.format(Locale.ROOT, "%.3f", l.weightNorm()), String.format(Locale.ROOT, "%.3e", l.relative())});
        }
        return TextTable.align(cells, 2, false) + String.format(Locale.ROOT, "loss %.4f%n", loss);
    }

    /**
     * Adds the weighted layers under {@code block} to {@code out} and returns the main-path depth
     * after it. A residual block's branch continues the main path; its shortcut starts again from
     * the block's input depth and does not advance the main path.
     */
    private static int walk(String name, Block block, int depth, boolean shortcut, List<Weighted> out) {
        if (block instanceof ResidualBlock residual) {
            int after = depth;
            for (Pair<String, Block> layer : residual.branch()) {
                after = walk(join(name, layer.getKey()), layer.getValue(), after, shortcut, out);
            }
            residual.shortcut().ifPresent(s -> walk(join(name, "shortcut"), s, depth, true, out));
            return after;
        }
        if (block.getChildren().isEmpty()) {
            for (Pair<String, Parameter> p : block.getDirectParameters()) {
                if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                    out.add(new Weighted(depth + 1, name, shortcut, block, p.getValue()));
                    return depth + 1;
                }
            }
            return depth;
        }
        int after = depth;
        for (Pair<String, Block> child : block.getChildren()) {
            after = walk(join(name, child.getKey()), child.getValue(), after, shortcut, out);
        }
        return after;
    }

    private static void check(Block block, NDList inputs, NDList labels, List<Weighted> weighted) {
        if (weighted.isEmpty()) {
            throw new IllegalArgumentException("no weighted layer (convolution or fully connected) in "
                    + block.getClass().getSimpleName() + ": there is no gradient norm to measure");
        }
        if (inputs.isEmpty() || labels.isEmpty()) {
            throw new IllegalArgumentException("give at least one input array and one label array, got "
                    + inputs.size() + " inputs and " + labels.size() + " labels");
        }
        long batch = inputs.head().getShape().get(0);
        long labelled = labels.head().getShape().get(0);
        if (batch != labelled) {
            throw new IllegalArgumentException(String.format(
                    "the batch has %d examples (input %s) but %d labels (labels %s): give one label per example",
                    batch, inputs.head().getShape(), labelled, labels.head().getShape()));
        }
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("parameter " + p.getKey() + " has no value yet: initialise the block"
                        + " first (block.initialize(manager, DataType.FLOAT32, inputShape), or Trainer.initialize)");
            }
        }
        Device device = inputs.head().getDevice();
        for (Weighted w : weighted) {
            Device on = w.weight().getArray().getDevice();
            if (!on.equals(device)) {
                throw new IllegalArgumentException("the input is on " + device + " but " + w.name() + " is on " + on
                        + ": move the batch to the network's device first (NDArray.toDevice)");
            }
        }
    }

    /**
     * Saves what a training-mode forward and a backward pass change: the BatchNorm running statistics
     * (moved by the forward pass) and existing gradients (PyTorch adds to them), and zeroes those
     * gradients so that the measurement sees this batch only. {@code restore} receives the actions
     * that put everything back.
     */
    private static void saveState(Block block, NDManager scratch, List<Runnable> restore) {
        NDIndex all = new NDIndex("...");
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (!Parameters.isLearnable(p.getValue())) {
                NDArray saved = array.duplicate();
                saved.attach(scratch);
                restore.add(() -> array.set(all, saved));
            } else if (array.hasGradient()) {
                NDArray gradient = array.getGradient();
                gradient.attach(scratch);
                NDArray saved = gradient.duplicate();
                saved.attach(scratch);
                gradient.set(all, 0f);
                // a fresh handle at restore time: the backward pass may have replaced the gradient array
                restore.add(() -> {
                    NDArray now = array.getGradient();
                    now.attach(scratch);
                    now.set(all, saved);
                });
            }
        }
    }

    /** The L2 norm, its one-element result closed at once (it would otherwise join the weight's manager). */
    private static double norm(NDArray array) {
        try (NDArray norm = array.norm()) {
            return scalar(norm);
        }
    }

    /** A one-element array as a double, whatever its floating-point type. */
    private static double scalar(NDArray value) {
        if (value.getDataType() == DataType.FLOAT64) {
            return value.getDouble();
        }
        try (NDArray wide = value.toType(DataType.FLOAT64, true)) {
            return wide.getDouble();
        }
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
