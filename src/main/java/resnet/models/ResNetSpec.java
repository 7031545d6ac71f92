package resnet.models;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Objects;
import resnet.blocks.BlockKind;
import resnet.blocks.BlockOptions;
import resnet.blocks.Layers;
import resnet.blocks.Shortcut;
import resnet.blocks.StridePlacement;

/**
 * Everything that distinguishes one residual network from another, as a value.
 *
 * <p>Every model of the library is a spec fed to {@link ResNet#build(ResNetSpec)}; the named
 * models are specs in a table ({@link ResNet#spec(String)}). A change is a copy: {@code
 * ResNet.spec("resnet20").withClasses(10).withInputChannels(1)} is ResNet-20 for Fashion-MNIST. A spec
 * is checked when it is made, so a wrong value fails at the line that wrote it, before any array exists.
 *
 * @param block the residual block of every stage
 * @param layers blocks per stage, e.g. [3, 4, 6, 3] for ResNet-50
 * @param widths planes per stage, e.g. [64, 128, 256, 512]; a stage puts out planes · expansion
 *     channels, and the stem puts out {@code widths[0]}
 * @param stem the layers before the first stage
 * @param options groups, width per group, shortcut style, stride placement, zero-init, BatchNorm or not
 * @param classes outputs of the fully connected head
 * @param inputChannels image channels: 3 for RGB, 1 for Fashion-MNIST
 */
