package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Optional;

/**
 * H(x) = ReLU(F(x) + shortcut(x)), or F(x) + shortcut(x) in a pre-activation block: a branch F of
 * layers and a shortcut around it.
 *
 * <p>The subclasses only say what F is ({@link BasicBlock}: two 3x3; {@link Bottleneck}: 1x1, 3x3,
 * 1x1; {@link PreActBlock}: BN, ReLU, 3x3, twice) and whether a ReLU follows the sum (not in a
 * pre-activation block); adding the shortcut, the shapes and the input check live here once. Without
 * a shortcut ({@link Shortcut#NONE}) the block is the plain twin: ReLU(F(x)) (F(x) for
 * pre-activation), the same layers without the sum.
 */
public abstract class ResidualBlock extends Chain {

    private final int inChannels;
    private final int outChannels;
    private final int stride;
    private final PairList<String, Block> branch = new PairList<>();
    private Block shortcut;
    private Shortcut style = Shortcut.NONE;

    /**
     * @param inChannels the channels of x
     * @param outChannels the channels of H(x) (planes · expansion)
     * @param stride 2 halves height and width (the first block of a stage), 1 keeps them
     */
    protected ResidualBlock(int inChannels, int outChannels, int stride) {
        Layers.positive("input channels", inChannels);
        Layers.positive("output channels", outChannels);
        Layers.positive("stride", stride);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
    }

    /** Appends a layer to the branch F, under the name its parameters will carry. */
    protected final void addLayer(String name, Block layer) {
        children.add(name, layer);
        branch.add(name, layer);
    }

    /**
     * Appends a BatchNorm to the branch when the options have BatchNorm, else nothing (the convolution
     * before it then carries a bias: {@link #conv}).
     *
     * @param zeroGamma start its gamma at 0 (the branch's last BatchNorm under zero-init)
     */
    protected final void addNorm(String name, BlockOptions options, boolean zeroGamma) {
        if (options.batchNorm()) {
            addLayer(name, Layers.batchNorm(zeroGamma));
        }
    }

    /** A convolution of the branch: without bias before a BatchNorm, with one when the options have none. */
    protected static Conv2d conv(
            int in, int out, int kernel, int stride, int groups, BlockOptions options) {
        return Layers.conv(in, out, kernel, stride, groups, !options.batchNorm());
    }

    /**
     * The branch's last convolution: {@link #conv}, with weights starting at 0 when the options ask for
     * {@link BlockOptions#zeroInitLastConv()}, so that without BatchNorm the branch starts at F(x) = 0.
     */
    protected static Conv2d lastConv(
            int in, int out, int kernel, int stride, int groups, BlockOptions options) {
        Conv2d conv = conv(in, out, kernel, stride, groups, options);
        if (options.zeroInitLastConv()) {
            conv.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT); // its bias starts at 0 anyway
        }
        return conv;
    }

    /**
     * Adds the shortcut after the branch is complete: the options' style, with a BatchNorm after a
     * projection's convolution when the options have BatchNorm.
     */
    protected final void addShortcut(BlockOptions options) {
        this.style = options.shortcut();
        shortcut = createShortcut(options);
        if (shortcut != null) {
            children.add("shortcut", shortcut);
        }
    }

    /** The shortcut block for the options' style ({@link Shortcut#create(int, int, int, boolean)}); null for none. */
    protected Block createShortcut(BlockOptions options) {
        return options.shortcut().create(inChannels, outChannels, stride, options.batchNorm());
    }

    /**
     * Whether a ReLU follows the sum F(x) + shortcut(x): true for the original blocks; false for a
     * pre-activation block, whose output is the sum itself.
     */
    protected boolean reluAfterSum() {
        return true;
    }

    /** How many times wider the output is than the block's {@code planes}. */
    public abstract int expansion();

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int stride() {
        return stride;
    }

    /** The layers of F by name, in the order they run. */
    public PairList<String, Block> branch() {
        return new PairList<>(branch.keys(), branch.values());
    }

    /** The shortcut block (an identity, a projection or a zero padding); empty for a plain block. */
    public Optional<Block> shortcut() {
        return Optional.ofNullable(shortcut);
    }

    /** Whether this is a plain block: no shortcut, output ReLU(F(x)). */
    public boolean isPlain() {
        return shortcut == null;
    }

    @Override
    protected List<Block> chain() {
        return branch.values();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList branchOut = super.forwardInternal(parameterStore, inputs, training, params);
        NDList sum = branchOut;
        if (shortcut != null) {
            NDList carried = shortcut.forward(parameterStore, inputs, training, params);
            sum = new NDList(branchOut.singletonOrThrow().add(carried.singletonOrThrow()));
            release(carried, sum, inputs); // a projection's output; an identity hands on x, which stays
            release(branchOut, sum, inputs);
        }
        if (!reluAfterSum()) {
            return sum;
        }
        NDList out = new NDList(Activation.relu(sum.singletonOrThrow()));
        release(sum, out, inputs); // ReLU keeps its own output for backward, not its input
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        super.initializeChildBlocks(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected void checkInput(Shape input) {
        if (input.dimension() != 4 || input.get(1) != inChannels) {
            throw new IllegalArgumentException(String.format(
                    "%s expects input (batch, %d, height, width), got %s", getClass().getSimpleName(), inChannels, input));
        }
    }

    /** Name, shape change and shortcut, e.g. {@code Bottleneck 256->512 /2, projection}. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + inChannels + "->" + outChannels + (stride == 1 ? "" : " /" + stride)
                + ", " + style.describe(inChannels, outChannels, stride);
    }
}
