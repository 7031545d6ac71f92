package resnet.blocks;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

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

    /** Children that run in inference mode and get no updates, by identity. */
    private final Set<Block> frozen = Collections.newSetFromMap(new IdentityHashMap<>());

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
        frozen.remove(old);
        return old;
    }

    /**
     * Freezes (or unfreezes) the child called {@code name}: its parameters get no gradient, so no
     * optimiser step moves them, and it runs in inference mode even when the sequence trains.
     *
     * <p>Inference mode matters for BatchNorm: its running mean and variance are not parameters a
     * gradient touches, and in training mode every forward pass would still pull them towards the
     * statistics of the new data, and normalise with batch statistics the frozen weights were not
     * trained with. A frozen child therefore computes exactly what it computed before training.
     *
     * <p>DJL unfreezes every parameter when it makes a trainer for a model it loaded from a file
     * ({@code Model.load}); freeze after {@code newTrainer} in that case. Weights put in with
     * {@code Block.loadParameters} (as {@code Checkpoint.loadInto} does) are not affected.
     *
     * @throws IllegalArgumentException naming the children there are, when there is none by that name
     */
    public void freeze(String name, boolean freeze) {
        Block child = get(name);
        // running mean and variance never take a gradient: unfreezing them as well would mark them
        // as trainable (DJL's own unfreeze on newTrainer leaves them out the same way)
        child.freezeParameters(freeze, p -> p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR);
        if (freeze) {
            frozen.add(child);
        } else {
            frozen.remove(child);
        }
    }

    /** Whether the child called {@code name} is frozen by {@link #freeze(String, boolean)}. */
    public boolean isFrozen(String name) {
        return frozen.contains(get(name));
    }

    /** The names of the frozen children, in the order they run. */
    public List<String> frozenNames() {
        List<String> names = new ArrayList<>();
        for (String name : names()) {
            if (frozen.contains(children.get(name))) {
                names.add(name);
            }
        }
        return names;
    }

    @Override
    protected boolean trains(Block child) {
        return !frozen.contains(child);
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
