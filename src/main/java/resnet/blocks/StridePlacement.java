package resnet.blocks;

/**
 * Which convolution of a {@link Bottleneck} downsamples when a stage begins.
 *
 * <p>The paper (and Caffe's released models) put stride 2 on the first 1x1: that 1x1 then simply
 * skips three of every four pixels before anything has looked at them. torchvision moved it to the
 * 3x3 ("ResNet v1.5"), which sees every pixel: about 0.5% more top-1 accuracy on ImageNet for more
 * multiply-adds, since the first 1x1 now runs at the full resolution. A {@link BasicBlock} has no
 * 1x1, so it always strides its first 3x3.
 */
public enum StridePlacement {
    /** torchvision's "v1.5", the default. */
    ON_3X3,
    /** The original paper's "v1". */
    ON_FIRST_1X1
}
