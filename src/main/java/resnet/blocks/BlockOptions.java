package resnet.blocks;

import java.util.Objects;

/**
 * What varies between the residual blocks of ResNet, ResNeXt, Wide ResNet and their plain twins.
 *
 * <p>ResNeXt and Wide ResNet are not new blocks: both widen the 3x3 of a {@link Bottleneck} through
 * {@code width = planes · (widthPerGroup / 64) · groups}. ResNeXt-50 32x4d has 32 groups of 4
 * channels per 64 planes; Wide ResNet-50-2 one group of 128.
 *
 * @param groups groups of the bottleneck's 3x3 convolution (1 = dense)
 * @param widthPerGroup channels per group per 64 planes (64 = ResNet, 128 = twice as wide)
 * @param shortcut how the input is carried around the branch
 * @param stridePlacement which bottleneck convolution downsamples
 * @param zeroInitResidual start each branch's last BatchNorm gamma at 0, so that each block starts
 *     as an identity (torchvision's {@code zero_init_residual}; helps deep networks at the start)
 * @param batchNorm whether a BatchNorm follows every convolution (true in every ResNet). Without it
 *     each convolution gets a bias instead, since no BatchNorm beta is there to supply the shift, and
 *     the stem and projection shortcuts lose their BatchNorm too: the "without BatchNorm" baseline
 * @param zeroInitLastConv start the weights (and bias) of each branch's last convolution at 0: the
 *     counterpart of {@code zeroInitResidual} for a network without BatchNorm, where there is no
 *     gamma to zero. Each block then starts as an identity, as in Fixup (Zhang et al. 2019) and
 *     SkipInit (De and Smith 2020); without it a stack of blocks without BatchNorm starts with an
 *     output variance that grows with every block
 */
public record BlockOptions(
        int groups, int widthPerGroup, Shortcut shortcut, StridePlacement stridePlacement, boolean zeroInitResidual,
        boolean batchNorm, boolean zeroInitLastConv) {

    /** torchvision's defaults: dense, width 64, projection shortcuts, stride on the 3x3, gamma 1, BatchNorm. */
    public static final BlockOptions DEFAULTS =
            new BlockOptions(1, 64, Shortcut.PROJECTION, StridePlacement.ON_3X3, false, true, false);

    /** The options of torchvision's six, with {@code zeroInitLastConv} off. */
    public BlockOptions(int groups, int widthPerGroup, Shortcut shortcut, StridePlacement stridePlacement,
            boolean zeroInitResidual, boolean batchNorm) {
        this(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm, false);
    }

    /**
     * @throws IllegalArgumentException when a count is not positive, or when zero-init is asked for
     *     without BatchNorm (it zeroes a BatchNorm gamma, and there would be none), or zero-init of
     *     the last convolution with BatchNorm (a BatchNorm after an all-zero convolution divides
     *     a constant by sqrt(epsilon), which multiplies its gradient by about 316)
     */
    public BlockOptions {
        Layers.positive("groups", groups);
        Layers.positive("widthPerGroup", widthPerGroup);
        Objects.requireNonNull(shortcut, "shortcut");
        Objects.requireNonNull(stridePlacement, "stridePlacement");
        if (zeroInitResidual && !batchNorm) {
            throw new IllegalArgumentException("zeroInitResidual starts each branch's last BatchNorm gamma at 0,"
                    + " but batchNorm is false, so there is no gamma to zero: turn one of the two off"
                    + " (without BatchNorm, zeroInitLastConv starts each branch at 0 instead)");
        }
        if (zeroInitLastConv && batchNorm) {
            throw new IllegalArgumentException("zeroInitLastConv is for networks without BatchNorm; with BatchNorm,"
                    + " an all-zero convolution feeds it a constant of variance 0 that it would divide by"
                    + " sqrt(epsilon): use zeroInitResidual (the last gamma at 0), or turn BatchNorm off first");
        }
    }

    public BlockOptions withGroups(int groups) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    public BlockOptions withWidthPerGroup(int widthPerGroup) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    public BlockOptions withShortcut(Shortcut shortcut) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    public BlockOptions withStridePlacement(StridePlacement stridePlacement) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    public BlockOptions withZeroInitResidual(boolean zeroInitResidual) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    /**
     * With or without a BatchNorm after every convolution (convolutions get a bias when there is none).
     *
     * @throws IllegalArgumentException when turning BatchNorm off while zero-init is on
     */
    public BlockOptions withBatchNorm(boolean batchNorm) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }

    /**
     * With or without zero weights in each branch's last convolution (for a network without BatchNorm).
     *
     * @throws IllegalArgumentException when turning it on while BatchNorm is on
     */
    public BlockOptions withZeroInitLastConv(boolean zeroInitLastConv) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual, batchNorm,
                zeroInitLastConv);
    }
}
