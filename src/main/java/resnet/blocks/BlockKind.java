package resnet.blocks;

/**
 * The two residual blocks, as a network builder needs to know them: how to make one and how many
 * channels it puts out per plane. The builder knows nothing else about either.
 */
public enum BlockKind {
    BASIC(BasicBlock.EXPANSION, 2),
    BOTTLENECK(Bottleneck.EXPANSION, 3);

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

    /** A block of this kind from {@code inChannels} to {@code planes · expansion()} channels. */
    public ResidualBlock create(int inChannels, int planes, int stride, BlockOptions options) {
        return this == BASIC
                ? new BasicBlock(inChannels, planes, stride, options)
                : new Bottleneck(inChannels, planes, stride, options);
    }

    /**
     * Rejects options this kind cannot build, so that a network spec fails when it is written, not
     * when the first block is made.
     */
    public void check(int planes, BlockOptions options) {
        if (this == BASIC) {
            BasicBlock.checkOptions(options);
        } else {
            Bottleneck.width(planes, options);
        }
    }
}
