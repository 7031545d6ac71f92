package resnet.blocks;

/**
 * The residual blocks, as a network builder needs to know them: how to make one, how many channels
 * it puts out per plane, and whether it is a pre-activation block (whose network then ends with a
 * BatchNorm and ReLU). The builder knows nothing else about them.
 */
public enum BlockKind {
    BASIC(BasicBlock.EXPANSION, 2),
    BOTTLENECK(Bottleneck.EXPANSION, 3),
    /** {@link PreActBlock}: BN, ReLU, 3x3, BN, ReLU, 3x3, plus the shortcut, nothing after the sum. */
    PREACT_BASIC(PreActBlock.EXPANSION, 2);

    private final int expansion;
    private final int convolutions;

    BlockKind(int expansion, int convolutions) {
        this.expansion = expansion;
        this.convolutions = convolutions;
    }

    /** Output channels per plane: 1 or 4. */
    public int expansion() {
        return expansion;
    }

    /** Weighted layers on the branch, what the "50" of ResNet-50 counts: 2 or 3. */
    public int convolutions() {
        return convolutions;
    }

    /** Whether BatchNorm and ReLU come before each convolution and nothing follows the sum. */
    public boolean preActivation() {
        return this == PREACT_BASIC;
    }

    /** A block of this kind from {@code inChannels} to {@code planes · expansion()} channels. */
    public ResidualBlock create(int inChannels, int planes, int stride, BlockOptions options) {
        return switch (this) {
            case BASIC -> new BasicBlock(inChannels, planes, stride, options);
            case BOTTLENECK -> new Bottleneck(inChannels, planes, stride, options);
            case PREACT_BASIC -> new PreActBlock(inChannels, planes, stride, options);
        };
    }

    /**
     * Rejects options this kind cannot build, so that a network spec fails when it is written, not
     * when the first block is made.
     */
    public void check(int planes, BlockOptions options) {
        switch (this) {
            case BASIC -> BasicBlock.checkOptions(options);
            case BOTTLENECK -> Bottleneck.width(planes, options);
            case PREACT_BASIC -> PreActBlock.checkOptions(options);
        }
    }
}
