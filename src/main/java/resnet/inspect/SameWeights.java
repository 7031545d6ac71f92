package resnet.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.Random;

/**
 * Two blocks with the same weights, to prove that they compute the same function: the check a
 * notebook makes after the reader has written a block that the library also has.
 *
 * <pre>{@code
 * SameWeights.randomizeBatchNorm(library, 7);   // fresh BatchNorms are the identity and would hide a slip
 * SameWeights.copy(library, readers);           // every array, BatchNorm statistics included
 * float gap = SameWeights.maxDifference(library, readers, x, false);
 * }</pre>
 *
 * <p>The copy goes by position, not by name: DJL's {@code SequentialBlock} names its children
 * {@code 01Conv2d}, {@code 02BatchNorm}, the library names them {@code conv1}, {@code bn1}, but both
 * list their parameters in the order the layers run. Each pair must agree in type and shape, so a
 * block with a layer missing, one too many or one of another size fails at the first parameter
 * where the two part, with both names in the message.
 */
public final class SameWeights {

    private SameWeights() {}

    /**
     * Copies every parameter array of {@code from} (weights, biases, BatchNorm gamma and beta, and
     * the running mean and variance) into the parameter at the same position of {@code to}.
     *
     * @return how many arrays were copied
     * @throws IllegalStateException when a block is not initialised
     * @throws IllegalArgumentException naming the first pair of parameters that differ in type or
     *     shape, or the first one without a partner
     */
    public static int copy(Block from, Block to) {
        PairList<String, Parameter> source = initialised(from, "from");
        PairList<String, Parameter> target = initialised(to, "to");
        int n = Math.max(source.size(), target.size());
        for (int i = 0; i < n; i++) {
            if (i >= source.size() || i >= target.size()) {
                throw new IllegalArgumentException(String.format(
                        "the blocks have %d and %d parameter arrays; parameter %d is %s and has no partner",
                        source.size(), target.size(), i, i < source.size() ? describe(source.get(i))
                                : describe(target.get(i))));
            }
            Parameter a = source.valueAt(i);
            Parameter b = target.valueAt(i);
            if (a.getType() != b.getType() || !a.getArray().getShape().equals(b.getArray().getShape())) {
                throw new IllegalArgumentException(String.format(
                        "parameter %d differs: %s in the first block, %s in the second", i, describe(source.get(i)),
                        describe(target.get(i))));
            }
        }
        for (int i = 0; i < n; i++) {
            source.valueAt(i).getArray().copyTo(target.valueAt(i).getArray());
        }
        return n;
    }

    /**
     * Gives every BatchNorm value of {@code block} (gamma, beta, running mean and running variance)
     * a random number in [0.5, 1.5). A fresh BatchNorm has gamma 1, beta 0, mean 0 and variance 1:
     * in inference mode it is the identity, and two blocks that wire a BatchNorm to the wrong
     * channels would still agree.
     *
     * @throws IllegalStateException when the block is not initialised
     */
    public static void randomizeBatchNorm(Block block, long seed) {
        Random random = new Random(seed);
        for (Pair<String, Parameter> named : initialised(block, "block")) {
            Parameter.Type type = named.getValue().getType();
            if (type == Parameter.Type.GAMMA || type == Parameter.Type.BETA || !Parameters.isLearnable(named.getValue())) {
                NDArray array = named.getValue().getArray();
                float[] values = new float[Math.toIntExact(array.size())];
                for (int k = 0; k < values.length; k++) {
                    values[k] = 0.5f + random.nextFloat();
                }
                array.set(values);
            }
        }
    }

    /**
     * The largest absolute difference between the outputs of {@code a} and {@code b} on {@code x}.
     * In training mode (BatchNorm with batch statistics) both blocks' running statistics move, by the
     * same amount when they compute the same function.
     */
    public static float maxDifference(Block a, Block b, NDArray x, boolean training) {
        try (NDManager scope = x.getManager().newSubManager()) {
            x.tempAttach(scope); // the outputs join x's manager: here the scope, which frees them; x goes back
            ParameterStore store = new ParameterStore(scope, false);
            NDArray outA = a.forward(store, new NDList(x), training).singletonOrThrow();
            NDArray outB = b.forward(store, new NDList(x), training).singletonOrThrow();
            if (!outA.getShape().equals(outB.getShape())) {
                throw new IllegalArgumentException("the outputs differ in shape: " + outA.getShape() + " and "
                        + outB.getShape());
            }
            return outA.sub(outB).abs().max().getFloat();
        }
    }

    private static PairList<String, Parameter> initialised(Block block, String which) {
        PairList<String, Parameter> parameters = block.getParameters();
        for (Pair<String, Parameter> named : parameters) {
            if (!named.getValue().isInitialized()) {
                throw new IllegalStateException("the " + which + " block is not initialised (parameter "
                        + named.getKey() + " has no array): call initialize(manager, dataType, inputShape) first");
            }
        }
        return parameters;
    }

    private static String describe(Pair<String, Parameter> named) {
        Parameter p = named.getValue();
        return named.getKey() + " (" + p.getType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + p.getArray().getShape() + ")";
    }
}