public record ResNetSpec(
        BlockKind block, List<Integer> layers, List<Integer> widths, Stem stem, BlockOptions options, int classes,
        int inputChannels) {

    public ResNetSpec {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(stem, "stem");
        Objects.requireNonNull(options, "options");
        layers = List.copyOf(layers);
        widths = List.copyOf(widths);
        if (widths.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one stage, got no widths");
        }
        if (layers.size() != widths.size()) {
            throw new IllegalArgumentException(String.format(
                    "layers %s has %d entries, expected %d: one per stage, as the widths %s say"
                            + " (withStages(layers, widths) changes the number of stages)",
                    layers, layers.size(), widths.size(), widths));
        }
        for (int i = 0; i < layers.size(); i++) {
            Layers.positive("layers[" + i + "] (blocks in stage " + (i + 1) + ")", layers.get(i));
            Layers.positive("widths[" + i + "] (planes of stage " + (i + 1) + ")", widths.get(i));
            block.check(widths.get(i), options);
        }
        Layers.positive("classes", classes);
        Layers.positive("inputChannels", inputChannels);
    }

    /** How many residual stages there are (4 for ImageNet networks, 3 for the CIFAR paper's). */
    public int stages() {
        return layers.size();
    }

    /**
     * Weighted layers on the longest path: the stem's convolution, 2 or 3 per block, and the fully
     * connected head. This is the number in a model's name: 50 for ResNet-50, 20 for ResNet-20.
     */
    public int depth() {
        return layers.stream().mapToInt(Integer::intValue).sum() * block.convolutions() + 2;
    }

    /** The channels the head receives: the last stage's planes · expansion (512 for ResNet-18, 2048 for ResNet-50). */
    public int featureChannels() {
        return widths.get(widths.size() - 1) * block.expansion();
    }

    /** How many times the network shrinks height and width: the stem's stride times 2 per later stage. */
    public int totalStride() {
        return stem.stride() << (stages() - 1);
    }

    /**
     * The smallest height and width it accepts: its total stride. A smaller image would reach the last
     * stages as a 1x1 map whose stride-2 convolutions see mostly padding; DJL would not complain, the
     * network would just be a worse one.
     */
    public int minInputSize() {
        return totalStride();
    }

    /** (channels, size, size) with the size the stem was designed for: 3x224x224 or 3x32x32. */
    public Shape defaultInputShape() {
        return new Shape(inputChannels, stem.imageSize(), stem.imageSize());
    }

    /** Whether its blocks are pre-activation blocks (BatchNorm and ReLU before each convolution). */
    public boolean preActivation() {
        return block.preActivation();
    }

    /**
     * The same network of pre-activation basic blocks (He et al. 2016), or back to the original
     * basic blocks: stages, widths, stem and shortcuts stay; the builder then adds the final
     * BatchNorm and ReLU and strips the stem to its convolution.
     *
     * @throws IllegalArgumentException for a bottleneck network (the library has no pre-activation
     *     bottleneck), or with zero-init, which a pre-activation block cannot use
     */
    public ResNetSpec withPreActivation(boolean preActivation) {
        if (block == BlockKind.BOTTLENECK) {
            throw new IllegalArgumentException("pre-activation is built for basic blocks only (the library has no"
                    + " pre-activation bottleneck); use a network of basic blocks such as resnet20 .. resnet110 or resnet18");
        }
        return withBlock(preActivation ? BlockKind.PREACT_BASIC : BlockKind.BASIC);
    }

    /** Whether this is a plain network (no shortcuts). */
    public boolean isPlain() {
        return options.shortcut() == Shortcut.NONE;
    }

    /** The plain twin: the same layers without shortcuts, the paper's baseline. */
    public ResNetSpec plain() {
        return withShortcut(Shortcut.NONE);
    }

    public ResNetSpec withBlock(BlockKind block) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    /** The same stages with other block counts, e.g. {@code withLayers(3, 4, 23, 3)} for ResNet-101. */
    public ResNetSpec withLayers(Integer... layers) {
        return new ResNetSpec(block, List.of(layers), widths, stem, options, classes, inputChannels);
    }

    /** The same stages with other planes, e.g. {@code withWidths(32, 64, 128, 256)} for a half-width network. */
    public ResNetSpec withWidths(Integer... widths) {
        return new ResNetSpec(block, layers, List.of(widths), stem, options, classes, inputChannels);
    }

    /** Other stages altogether (the two lists must be equally long). */
    public ResNetSpec withStages(List<Integer> layers, List<Integer> widths) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    public ResNetSpec withStem(Stem stem) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    public ResNetSpec withOptions(BlockOptions options) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    public ResNetSpec withClasses(int classes) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    public ResNetSpec withInputChannels(int inputChannels) {
        return new ResNetSpec(block, layers, widths, stem, options, classes, inputChannels);
    }

    /** Groups of every bottleneck's 3x3 (ResNeXt's cardinality). */
    public ResNetSpec withGroups(int groups) {
        return withOptions(options.withGroups(groups));
    }

    /** Channels per group per 64 planes (ResNeXt's "4d"; 128 for Wide ResNet's "2"). */
    public ResNetSpec withWidthPerGroup(int widthPerGroup) {
        return withOptions(options.withWidthPerGroup(widthPerGroup));
    }

    public ResNetSpec withShortcut(Shortcut shortcut) {
        return withOptions(options.withShortcut(shortcut));
    }

    public ResNetSpec withStridePlacement(StridePlacement stridePlacement) {
        return withOptions(options.withStridePlacement(stridePlacement));
    }

    public ResNetSpec withZeroInitResidual(boolean zeroInitResidual) {
        return withOptions(options.withZeroInitResidual(zeroInitResidual));
    }

    /**
     * Each branch's last convolution starting at zero weights, for a network without BatchNorm
     * ({@link BlockOptions#zeroInitLastConv()}): call it after {@code withBatchNorm(false)}.
     */
    public ResNetSpec withZeroInitLastConv(boolean zeroInitLastConv) {
        return withOptions(options.withZeroInitLastConv(zeroInitLastConv));
    }

    /** Whether a BatchNorm follows every convolution (the stem's and the projections' included). */
    public boolean hasBatchNorm() {
        return options.batchNorm();
    }

    /**
     * The same network with or without BatchNorm. Without, no BatchNorm is left anywhere (stem,
     * branches, projection shortcuts) and every convolution gets a bias, which BatchNorm's beta
     * supplied before: the baseline for what BatchNorm does.
     *
     * @throws IllegalArgumentException when turning BatchNorm off in a spec with zero-init, which
     *     needs a BatchNorm gamma to zero
     */
    public ResNetSpec withBatchNorm(boolean batchNorm) {
        return withOptions(options.withBatchNorm(batchNorm));
    }
}
