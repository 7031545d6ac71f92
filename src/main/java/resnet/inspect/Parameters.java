package resnet.inspect;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * Counts parameters the way papers and torchvision do.
 *
 * <p>DJL's {@code getParameters()} lists a BatchNorm's running mean and variance next to its gamma
 * and beta, because they are saved with the model; but no gradient updates them, and torchvision's
 * "11.7M parameters" for ResNet-18 leaves them out. So the count goes by parameter type.
 */
public final class Parameters {

    private Parameters() {}

    /** Whether gradient descent learns this parameter: everything but BatchNorm's running statistics. */
    public static boolean isLearnable(Parameter parameter) {
        Parameter.Type type = parameter.getType();
        return type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR;
    }

    /**
     * The learnable parameters of {@code block} and its children.
     *
     * @throws IllegalStateException when a parameter's shape is not known yet: DJL learns the shapes
     *     from the input at initialisation, so initialise the block first, or use {@link
     *     Summary#of(Block, Shape)}, which does it for you
     */
    public static long learnable(Block block) {
        return count(block, false);
    }

    /** The learnable parameters that are not frozen: what an optimiser will update. */
    public static long trainable(Block block) {
        return count(block, true);
    }

    private static long count(Block block, boolean trainableOnly) {
        long total = 0;
        for (var named : block.getParameters()) {
            Parameter parameter = named.getValue();
            if (!isLearnable(parameter) || (trainableOnly && !parameter.requiresGradient())) {
                continue;
            }
            Shape shape = parameter.getShape();
            if (shape == null) {
                throw new IllegalStateException("parameter " + named.getKey() + " has no shape yet: initialise the"
                        + " block with an input shape first, or use Summary.of(block, inputShape), which does");
            }
            total += shape.size();
        }
        return total;
    }
}
