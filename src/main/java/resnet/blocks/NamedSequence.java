package resnet.blocks;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks that run one after another, each under a name of our choosing.
 *
 * <p>DJL's {@code SequentialBlock} names its children {@code 01Conv2d}, {@code 02BatchNorm}, so a
 * parameter reads {@code 03SequentialBlock_01Conv2d_weight}. Here the names are the ones the
 * series talks about ({@code stem}, {@code layer2}, {@code 0}, {@code conv1}), so the same
 * parameter reads {@code layer2_0_conv1_weight}, close to torchvision's {@code layer2.0.conv1.weight},
 * and a part can be looked up or replaced by that name (a new head for transfer learning).
 */
public class NamedSequence extends AbstractBlock {

    /** An empty sequence; fill it with {@link #add(String, Block)}. */
    public NamedSequence() {}

    /**
     * Appends {@code block} under {@code name}.
     *
     * @return this sequence, so that calls chain
     * @throws IllegalArgumentException when the name is empty, contains {@code _} (DJL joins
     *     parameter names with it) or is taken
     */
    public NamedSequence add(String name, Block block) {
        if (name == null || name.isEmpty() || name.contains("_")) {
            throw new IllegalArgumentException(
                    "a child's name must be non-empty and free of '_' (DJL joins parameter names with it), got '"
                            + name + "'");
        }
        if (children.contains(name)) {
            throw new IllegalArgumentException("a child named '" + name + "' exists already; children: " + names());
        }
        children.add(name, block);
        return this;
    }

    /**
     * The child called {@code name}.
     *
     * @throws IllegalArgumentException naming the children there are, when there is none by that name
     */
    public Block get(String name) {
        Block block = children.get(name);
        if (block == null) {
            throw new IllegalArgumentException("no child named '" + name + "'; children: " + names());
        }
        return block;
    }

    /**
     * Puts {@code block} in the place of the child called {@code name}, keeping its position.
     *
     * <p>The new block starts uninitialised; the next {@code Trainer.initialize} (or forward pass in
     * training) initialises it and leaves the other children's trained values as they are.
     *
     * @return the block that was replaced
     */
    public Block replace(String name, Block block) {
        int index = children.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("no child named '" + name + "'; children: " + names());
        }
        Block old = children.remove(index);
        children.add(index, name, block);
        return old;
    }

    /** The children's names, in the order they run. */
    public List<String> names() {
        return new ArrayList<>(children.keys());
    }

    /** How many children there are. */
    public int size() {
        return children.size();
    }

    /**
     * Checks an input shape (batch first) before anything reaches the engine; a subclass overrides
     * it to turn a native error deep in the engine into a message about the input.
     */
    protected void checkInput(Shape input) {}

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        checkInput(inputs.head().getShape());
        return forwardAll(children.values(), parameterStore, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkInput(inputShapes[0]);
        return outputShapesOf(children.values(), inputShapes);
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        checkInput(inputShapes[0]);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        initializeAll(children.values(), manager, dataType, inputShapes);
    }

    /** The tree of children with their names (DJL's own description assumes numbered names). */
    @Override
    public String toString() {
        return describe(this);
    }

    // The three walks below are shared with ResidualBlock, whose branch is a chain as well.

    static NDList forwardAll(
            List<Block> chain, ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (Block block : chain) {
            current = block.forward(store, current, training, params);
        }
        return current;
    }

    static Shape[] outputShapesOf(List<Block> chain, Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : chain) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }

    static void initializeAll(List<Block> chain, NDManager manager, DataType dataType, Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : chain) {
            block.initialize(manager, dataType, shapes);
            shapes = block.getOutputShapes(shapes);
        }
    }

    static String describe(Block block) {
        StringBuilder text = new StringBuilder(block.getClass().getSimpleName());
        if (!block.getChildren().isEmpty()) {
            text.append(" {\n");
            for (Pair<String, Block> child : block.getChildren()) {
                String inner = child.getValue().getChildren().isEmpty()
                        ? child.getValue().toString()
                        : describe(child.getValue());
                text.append(("  " + child.getKey() + ": " + inner).replace("\n", "\n  ")).append('\n');
            }
            text.append('}');
        }
        return text.toString();
    }
}
