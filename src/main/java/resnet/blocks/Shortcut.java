package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * How a residual block carries its input x around the branch F to form F(x) + x.
 *
 * <p>When the branch keeps the shape, every style but {@link #NONE} uses the identity. When it
 * halves the map or widens the channels, x no longer fits F(x), and the styles differ in how they
 * make it fit; {@link #create} is the one place that decides.
 */
public enum Shortcut {
    /**
     * A 1x1 convolution with the block's stride, then BatchNorm: the paper's option B and
     * torchvision's {@code downsample}. Costs parameters, learns how to match.
     */
    PROJECTION,
    /**
     * The paper's option C: a projection (1x1 convolution, then BatchNorm) in every block, also
     * where the shape is kept and an identity would fit. Costs the most parameters; the paper found
     * it marginally better than B and not worth its cost.
     */
    PROJECTION_ALWAYS,
    /**
     * The paper's option A for its CIFAR networks: keep every stride-th pixel and append zero
     * channels. No parameters, so ResNet-20 has exactly as many as its plain twin.
     */
    ZERO_PAD,
    /** No shortcut at all: the block is a plain stack of layers, the paper's "plain" baseline. */
    NONE;

    /** Whether the input must be reshaped to be added to the branch's output. */
    public static boolean changesShape(int inChannels, int outChannels, int stride) {
        return stride != 1 || inChannels != outChannels;
    }

    /** Whether this style puts a 1x1 convolution on the shortcut of such a block. */
    public boolean projects(int inChannels, int outChannels, int stride) {
        return this == PROJECTION_ALWAYS || this == PROJECTION && changesShape(inChannels, outChannels, stride);
    }

    /**
     * What the shortcut of such a block is, in a word: {@code identity}, {@code projection},
     * {@code zero-pad} or {@code plain} (no shortcut).
     */
    public String describe(int inChannels, int outChannels, int stride) {
        if (this == NONE) {
            return "plain";
        }
        if (projects(inChannels, outChannels, stride)) {
            return "projection";
        }
        return changesShape(inChannels, outChannels, stride) ? "zero-pad" : "identity";
    }

    /**
     * The shortcut of a block from {@code inChannels} to {@code outChannels} with {@code stride}.
     *
     * @return an identity when the shape is kept, else this style's matching block; {@code null} for {@link #NONE}
     * @throws IllegalArgumentException when zero padding would have to drop channels
     */
    public Block create(int inChannels, int outChannels, int stride) {
        return create(inChannels, outChannels, stride, true);
    }

    /**
     * {@link #create(int, int, int)} for a network with or without BatchNorm: without, a projection
     * is a 1x1 convolution with a bias and no BatchNorm after it.
     */
    public Block create(int inChannels, int outChannels, int stride, boolean batchNorm) {
        if (this == NONE) {
            return null;
        }
        if (!projects(inChannels, outChannels, stride) && !changesShape(inChannels, outChannels, stride)) {
            return new Op("identity", x -> x, shape -> shape);
        }
        if (projects(inChannels, outChannels, stride)) {
            NamedSequence projection = new NamedSequence().add("conv", Layers.conv1x1(inChannels, outChannels, stride, !batchNorm));
            return batchNorm ? projection.add("bn", Layers.batchNorm()) : projection;
        }
        return zeroPad(inChannels, outChannels, stride);
    }

    private static Op zeroPad(int inChannels, int outChannels, int stride) {
        if (outChannels < inChannels) {
            throw new IllegalArgumentException("a zero-padding shortcut can only add channels, not go from "
                    + inChannels + " to " + outChannels + "; use Shortcut.PROJECTION");
        }
        int extra = outChannels - inChannels;
        NDIndex everyStride = new NDIndex(":, :, ::" + stride + ", ::" + stride);
        // (before, after) pairs from the last axis back, as PyTorch's pad takes them: W, H, then C
        Shape channelPadding = new Shape(0, 0, 0, 0, 0, extra);
        return new Op(
                "zero-pad " + inChannels + "->" + outChannels + " /" + stride,
                x -> {
                    NDArray kept = stride == 1 ? x : x.get(everyStride); // a strided view, no copy
                    if (extra == 0) {
                        return kept;
                    }
                    // One padding call appends the zero channels: no array of zeros, no concatenation.
                    NDArray padded = kept.pad(channelPadding, 0);
                    if (kept != x && Chain.releasesIntermediates()) {
                        kept.close();
                    }
                    return padded;
                },
                shape -> new Shape(shape.get(0), outChannels,
                        (shape.get(2) + stride - 1) / stride, (shape.get(3) + stride - 1) / stride));
    }
}
