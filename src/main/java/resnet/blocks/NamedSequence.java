package resnet.blocks;

import ai.djl.nn.Block;
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
public class NamedSequence extends Chain {

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

    @Override
    protected List<Block> chain() {
        return children.values();
    }
}
