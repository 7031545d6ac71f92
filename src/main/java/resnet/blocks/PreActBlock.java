package resnet.blocks;

import ai.djl.nn.Block;

/**
 * The pre-activation basic block of He et al. 2016, "Identity Mappings in Deep Residual Networks":
 * F(x) = conv3x3(ReLU(BN(conv3x3(ReLU(BN(x)))))), and H(x) = F(x) + shortcut(x) with nothing after
 * the sum.
 *
 * <p>In the original block a ReLU follows the sum, so the path from one block's input to the next
 * block's input passes a ReLU in every block, and the last BatchNorm of each branch scales what is
 * added. Moving BatchNorm and ReLU in front of the convolutions leaves the shortcut path a pure
 * identity from the first block to the last: x_L = x_l + (the sum of the branches in between), and the
 * gradient reaching x_l has a term that no layer multiplies. The paper reports lower CIFAR-10 error
 * at 110 and 164 layers, and a much lower one at 1001 layers, where the original block trains worse
 * than at 110.
 *
 * <p>Because the sum is no longer normalised, a network of these blocks ends with one BatchNorm and
 * ReLU before pooling ({@code post} in {@code ResNet.build}), and its stem is a bare convolution
 * (the first block normalises it). The shortcut takes the block's input x as it is. A projection
 * (where the shape changes, or everywhere with {@link Shortcut#PROJECTION_ALWAYS}) is a 1x1
 * convolution alone, without a BatchNorm after it, as in the pre-activation implementations: its
 * output is added to an unnormalised sum, and the next block's first BatchNorm normalises both.
 */
public class PreActBlock extends ResidualBlock {

    /** Output channels per plane. */
    public static final int EXPANSION = 1;

    /** A block with the default options (projection shortcut where the shape changes). */
    public PreActBlock(int inChannels, int planes, int stride) {
        this(inChannels, planes, stride, BlockOptions.DEFAULTS);
    }

    /**
     * @param inChannels the channels of the input
     * @param planes the channels of both 3x3 convolutions and of the output
     * @param stride 2 to halve height and width (on the first 3x3), 1 to keep them
     * @param options shortcut style, BatchNorm or not; groups must stay 1, widthPerGroup 64, and
     *     zero-init off
     * @throws IllegalArgumentException for options this block does not have
     */
    public PreActBlock(int inChannels, int planes, int stride, BlockOptions options) {
        super(inChannels, planes * EXPANSION, stride);
        checkOptions(options);
        addNorm("bn1", options, false);
        addLayer("relu1", Layers.relu());
        addLayer("conv1", conv(inChannels, planes, 3, stride, 1, options));
        addNorm("bn2", options, false);
        addLayer("relu2", Layers.relu());
        addLayer("conv2", lastConv(planes, planes, 3, 1, 1, options));
        addShortcut(options);
    }

    /**
     * Rejects what a pre-activation basic block cannot do: groups and widths (as {@link
     * BasicBlock#checkOptions}), and zero-init. Zero-init sets the last BatchNorm's gamma to 0; here
     * a ReLU and a convolution follow that BatchNorm, so with gamma and beta 0 the ReLU's input would
     * be 0, where its gradient is 0, and the branch would never leave 0.
     */
    public static void checkOptions(BlockOptions options) {
        BasicBlock.checkOptions(options);
        if (options.zeroInitResidual()) {
            throw new IllegalArgumentException("zeroInitResidual is not supported by the pre-activation block:"
                    + " its last BatchNorm is followed by a ReLU and a convolution, so a zero gamma would leave the"
                    + " branch at 0 with a zero gradient; turn zeroInitResidual off");
        }
    }

    /** The 1x1 projection without BatchNorm (with a bias only in a network without BatchNorm). */
    @Override
    protected Block createShortcut(BlockOptions options) {
        if (options.shortcut().projects(inChannels(), outChannels(), stride())) {
            return new NamedSequence().add("conv", Layers.conv1x1(inChannels(), outChannels(), stride(), !options.batchNorm()));
        }
        return super.createShortcut(options);
    }

    @Override
    protected boolean reluAfterSum() {
        return false;
    }

    @Override
    public int expansion() {
        return EXPANSION;
    }
}
