package resnet.models;

import ai.djl.nn.Block;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;

/**
 * The layers before the first stage.
 *
 * <p>On 224x224 ImageNet images the stem shrinks the map 4x at once (7x7 stride 2, then a 3x3 max
 * pool stride 2), because the residual stages are expensive at full resolution. On 32x32 CIFAR
 * images that would leave an 8x8 map before any block, so the CIFAR stem is a single 3x3 that keeps
 * the size.
 */
public enum Stem {
    /** 7x7/2 convolution (padding 3), BatchNorm, ReLU, 3x3/2 max pool (padding 1): 224 -> 112 -> 56. */
    IMAGENET(4, 224),
    /** 3x3/1 convolution (padding 1), BatchNorm, ReLU, no pooling: 32 -> 32. */
    CIFAR(1, 32);

    private final int stride;
    private final int imageSize;

    Stem(int stride, int imageSize) {
        this.stride = stride;
        this.imageSize = imageSize;
    }

    /** How many times smaller the stem's output is than its input. */
    public int stride() {
        return stride;
    }

    /** The image size this stem was designed for: 224 or 32. */
    public int imageSize() {
        return imageSize;
    }

    /** The stem from {@code inChannels} image channels to {@code outChannels} feature channels. */
    public Block create(int inChannels, int outChannels) {
        return create(inChannels, outChannels, true);
    }

    /**
     * The stem with or without its BatchNorm; without, its convolution has a bias (a network without
     * BatchNorm, {@link resnet.blocks.BlockOptions#batchNorm()}).
     */
    public Block create(int inChannels, int outChannels, boolean batchNorm) {
        return create(inChannels, outChannels, batchNorm, false);
    }

    /**
     * The stem of an original network, or of a pre-activation one: there its convolution (and the
     * ImageNet max pool) stand alone, since the first pre-activation block begins with BatchNorm and
     * ReLU itself.
     */
    public Block create(int inChannels, int outChannels, boolean batchNorm, boolean preActivation) {
        boolean imagenet = this == IMAGENET;
        NamedSequence stem = new NamedSequence(); // 7x7/2 (the max pool halves again), or 3x3/1
        stem.add("conv", Layers.conv(inChannels, outChannels, imagenet ? 7 : 3, imagenet ? 2 : 1, 1, !batchNorm));
        if (!preActivation) {
            if (batchNorm) {
                stem.add("bn", Layers.batchNorm());
            }
            stem.add("relu", Layers.relu());
        }
        if (imagenet) {
            stem.add("maxpool", Layers.maxPool(3, 2, 1));
        }
        return stem;
    }
}
