package resnet.models;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import resnet.blocks.BlockKind;
import resnet.blocks.BlockOptions;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;
import resnet.blocks.ResidualBlock;
import resnet.blocks.Shortcut;

/**
 * The residual networks of the series by name, and the one builder that turns a {@link ResNetSpec}
 * into a DJL block.
 *
 * <pre>{@code
 * Block net = ResNet.resnet50(1000);
 * ResNetSpec spec = ResNet.spec("resnet20").withClasses(10).withInputChannels(1);
 * ResidualNetwork small = ResNet.build(spec);
 * }</pre>
 *
 * <p>The names are torchvision's ({@code resnet18} .. {@code wide_resnet101_2}), plus the CIFAR
 * paper's family ({@code resnet20} .. {@code resnet110}: three stages of 16, 32, 64 channels, zero
 * padding shortcuts), {@code resnet18_cifar} (ResNet-18 with the 3x3 stem, as the well-known
 * pytorch-cifar recipe trains it), the paper's plain baselines ({@code plain18}, {@code plain20} ..)
 * and the pre-activation CIFAR family of He et al. 2016 ({@code preact_resnet20} .. {@code
 * preact_resnet110}: the same stages and zero-padding shortcuts, built from {@link
 * resnet.blocks.PreActBlock}).
 */
public final class ResNet {

    private static final List<Integer> IMAGENET_WIDTHS = List.of(64, 128, 256, 512);
    private static final List<Integer> CIFAR_WIDTHS = List.of(16, 32, 64);
    private static final Map<String, ResNetSpec> SPECS = table();

    private ResNet() {}

    private static Map<String, ResNetSpec> table() {
        Map<String, ResNetSpec> specs = new LinkedHashMap<>();
        specs.put("resnet18", imagenet(BlockKind.BASIC, 2, 2, 2, 2));
        specs.put("resnet34", imagenet(BlockKind.BASIC, 3, 4, 6, 3));
        specs.put("resnet50", imagenet(BlockKind.BOTTLENECK, 3, 4, 6, 3));
        specs.put("resnet101", imagenet(BlockKind.BOTTLENECK, 3, 4, 23, 3));
        specs.put("resnet152", imagenet(BlockKind.BOTTLENECK, 3, 8, 36, 3));
        specs.put("resnext50_32x4d", specs.get("resnet50").withGroups(32).withWidthPerGroup(4));
        specs.put("resnext101_32x8d", specs.get("resnet101").withGroups(32).withWidthPerGroup(8));
        specs.put("resnext101_64x4d", specs.get("resnet101").withGroups(64).withWidthPerGroup(4));
        specs.put("wide_resnet50_2", specs.get("resnet50").withWidthPerGroup(64 * 2));
        specs.put("wide_resnet101_2", specs.get("resnet101").withWidthPerGroup(64 * 2));
        for (int depth : List.of(20, 32, 44, 56, 110)) {
            specs.put("resnet" + depth, cifarSpec(depth));
        }
        specs.put("resnet18_cifar", specs.get("resnet18").withStem(Stem.CIFAR).withClasses(10));
        for (int depth : List.of(18, 34, 20, 32, 44, 56, 110)) {
            specs.put("plain" + depth, specs.get("resnet" + depth).plain());
        }
        for (int depth : List.of(20, 32, 44, 56, 110)) {
            specs.put("preact_resnet" + depth, cifarSpec(depth).withPreActivation(true));
        }
        return Collections.unmodifiableMap(specs);
    }

    private static ResNetSpec imagenet(BlockKind block, Integer... layers) {
        return new ResNetSpec(block, List.of(layers), IMAGENET_WIDTHS, Stem.IMAGENET, BlockOptions.DEFAULTS, 1000, 3);
    }

