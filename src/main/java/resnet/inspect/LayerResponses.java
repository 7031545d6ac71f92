package resnet.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import resnet.TextTable;
import resnet.blocks.Chain;
import resnet.blocks.ResidualBlock;
import resnet.data.BatchLoader;
import resnet.data.ImageSet;
import resnet.data.Normalization;

/**
 * The standard deviation of each layer's response over a set of images: the ResNet paper's Figure 7.
 *
 * <p>A layer's response is the output of a convolution on the main path after its BatchNorm and
 * before whatever follows (the ReLU, or in a residual block's last layer the addition): for the
 * last layer of a branch it is F(x), what the block adds to its input. A convolution without a
 * BatchNorm after it (a network built without BatchNorm) is read at its own output. The paper found
 * the responses of residual networks smaller than those of their plain twins, and smaller in deeper
 * residual networks: the residual functions stay closer to zero than the functions a plain layer
 * has to learn. Shortcut convolutions are not on the main path and are not counted.
 *
 * <p>Besides the responses it reads the signal the network carries from block to block: the
 * output of the stem and of every residual block, against which a branch's F(x) is added.
 *
 * <pre>{@code
 * LayerResponses r = LayerResponses.of(net, testImages, normalization, 100);
 * r.layers().get(0).std();        // the stem's convolution, after its BatchNorm
 * System.out.println(r);          // one line per layer
 * }</pre>
 *
 * <p>The pass runs in inference mode (running BatchNorm statistics), changes nothing in the network
 * and computes in float64 sums over all numbers of a layer's output (images, channels, positions).
 */
public final class LayerResponses {

    /**
     * One measured output.
     *
     * @param depth the convolution's position on the main path, from 1 at the stem; for a carried
     *     signal the depth of the layer it comes after
     * @param name its path, e.g. {@code layer2.0.bn2} (a response) or {@code layer2.0} (a block's output)
     * @param branchEnd whether it is the last response of a residual block's branch (F(x) before the addition)
     * @param mean the mean of all its numbers
     * @param std their standard deviation (divisor: their count)
     */
    public record Layer(int depth, String name, boolean branchEnd, double mean, double std) {}

    /** Sums of one measured output over the batches. */
    private static final class Sums {
        final int depth;
        final String name;
        final boolean branchEnd;
        double count;
        double sum;
        double squares;

        Sums(int depth, String name, boolean branchEnd) {
            this.depth = depth;
            this.name = name;
            this.branchEnd = branchEnd;
        }

        void add(NDArray output) {
            try (NDArray wide = output.toType(DataType.FLOAT64, true);
                    NDArray total = wide.sum();
                    NDArray square = wide.square();
                    NDArray squareTotal = square.sum()) {
                count += output.size();
                sum += total.getDouble();
                squares += squareTotal.getDouble();
            }
        }

        Layer layer() {
            double mean = sum / count;
            return new Layer(depth, name, branchEnd, mean, Math.sqrt(Math.max(0, squares / count - mean * mean)));
        }
    }

    private final List<Layer> layers;
    private final List<Layer> carried;

    private LayerResponses(List<Layer> layers, List<Layer> carried) {
        this.layers = List.copyOf(layers);
        this.carried = List.copyOf(carried);
    }

    /**
     * The responses of an initialised network to one batch of images, already normalised as the
     * network was trained.
     *
     * @throws IllegalArgumentException when the network has no convolution on its main path
     */
    public static LayerResponses of(Block network, NDArray images) {
        Collector collector = new Collector(network);
        collector.add(images);
        return collector.result();
    }

    /**
     * The responses of an initialised network to every image of {@code images}, in batches of
     * {@code batchSize}, normalised with {@code normalization} (the training data's).
     *
     * @throws IllegalArgumentException when the network has no convolution on its main path
     */
    public static LayerResponses of(Block network, ImageSet images, Normalization normalization, int batchSize,
            NDManager manager) {
        Collector collector = new Collector(network);
        try (BatchLoader loader = BatchLoader.inOrder(images, batchSize, normalization)) {
            while (loader.hasNext()) {
                try (NDManager scratch = manager.newSubManager(); Batch batch = loader.next(scratch)) {
                    collector.add(batch.getData().head());
                }
            }
        }
        return collector.result();
    }

    /** The responses, from the stem's convolution to the last convolution of the last block. */
    public List<Layer> layers() {
        return layers;
    }

