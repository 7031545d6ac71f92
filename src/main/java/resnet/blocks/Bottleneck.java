package resnet.blocks;

/**
 * The block of ResNet-50 and deeper, ResNeXt and Wide ResNet: a 1x1 reduces the channels, a 3x3
 * (grouped for ResNeXt) works on the reduced width, a 1x1 expands to {@link #EXPANSION} times
 * {@code planes}; each is followed by BatchNorm, the first two by ReLU.
 *
 * <p>The 3x3 is where the cost is, so running it on a quarter of the output channels makes a
 * 256-channel bottleneck cheaper than a 256-channel basic block (about 70 thousand weights against 1.2
 * million).
 */
public class Bottleneck extends ResidualBlock {

    /** Output channels per plane. */
    public static final int EXPANSION = 4;

    private final int width;

    /** A ResNet bottleneck with torchvision's defaults (dense 3x3 of {@code planes} channels, stride on it). */
    public Bottleneck(int inChannels, int planes, int stride) {
        this(inChannels, planes, stride, BlockOptions.DEFAULTS);
    }

    /**
     * @param inChannels the channels of the input
     * @param planes the reduced width of a plain ResNet; the output has {@code 4 · planes} channels
     * @param stride 2 to halve height and width, 1 to keep them
     * @param options groups and width per group of the 3x3, where the stride goes, shortcut style, zero-init,
     *     BatchNorm or not
     * @throws IllegalArgumentException when the width comes out as zero channels
     */
    public Bottleneck(int inChannels, int planes, int stride, BlockOptions options) {
        super(inChannels, planes * EXPANSION, stride);
        width = width(planes, options);
        boolean strideFirst = options.stridePlacement() == StridePlacement.ON_FIRST_1X1;
        addLayer("conv1", conv(inChannels, width, 1, strideFirst ? stride : 1, 1, options));
        addNorm("bn1", options, false);
        addLayer("relu1", Layers.relu());
        addLayer("conv2", conv(width, width, 3, strideFirst ? 1 : stride, options.groups(), options));
        addNorm("bn2", options, false);
        addLayer("relu2", Layers.relu());
        addLayer("conv3", lastConv(width, planes * EXPANSION, 1, 1, 1, options));
        addNorm("bn3", options, options.zeroInitResidual());
        addShortcut(options);
    }

    /**
     * The channels of the 3x3: planes · (widthPerGroup / 64) · groups, with the division truncated
     * as torchvision truncates it ({@code int(planes * (base_width / 64.0)) * groups}).
     */
    public static int width(int planes, BlockOptions options) {
        Layers.positive("planes", planes);
        int perGroup = (int) ((long) planes * options.widthPerGroup() / 64);
        if (perGroup == 0) {
            throw new IllegalArgumentException(String.format(
                    "Bottleneck width planes·(widthPerGroup/64)·groups = %d·(%d/64)·%d leaves no channel per group;"
                            + " widthPerGroup must be at least %d for %d planes",
                    planes, options.widthPerGroup(), options.groups(), (64 + planes - 1) / planes, planes));
        }
        return perGroup * options.groups();
    }

    /** The channels of the middle 3x3. */
    public int width() {
        return width;
    }

    @Override
    public int expansion() {
        return EXPANSION;
    }
}
