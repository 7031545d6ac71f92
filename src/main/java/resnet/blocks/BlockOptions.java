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
 */
public record BlockOptions(
        int groups, int widthPerGroup, Shortcut shortcut, StridePlacement stridePlacement, boolean zeroInitResidual) {

    /** torchvision's defaults: dense, width 64, projection shortcuts, stride on the 3x3, gamma 1. */
    public static final BlockOptions DEFAULTS = new BlockOptions(1, 64, Shortcut.PROJECTION, StridePlacement.ON_3X3, false);

    public BlockOptions {
        Layers.positive("groups", groups);
        Layers.positive("widthPerGroup", widthPerGroup);
        Objects.requireNonNull(shortcut, "shortcut");
        Objects.requireNonNull(stridePlacement, "stridePlacement");
    }

    public BlockOptions withGroups(int groups) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual);
    }

    public BlockOptions withWidthPerGroup(int widthPerGroup) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual);
    }

    public BlockOptions withShortcut(Shortcut shortcut) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual);
    }

    public BlockOptions withStridePlacement(StridePlacement stridePlacement) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual);
    }

    public BlockOptions withZeroInitResidual(boolean zeroInitResidual) {
        return new BlockOptions(groups, widthPerGroup, shortcut, stridePlacement, zeroInitResidual);
    }
}