    /** The last response of every residual block's branch, F(x), in order (none in a plain network). */
    public List<Layer> branchEnds() {
        return layers.stream().filter(Layer::branchEnd).toList();
    }

    /**
     * The signal carried from block to block: the stem's output, then the output of every residual
     * block (after its addition and ReLU), in order. Block i's input is entry i.
     */
    public List<Layer> carried() {
        return carried;
    }

    /** Each response's standard deviation, in the order of {@link #layers()}. */
    public double[] stds() {
        return layers.stream().mapToDouble(Layer::std).toArray();
    }

    /** One line per response: depth, layer, whether it is F(x) before an addition, mean, std. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"depth", "layer", "before addition", "mean", "std"});
        for (Layer l : layers) {
            cells.add(new String[] {String.valueOf(l.depth()), l.name(), l.branchEnd() ? "yes" : "",
                String.format(Locale.ROOT, "%.4f", l.mean()), String.format(Locale.ROOT, "%.4f", l.std())});
        }
        return TextTable.align(cells, 2, false);
    }

    /** Finds the measured outputs in a network and sums them over the batches it is given. */
    private static final class Collector {
        private final Block network;
        private final Map<Block, Sums> responses = new IdentityHashMap<>();
        private final Map<Block, Sums> signals = new IdentityHashMap<>();
        private final List<Sums> responseOrder = new ArrayList<>();
        private final List<Sums> signalOrder = new ArrayList<>();

        Collector(Block network) {
            this.network = network;
            walk("", network, 0);
            if (responseOrder.isEmpty()) {
                throw new IllegalArgumentException("no convolution on the main path of "
                        + network.getClass().getSimpleName() + ": there is no layer response to measure");
            }
        }

        /**
         * Registers the measured outputs under {@code block} and returns the main-path depth after it.
         * Within a chain, a convolution's response is its own output unless a BatchNorm follows it.
         */
        private int walk(String name, Block block, int depth) {
            boolean residual = block instanceof ResidualBlock;
            List<Pair<String, Block>> children = residual
                    ? ((ResidualBlock) block).branch().stream().toList()
                    : block.getChildren().stream().toList();
            Sums last = null;
            Block lastLayer = null;
            Block previous = null;
            for (Pair<String, Block> child : children) {
                Block part = child.getValue();
                String path = name.isEmpty() ? child.getKey() : name + "." + child.getKey();
                if (part instanceof Convolution) {
                    depth++;
                    last = register(part, new Sums(depth, path, false), null);
                    lastLayer = part;
                } else if (part instanceof BatchNorm && previous instanceof Convolution) {
                    last = register(part, new Sums(depth, path, false), previous); // read after the BatchNorm
                    lastLayer = part;
                } else if (!part.getChildren().isEmpty()) {
                    depth = walk(path, part, depth);
                    if (part instanceof ResidualBlock || child.getKey().equals("stem")) {
                        Sums signal = new Sums(depth, path, false);
                        signals.put(part, signal);
                        signalOrder.add(signal);
                    }
                }
                previous = part;
            }
            if (residual && last != null && !((ResidualBlock) block).isPlain()) {
                register(lastLayer, new Sums(last.depth, last.name, true), lastLayer); // F(x), before the addition
            }
            return depth;
        }

        /** Measures {@code layer}'s output, in the place of {@code replaced}'s when that is not null. */
        private Sums register(Block layer, Sums sums, Block replaced) {
            if (replaced == null) {
                responseOrder.add(sums);
            } else {
                responseOrder.set(responseOrder.indexOf(responses.remove(replaced)), sums);
            }
            responses.put(layer, sums);
            return sums;
        }

        void add(NDArray images) {
            try (NDManager scratch = images.getManager().newSubManager()) {
                Chain.observe((chain, child, output) -> {
                    Sums sums = responses.get(child);
                    if (sums == null) {
                        sums = signals.get(child);
                    }
                    if (sums != null) {
                        sums.add(output.head());
                    }
                }, () -> network.forward(new ParameterStore(scratch, false), new NDList(images), false)
                        .forEach(NDArray::close));
            }
        }

        LayerResponses result() {
            return new LayerResponses(responseOrder.stream().map(Sums::layer).toList(),
                    signalOrder.stream().map(Sums::layer).toList());
        }
    }
}
