package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.function.UnaryOperator;

/**
 * A layer without parameters (ReLU, a pooling, a parameter-free shortcut) that knows its output
 * shape.
 *
 * <p>DJL's {@code LambdaBlock} finds its output shape by running itself on an array of zeros, a
 * native call for every shape question. An {@code Op} answers from a formula, so a summary of a
 * 152-layer network traces its shapes without touching the engine, and the label ({@code relu},
 * {@code maxpool 3x3/2}) is what a summary prints.
 */
public final class Op extends AbstractBlock {

    private final String label;
    private final UnaryOperator<NDArray> function;
    private final UnaryOperator<Shape> shape;

    /**
     * @param label what the layer does, as a summary should print it
     * @param function the computation, one array in and one out
     * @param shape the output shape for an input shape (batch first)
     */
    public Op(String label, UnaryOperator<NDArray> function, UnaryOperator<Shape> shape) {
        this.label = label;
        this.function = function;
        this.shape = shape;
    }

    /** What the layer does, e.g. {@code maxpool 3x3/2}. */
    public String label() {
        return label;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(function.apply(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {shape.apply(inputShapes[0])};
    }

    @Override
    public String toString() {
        return label;
    }
}
