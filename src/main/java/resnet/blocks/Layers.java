package resnet.blocks;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.training.initializer.XavierInitializer;
import java.math.BigInteger;

/**
 * The few layers a ResNet is made of, each configured the way torchvision configures it.
 *
 * <p>In a ResNet every convolution feeds a BatchNorm, so by default none has a bias: BatchNorm
 * subtracts the mean and adds its own shift {@code beta}, which would cancel a bias and leave it as a
 * wasted parameter. A network built without BatchNorm ({@link BlockOptions#batchNorm()} false) asks
 * for convolutions with a bias, since nothing else would shift its activations. Kernel, padding and
 * initialisation are decided here once, so that the blocks only say "a 3x3 to 128 channels with
 * stride 2".
 */
public final class Layers {

    /**
     * Kaiming (He) normal initialisation, fan-out mode, ReLU gain: weights ~ N(0, 2 / fan_out) with
     * fan_out = out channels · k_h · k_w, as torchvision initialises its ResNet convolutions. DJL's
     * Xavier initialiser with magnitude 2 and factor "out" is exactly that distribution.
     */
    public static final Initializer KAIMING_FAN_OUT =
            new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2);

    /**
     * DJL's BatchNorm momentum is the weight of the old running statistic, PyTorch's the weight of
     * the new one: DJL 0.9 is PyTorch's default 0.1.
     */
    public static final float BATCH_NORM_MOMENTUM = 0.9f;

    /** PyTorch's default epsilon. */
    public static final float BATCH_NORM_EPSILON = 1e-5f;

    private Layers() {}

    /** A 3x3 convolution, padding 1, so that only the stride changes the height and width. */
    public static Conv2d conv3x3(int in, int out, int stride) {
        return conv(in, out, 3, stride, 1);
    }

    /** A grouped 3x3 convolution, padding 1: each of {@code groups} groups sees in/groups channels. */
    public static Conv2d conv3x3(int in, int out, int stride, int groups) {
        return conv(in, out, 3, stride, groups);
    }

    /** A 1x1 convolution (no padding: a 1x1 kernel needs none, and padding 1 would grow the map by 2). */
    public static Conv2d conv1x1(int in, int out, int stride) {
        return conv(in, out, 1, stride, 1);
    }

    /** A 1x1 convolution, with a bias (starting at 0) when {@code bias} is true. */
    public static Conv2d conv1x1(int in, int out, int stride, boolean bias) {
        return conv(in, out, 1, stride, 1, bias);
    }

    /**
     * A square convolution without bias, padded by {@code kernel / 2} (3 for the stem's 7x7), so
     * that the output is {@code ceil(input / stride)} wide.
     *
     * @param in the input channels; DJL infers them at initialisation, they are given here to check
     *     the groups before anything reaches the engine
     * @throws IllegalArgumentException when a value is not positive or the groups do not divide
     *     both channel counts
     */
    public static Conv2d conv(int in, int out, int kernel, int stride, int groups) {
        return conv(in, out, kernel, stride, groups, false);
    }

    /**
     * {@link #conv(int, int, int, int, int)} with a bias when {@code bias} is true: for a network
     * without BatchNorm. The bias starts at 0, the weights as without it.
     */
    public static Conv2d conv(int in, int out, int kernel, int stride, int groups, boolean bias) {
        positive("input channels", in);
        positive("output channels", out);
        positive("kernel size", kernel);
        positive("stride", stride);
        positive("groups", groups);
        if (in % groups != 0 || out % groups != 0) {
            int common = BigInteger.valueOf(in).gcd(BigInteger.valueOf(out)).intValue();
            throw new IllegalArgumentException(String.format(
                    "groups=%d does not divide the %dx%d convolution's width (%d input, %d output channels):"
                            + " each group needs whole channels; choose groups among the divisors of %d,"
                            + " or a width that is a multiple of %d",
                    groups, kernel, kernel, in, out, common, groups));
        }
        Conv2d conv = Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .setFilters(out)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optGroups(groups)
                .optBias(bias)
                .build();
        conv.setInitializer(KAIMING_FAN_OUT, Parameter.Type.WEIGHT);
        if (bias) {
            conv.setInitializer(Initializer.ZEROS, Parameter.Type.BIAS);
        }
        return conv;
    }

    /**
     * A BatchNorm over channels with PyTorch's defaults, gamma 1 and beta 0.
     *
     * @param zeroGamma start gamma at 0 instead: the branch it ends then outputs 0 at first, so the
     *     residual block starts as an identity (torchvision's {@code zero_init_residual})
     */
    public static BatchNorm batchNorm(boolean zeroGamma) {
        BatchNorm norm = BatchNorm.builder()
                .optMomentum(BATCH_NORM_MOMENTUM)
                .optEpsilon(BATCH_NORM_EPSILON)
                .build();
        norm.setInitializer(zeroGamma ? Initializer.ZEROS : Initializer.ONES, Parameter.Type.GAMMA);
        norm.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
        return norm;
    }

    /** A BatchNorm with gamma 1 and beta 0. */
    public static BatchNorm batchNorm() {
        return batchNorm(false);
    }

    /** max(x, 0), element by element. */
    public static Op relu() {
        return new Op("relu", Activation::relu, shape -> shape);
    }

    /** Max pooling over a square window (the ImageNet stem's 3x3, stride 2, padding 1). */
    public static Op maxPool(int kernel, int stride, int padding) {
        Shape window = new Shape(kernel, kernel);
        Shape step = new Shape(stride, stride);
        Shape pad = new Shape(padding, padding);
        return new Op(
                "maxpool " + kernel + "x" + kernel + "/" + stride,
                x -> Pool.maxPool2d(x, window, step, pad, false),
                shape -> new Shape(shape.get(0), shape.get(1),
                        (shape.get(2) + 2L * padding - kernel) / stride + 1,
                        (shape.get(3) + 2L * padding - kernel) / stride + 1));
    }

    /** The mean of each channel over height and width: (N, C, H, W) to (N, C), whatever H and W are. */
    public static Op globalAvgPool() {
        return new Op("global avgpool", Pool::globalAvgPool2d, shape -> new Shape(shape.get(0), shape.get(1)));
    }

    /**
     * A fully connected layer, initialised as PyTorch initialises {@code nn.Linear}: weight and bias
     * uniform in ±1/sqrt(in).
     */
    public static Linear linear(int in, int out) {
        positive("input features", in);
        positive("classes", out);
        Linear linear = Linear.builder().setUnits(out).optBias(true).build();
        linear.setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.IN, 1),
                Parameter.Type.WEIGHT);
        linear.setInitializer(new UniformInitializer((float) (1 / Math.sqrt(in))), Parameter.Type.BIAS);
        return linear;
    }

    /** Throws a message naming {@code what} unless {@code value} is positive. */
    public static void positive(String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
    }
}