    /**
     * The CIFAR paper's network of the given depth: 3 stages of n basic blocks (n = (depth − 2) / 6)
     * with 16, 32, 64 channels, the 3x3 stem, zero-padding shortcuts (option A), 10 classes.
     *
     * @param depth 6n + 2: 20, 32, 44, 56, 110, 1202 in the paper
     */
    public static ResNetSpec cifarSpec(int depth) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("a CIFAR ResNet has depth 6n + 2 (20, 32, 44, 56, 110, ...), got " + depth);
        }
        int n = (depth - 2) / 6;
        return new ResNetSpec(BlockKind.BASIC, List.of(n, n, n), CIFAR_WIDTHS, Stem.CIFAR,
                BlockOptions.DEFAULTS.withShortcut(Shortcut.ZERO_PAD), 10, 3);
    }

    /** Every model name {@link #spec(String)} knows, ImageNet models first. */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    /**
     * The spec of a named model (with its default classes: 1000 for ImageNet models, 10 for CIFAR ones).
     *
     * @throws IllegalArgumentException listing the known names when {@code name} is not one of them
     */
    public static ResNetSpec spec(String name) {
        String key = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
        ResNetSpec spec = key == null ? null : SPECS.get(key);
        if (spec == null && key != null) {
            spec = widened(key);
        }
        if (spec == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: "
                    + String.join(", ", SPECS.keySet()) + ", and any CIFAR-family name with _wK for K times"
                    + " its planes (e.g. resnet20_w1.5: 24, 48, 96)");
        }
        return spec;
    }

    private static final Pattern WIDENED = Pattern.compile("((?:preact_)?resnet\\d+|plain\\d+)_w(\\d+(?:\\.\\d+)?)");

    /**
     * A CIFAR-family network with K times its planes, named {@code NAME_wK}: {@code resnet20_w2} has
     * 32, 64, 128 planes where ResNet-20 has 16, 32, 64 (four times the multiply-adds). The name is
     * what a checkpoint records, so {@link #spec(String)} rebuilds the same network from it.
     *
     * @return null when {@code key} is not of that form
     * @throws IllegalArgumentException when it is, but the base is not a CIFAR-family network or K
     *     does not give whole planes
     */
    private static ResNetSpec widened(String key) {
        Matcher m = WIDENED.matcher(key);
        if (!m.matches()) {
            return null;
        }
        ResNetSpec base = SPECS.get(m.group(1));
        if (base == null || base.stem() != Stem.CIFAR || base.stages() != CIFAR_WIDTHS.size()
                || !base.widths().equals(CIFAR_WIDTHS)) {
            throw new IllegalArgumentException("model '" + key + "': _wK widens the CIFAR family (resnet20 .."
                    + " resnet110, preact_resnet20 .., plain20 ..), and " + m.group(1) + " is not one of them");
        }
        double k = Double.parseDouble(m.group(2));
        Integer[] planes = new Integer[CIFAR_WIDTHS.size()];
        for (int i = 0; i < planes.length; i++) {
            double p = CIFAR_WIDTHS.get(i) * k;
            if (p < 1 || p != Math.rint(p)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "model '%s': %s times the planes %s"
                        + " is not whole planes; expected K with 16 K a positive whole number (0.5, 1.5, 2, 2.25, ...)",
                        key, m.group(2), CIFAR_WIDTHS));
            }
            planes[i] = (int) p;
        }
        return base.withWidths(planes);
    }

    /** The named model with {@code classes} outputs, untrained. */
    public static ResidualNetwork build(String name, int classes) {
        return build(spec(name).withClasses(classes));
    }

    /**
     * The network a spec describes, untrained: convolutions Kaiming-normal (fan-out), BatchNorm gamma
     * 1 (0 on each branch's last one with zero-init) and beta 0, as torchvision initialises them
     * (without BatchNorm, {@link ResNetSpec#withBatchNorm(boolean)}, the convolutions' biases start at
     * 0). The arrays are made when a {@code Trainer} initialises the block.
     *
     * <p>A pre-activation network ({@link ResNetSpec#preActivation()}) has a bare convolution as its
     * stem and a {@value ResidualNetwork#POST} part (BatchNorm, ReLU) between the last stage and the
     * pooling: its blocks normalise their inputs, not their sums, so the last sum is normalised there.
     */
    public static ResidualNetwork build(ResNetSpec spec) {
        ResidualNetwork net = new ResidualNetwork(spec);
        int channels = spec.widths().get(0);
        net.add("stem", spec.stem().create(spec.inputChannels(), channels, spec.hasBatchNorm(), spec.preActivation()));
        for (int i = 0; i < spec.stages(); i++) {
            int stride = i == 0 ? 1 : 2;
            net.add("layer" + (i + 1), makeStage(spec, channels, spec.widths().get(i), spec.layers().get(i), stride));
            channels = spec.widths().get(i) * spec.block().expansion();
        }
        if (spec.preActivation()) {
            NamedSequence post = new NamedSequence();
            if (spec.hasBatchNorm()) {
                post.add("bn", Layers.batchNorm());
            }
            net.add(ResidualNetwork.POST, post.add("relu", Layers.relu()));
        }
        net.add("pool", Layers.globalAvgPool());
        net.add(ResidualNetwork.HEAD, Layers.linear(channels, spec.classes()));
        return net;
    }

    /** A stage: its first block takes the stride and the change of width, the others keep both. */
    private static NamedSequence makeStage(ResNetSpec spec, int inChannels, int planes, int blocks, int stride) {
        NamedSequence stage = new NamedSequence();
        int channels = inChannels;
        for (int j = 0; j < blocks; j++) {
            ResidualBlock block = spec.block().create(channels, planes, j == 0 ? stride : 1, spec.options());
            stage.add(String.valueOf(j), block);
            channels = block.outChannels();
        }
        return stage;
    }

    // The named models, one line each, as torchvision lists them. Counts are for 1000 classes at
    // 3x224x224 (ImageNet models) and 10 classes at 3x32x32 (CIFAR models).

    /** ResNet-18: basic blocks [2, 2, 2, 2]; 11.7M parameters, 1.8 GMACs at 224x224 and 1000 classes. */
    public static ResidualNetwork resnet18(int classes) {
        return build("resnet18", classes);
    }

    /** ResNet-34: basic blocks [3, 4, 6, 3]; 21.8M parameters, 3.7 GMACs. */
    public static ResidualNetwork resnet34(int classes) {
        return build("resnet34", classes);
    }

    /** ResNet-50: bottlenecks [3, 4, 6, 3]; 25.6M parameters, 4.1 GMACs. */
    public static ResidualNetwork resnet50(int classes) {
        return build("resnet50", classes);
    }

    /** ResNet-101: bottlenecks [3, 4, 23, 3]; 44.5M parameters, 7.8 GMACs. */
    public static ResidualNetwork resnet101(int classes) {
        return build("resnet101", classes);
    }

    /** ResNet-152: bottlenecks [3, 8, 36, 3]; 60.2M parameters, 11.5 GMACs. */
    public static ResidualNetwork resnet152(int classes) {
        return build("resnet152", classes);
    }

    /** ResNeXt-50 32x4d: ResNet-50 with 32 groups of 4 channels in each 3x3; 25.0M parameters, 4.2 GMACs. */
    public static ResidualNetwork resnext50_32x4d(int classes) {
        return build("resnext50_32x4d", classes);
    }

    /** ResNeXt-101 32x8d: ResNet-101 with 32 groups of 8; 88.8M parameters, 16.4 GMACs. */
    public static ResidualNetwork resnext101_32x8d(int classes) {
        return build("resnext101_32x8d", classes);
    }

    /** ResNeXt-101 64x4d: ResNet-101 with 64 groups of 4; 83.5M parameters, 15.5 GMACs. */
    public static ResidualNetwork resnext101_64x4d(int classes) {
        return build("resnext101_64x4d", classes);
    }

    /** Wide ResNet-50-2: ResNet-50 with twice as wide 3x3s; 68.9M parameters, 11.4 GMACs. */
    public static ResidualNetwork wide_resnet50_2(int classes) {
        return build("wide_resnet50_2", classes);
    }

    /** Wide ResNet-101-2: ResNet-101 with twice as wide 3x3s; 126.9M parameters, 22.8 GMACs. */
    public static ResidualNetwork wide_resnet101_2(int classes) {
        return build("wide_resnet101_2", classes);
    }

    /** The CIFAR paper's ResNet-20: 3 stages of 3 basic blocks; 0.27M parameters at 32x32 and 10 classes. */
    public static ResidualNetwork resnet20(int classes) {
        return build("resnet20", classes);
    }

    /** The CIFAR paper's ResNet-32: 3 stages of 5 basic blocks; 0.46M parameters. */
    public static ResidualNetwork resnet32(int classes) {
        return build("resnet32", classes);
    }

    /** The CIFAR paper's ResNet-44: 3 stages of 7 basic blocks; 0.66M parameters. */
    public static ResidualNetwork resnet44(int classes) {
        return build("resnet44", classes);
    }

    /** The CIFAR paper's ResNet-56: 3 stages of 9 basic blocks; 0.85M parameters. */
    public static ResidualNetwork resnet56(int classes) {
        return build("resnet56", classes);
    }

    /** The CIFAR paper's ResNet-110: 3 stages of 18 basic blocks; 1.7M parameters. */
    public static ResidualNetwork resnet110(int classes) {
        return build("resnet110", classes);
    }

    /** ResNet-18 with the 3x3 stem for 32x32 images; 11.2M parameters at 10 classes. */
    public static ResidualNetwork resnet18_cifar(int classes) {
        return build("resnet18_cifar", classes);
    }

    /** ResNet-18 without shortcuts, the paper's plain baseline. */
    public static ResidualNetwork plain18(int classes) {
        return build("plain18", classes);
    }

    /** ResNet-34 without shortcuts: the paper's plain 34-layer net, which trains worse than plain18. */
    public static ResidualNetwork plain34(int classes) {
        return build("plain34", classes);
    }

    /** ResNet-20 without shortcuts. */
    public static ResidualNetwork plain20(int classes) {
        return build("plain20", classes);
    }

    /** ResNet-32 without shortcuts. */
    public static ResidualNetwork plain32(int classes) {
        return build("plain32", classes);
    }

    /** ResNet-44 without shortcuts. */
    public static ResidualNetwork plain44(int classes) {
        return build("plain44", classes);
    }

    /** ResNet-56 without shortcuts: deeper than plain20, and worse on training data (the degradation problem). */
    public static ResidualNetwork plain56(int classes) {
        return build("plain56", classes);
    }

    /** ResNet-110 without shortcuts. */
    public static ResidualNetwork plain110(int classes) {
        return build("plain110", classes);
    }

    /** ResNet-20 of pre-activation blocks (He et al. 2016); as many parameters as resnet20 (the BatchNorms move). */
    public static ResidualNetwork preact_resnet20(int classes) {
        return build("preact_resnet20", classes);
    }

    /** ResNet-32 of pre-activation blocks. */
    public static ResidualNetwork preact_resnet32(int classes) {
        return build("preact_resnet32", classes);
    }

    /** ResNet-44 of pre-activation blocks. */
    public static ResidualNetwork preact_resnet44(int classes) {
        return build("preact_resnet44", classes);
    }

    /** ResNet-56 of pre-activation blocks. */
    public static ResidualNetwork preact_resnet56(int classes) {
        return build("preact_resnet56", classes);
    }

    /** ResNet-110 of pre-activation blocks: the depth of the paper's CIFAR-10 comparison (6.37% against 6.61%). */
    public static ResidualNetwork preact_resnet110(int classes) {
        return build("preact_resnet110", classes);
    }
}
