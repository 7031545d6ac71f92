package resnet.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;
import resnet.blocks.ResidualBlock;

/**
 * A residual network as {@link ResNet#build(ResNetSpec)} makes it: {@code stem}, {@code layer1} ..
 * {@code layerN}, ({@code post} in a pre-activation network), {@code pool}, {@code fc}, each reachable
 * by name.
 *
 * <p>The names follow torchvision, so a parameter reads {@code layer3_1_conv2_weight} where
 * torchvision says {@code layer3.1.conv2.weight}. The parts are reachable because later work needs
 * them: transfer learning puts a new head in place of {@code fc} and freezes the rest ({@link
 * #replaceHead(int)}, {@link #freezeBackbone(boolean)}); a shape trace walks the stages one by one.
 *
 * <p>Every way in (forward, initialise, shape inference) first checks the input against the spec,
 * so a wrong image fails with a message about the image rather than an engine error about weights.
 */
public class ResidualNetwork extends NamedSequence {

    /** The name of the head. */
    public static final String HEAD = "fc";

    /** The name of the BatchNorm and ReLU after the last stage of a pre-activation network. */
    public static final String POST = "post";

    private final ResNetSpec spec;

    ResidualNetwork(ResNetSpec spec) {
        this.spec = spec;
    }

    /** The spec this network was built from (a replaced head is not reflected in it). */
    public ResNetSpec spec() {
        return spec;
    }

    /** The layers before the first stage. */
    public Block stem() {
        return get("stem");
    }

    /** How many residual stages there are. */
    public int stageCount() {
        return spec.stages();
    }

    /**
     * Stage {@code i}, counted from 1 as in torchvision's {@code layer1}..{@code layer4} (the paper's
     * conv2_x..conv5_x).
     */
    public NamedSequence stage(int i) {
        if (i < 1 || i > spec.stages()) {
            throw new IllegalArgumentException("stage " + i + " does not exist; stages are 1.." + spec.stages());
        }
        return (NamedSequence) get("layer" + i);
    }

    /** All stages, first to last. */
    public List<NamedSequence> stages() {
        List<NamedSequence> stages = new ArrayList<>();
        for (int i = 1; i <= spec.stages(); i++) {
            stages.add(stage(i));
        }
        return stages;
    }

    /** Block {@code j} (from 0, as in the parameter names) of stage {@code i} (from 1). */
    public ResidualBlock block(int i, int j) {
        NamedSequence stage = stage(i);
        if (j < 0 || j >= stage.size()) {
            throw new IllegalArgumentException(
                    "stage " + i + " has blocks 0.." + (stage.size() - 1) + ", there is no block " + j);
        }
        return (ResidualBlock) stage.get(String.valueOf(j));
    }

    /** The global average pooling before the head. */
    public Block pool() {
        return get("pool");
    }

    /** The classifier on the pooled features (a fully connected layer unless replaced). */
    public Block head() {
        return get(HEAD);
    }

    /**
     * Puts {@code head} in the place of the classifier. It receives the pooled features, a (batch,
     * {@link ResNetSpec#featureChannels()}) array.
     *
     * @return the old head
     */
    public Block replaceHead(Block head) {
        return replace(HEAD, head);
    }

    /**
     * Puts a new, untrained fully connected layer with {@code classes} outputs in the place of the
     * classifier: the first step of fine-tuning a trained network on a new task.
     *
     * @return the old head
     */
    public Block replaceHead(int classes) {
        return replaceHead(Layers.linear(spec.featureChannels(), classes));
    }

    /**
     * Freezes (or unfreezes) everything before the head, so that training updates the head only:
     * the third way of transfer learning, a new head trained on fixed features. The frozen parts
     * run in inference mode, so their BatchNorm layers keep the running statistics they were
     * trained with ({@link NamedSequence#freeze(String, boolean)}).
     */
    public void freezeBackbone(boolean freeze) {
        for (String name : names()) {
            freeze(name, freeze && !name.equals(HEAD));
        }
    }

    /**
     * Freezes every part from the stem up to and including {@code part} ({@code "stem"},
     * {@code "layer1"} .. {@code "layerN"}, {@code "pool"}) and unfreezes the parts after it: the
     * second way of transfer learning, e.g. {@code freezeUpTo("layer2")} on a three-stage network
     * trains the last stage and the head. Frozen parts run in inference mode (see {@link
     * NamedSequence#freeze(String, boolean)}).
     *
     * @throws IllegalArgumentException when {@code part} is not a part before the head
     */
    public void freezeUpTo(String part) {
        List<String> names = names();
        int last = names.indexOf(part);
        if (last < 0 || part.equals(HEAD)) {
            throw new IllegalArgumentException("cannot freeze up to '" + part + "': name a part before the head, one of "
                    + names.subList(0, names.indexOf(HEAD)));
        }
        for (int i = 0; i < names.size(); i++) {
            freeze(names.get(i), i <= last);
        }
    }

    @Override
    protected void checkInput(Shape input) {
        if (input.dimension() != 4) {
            throw new IllegalArgumentException(
                    "the network expects a batch of images (batch, channels, height, width), got shape " + input);
        }
        if (input.get(1) != spec.inputChannels()) {
            throw new IllegalArgumentException(String.format(
                    "the network expects %d input channels, got %d (input %s); build it with withInputChannels(%d)"
                            + " or convert the images",
                    spec.inputChannels(), input.get(1), input, input.get(1)));
        }
        int min = spec.minInputSize();
        if (input.get(2) < min || input.get(3) < min) {
            throw new IllegalArgumentException(String.format(
                    "input %dx%d is too small: the minimum is %dx%d, because the stem and stages shrink"
                            + " the image %dx; resize the images%s",
                    input.get(2), input.get(3), min, min, min,
                    spec.stem() == Stem.CIFAR ? "" : ", or use the CIFAR stem (minimum "
                            + spec.withStem(Stem.CIFAR).minInputSize() + ")"));
        }
    }
}
