package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Blocks that run one after another on the input, behind a check of that input.
 *
 * <p>A sequence, a whole network and a residual branch all work this way; what differs is what they
 * accept (a subclass overrides {@link #checkInput(Shape)}) and, for a residual block, what happens
 * after the chain. Every way in (forward, initialisation, shape inference) checks the input first,
 * so that a wrong input fails with a message about the input, not with an engine error about a
 * weight deep inside.
 *
 * <p>An array that passes from one child to the next is closed as soon as the next child has used
 * it, instead of living until the batch's manager closes. Closing the Java handle does not take
 * anything from autograd: the engine keeps what backward needs (a convolution's input, a ReLU's
 * output) and frees the rest at once (a BatchNorm's output after the ReLU has read it), as PyTorch
 * frees a Python temporary. This is what keeps a training step's peak memory near PyTorch's. A
 * caller that wants to keep intermediate arrays (a hook that records activations) turns it off with
 * {@link #releaseIntermediates(boolean)} or {@code -Dresnet.releaseIntermediates=false}.
 */
public abstract class Chain extends AbstractBlock {

    private static volatile boolean release = !"false".equalsIgnoreCase(System.getProperty("resnet.releaseIntermediates"));

    /**
     * Whether chains close the arrays between their children once they are used (on by default).
     * Off, every intermediate array stays open until its manager closes, as in plain DJL blocks.
     */
    public static void releaseIntermediates(boolean on) {
        release = on;
    }

    /** Whether chains close their intermediate arrays early; see {@link #releaseIntermediates(boolean)}. */
    public static boolean releasesIntermediates() {
        return release;
    }

    /**
     * Closes the arrays of {@code dead} that are neither in {@code kept} nor in {@code owned} (compared
     * by identity: an identity layer hands on the very array it got). Does nothing when release is off.
     */
    protected static void release(NDList dead, NDList kept, NDList owned) {
        if (!release || dead == owned) {
            return;
        }
        for (NDArray array : dead) {
            if (!contains(kept, array) && !contains(owned, array)) {
                array.close();
            }
        }
    }

    private static boolean contains(NDList list, NDArray array) {
        for (NDArray a : list) {
            if (a == array) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sees the output of every child of every chain as a forward pass runs: how a measurement of
     * layer responses ({@code resnet.inspect.LayerResponses}) reads the arrays inside a network
     * without a second copy of its forward logic. Not for training: it runs on every step.
     */
    @FunctionalInterface
    public interface Observer {
        /**
         * Called with a child's output right after the child ran, before the chain closes anything.
         *
         * @param chain the chain the child belongs to
         * @param child the block that just ran
         * @param output what it put out; the observer must not close it nor keep it past the call
         */
        void seen(Chain chain, Block child, NDList output);
    }

    private static final ThreadLocal<Observer> OBSERVER = new ThreadLocal<>();

    /**
     * Runs {@code pass} with {@code observer} seeing every child's output of every chain that runs
     * on this thread, then removes it (also when {@code pass} throws). Observers do not nest.
     *
     * @throws IllegalStateException when an observer is already installed on this thread
     */
    public static void observe(Observer observer, Runnable pass) {
        if (OBSERVER.get() != null) {
            throw new IllegalStateException("an observer is already watching this thread's forward passes");
        }
        OBSERVER.set(java.util.Objects.requireNonNull(observer, "observer"));
        try {
            pass.run();
        } finally {
            OBSERVER.remove();
        }
    }

    /** The blocks that run one after another, in order. */
    protected abstract List<Block> chain();

    /**
     * Whether {@code child} runs in training mode when this chain does; true unless overridden. A
     * child that answers false runs in inference mode even during training (a frozen part, whose
     * BatchNorm layers then normalise with their running statistics and leave them as they are).
     */
    protected boolean trains(Block child) {
        return true;
    }

    /** Rejects an input shape (batch first) this block cannot take; accepts everything unless overridden. */
    protected void checkInput(Shape input) {}

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        checkInput(inputs.head().getShape());
        NDList current = inputs;
        for (Block block : chain()) {
            NDList next = block.forward(parameterStore, current, training && trains(block), params);
            Observer observer = OBSERVER.get();
            if (observer != null) {
                observer.seen(this, block, next);
            }
            release(current, next, inputs);
            current = next;
        }
        return current;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        checkInput(inputShapes[0]);
        Shape[] shapes = inputShapes;
        for (Block block : chain()) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        checkInput(inputShapes[0]);
        super.beforeInitialize(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : chain()) {
            block.initialize(manager, dataType, shapes);
            shapes = block.getOutputShapes(shapes);
        }
    }

    /**
     * The tree of parts under their names. DJL's own description cuts two characters off every
     * child's name, expecting its numbered names ({@code 01Conv2d}); ours are not numbered.
     */
    @Override
    public String toString() {
        return describe(this);
    }

    private static String describe(Block block) {
        StringBuilder text = new StringBuilder(block.getClass().getSimpleName());
        if (!block.getChildren().isEmpty()) {
            text.append(" {\n");
            for (Pair<String, Block> child : block.getChildren()) {
                Block part = child.getValue();
                String inner = part.getChildren().isEmpty() ? part.toString() : describe(part);
                text.append(("  " + child.getKey() + ": " + inner).replace("\n", "\n  ")).append('\n');
            }
            text.append('}');
        }
        return text.toString();
    }
}
