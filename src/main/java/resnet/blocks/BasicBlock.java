package resnet.blocks;

/**
 * The block of ResNet-18/34 and of the CIFAR networks: F(x) = BN(conv3x3(ReLU(BN(conv3x3(x))))).
 *
 * <p>The first 3x3 carries the stride, so the block downsamples while it computes. Its output has
 * {@code planes} channels ({@link #EXPANSION} 1).
 */
public class BasicBlock extends ResidualBlock {

    /** Output channels per plane. */
    public static final int EXPANSION = 1;

    /** A block with torchvision's defaults (projection shortcut when the shape changes). */
    public BasicBlock(int inChannels, int planes, int stride) {
        this(inChannels, planes, stride, BlockOptions.DEFAULTS);
    }

    /**
     * @param inChannels the channels of the input
     * @param planes the channels of both 3x3 convolutions and of the output
     * @param stride 2 to halve height and width, 1 to keep them
     * @param options shortcut style, zero-init, BatchNorm or not; groups must stay 1 and widthPerGroup 64
     */
    public BasicBlock(int inChannels, int planes, int stride, BlockOptions options) {
        super(inChannels, planes * EXPANSION, stride);
        checkOptions(options);
        addLayer("conv1", conv(inChannels, planes, 3, stride, 1, options));
        addNorm("bn1", options, false);
        addLayer("relu1", Layers.relu());
        addLayer("conv2", lastConv(planes, planes, 3, 1, 1, options));
        addNorm("bn2", options, options.zeroInitResidual());
        addShortcut(options);
    }

    /**
     * Rejects groups and widths a basic block does not have, as torchvision does: ResNeXt and Wide
     * ResNet widen the middle 3x3 of a bottleneck, and a basic block has no middle.
     */
    public static void checkOptions(BlockOptions options) {
        if (options.groups() != 1 || options.widthPerGroup() != 64) {
            throw new IllegalArgumentException("BasicBlock supports only groups=1 and widthPerGroup=64, got groups="
                    + options.groups() + " and widthPerGroup=" + options.widthPerGroup()
                    + "; ResNeXt and Wide ResNet change the 3x3 of a Bottleneck: use the bottleneck block type");
        }
    }

    @Override
    public int expansion() {
        return EXPANSION;
    }
}
