package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * Several paths that all read the same input, their outputs summed or concatenated along the
 * channels.
 *
 * <p>This is how the ResNeXt paper draws its block before it turns it into one grouped
 * convolution: 32 narrow paths side by side ({@link ResNeXtBlock}). DJL's {@code ParallelBlock}
 * does the same with any join function, which is why it cannot say what shape comes out without
 * running the paths; here the merge is one of two, and the shape follows from it.
 */
public final class Paths extends AbstractBlock {

    /** How the paths' outputs become one. */
    public enum Merge {
        /** Element by element: every path must put out the same shape. */
        SUM,
        /** Along the channel axis (1): the paths may differ in channels only. */
        CONCAT
    }

    private final Merge merge;

    /** An empty set of paths; add them with {@link #add(String, Block)}. */
    public Paths(Merge merge) {
        this.merge = merge;
    }

    /**
     * Adds a path under {@code name}.
     *
     * @return these paths, so that calls chain
     * @throws IllegalArgumentException when the name is empty, contains {@code _} or is taken
     */
    public Paths add(String name, Block path) {
        if (name == null || name.isEmpty() || name.contains("_") || children.contains(name)) {
            throw new IllegalArgumentException("a path needs a new name without '_', got '" + name + "'; paths: "
                    + children.keys());
        }
        children.add(name, path);
        return this;
    }

    /** How the outputs are merged. */
    public Merge merge() {
        return merge;
    }

    /**
     * The path called {@code name}.
     *
     * @throws IllegalArgumentException naming the paths there are, when there is none by that name
     */
    public Block get(String name) {
        Block path = children.get(name);
        if (path == null) {
            throw new IllegalArgumentException("no path named '" + name + "'; paths: " + children.keys());
        }
        return path;
    }

    /** The paths by name, in the order they were added. */
    public PairList<String, Block> paths() {
        return new PairList<>(children.keys(), children.values());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        requirePaths();
        List<NDArray> outputs = new ArrayList<>();
        for (Block path : children.values()) {
            outputs.add(path.forward(parameterStore, inputs, training, params).singletonOrThrow());
        }
        NDList merged;
        if (merge == Merge.CONCAT) {
            merged = new NDList(NDArrays.concat(new NDList(outputs), 1));
        } else {
            NDArray sum = outputs.get(0);
            for (int i = 1; i < outputs.size(); i++) {
                NDArray next = sum.add(outputs.get(i));
                if (i > 1) {
                    Chain.release(new NDList(sum), new NDList(next), inputs); // a partial sum, now used
                }
                sum = next;
            }
            merged = new NDList(sum);
        }
        // each path's output is in the merged array now (as with any chain, see Chain.releaseIntermediates)
        Chain.release(new NDList(outputs), merged, inputs);
        return merged;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        requirePaths();
        Shape first = null;
        long channels = 0;
        for (var path : children) {
            Shape out = path.getValue().getOutputShapes(inputShapes)[0];
            if (first == null) {
                first = out;
            } else if (merge == Merge.SUM ? !out.equals(first) : !sameExceptChannels(out, first)) {
                throw new IllegalArgumentException(String.format(
                        "path '%s' puts out %s, the first path %s: paths that are %s must agree in %s",
                        path.getKey(), out, first, merge == Merge.SUM ? "summed" : "concatenated",
                        merge == Merge.SUM ? "every axis" : "every axis but the channels (1)"));
            }
            channels += out.get(1);
        }
        if (merge == Merge.SUM) {
            return new Shape[] {first};
        }
        long[] dims = first.getShape().clone();
        dims[1] = channels;
        return new Shape[] {new Shape(dims)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Block path : children.values()) {
            path.initialize(manager, dataType, inputShapes);
        }
    }

    /** E.g. {@code 32 paths, summed}. */
    @Override
    public String toString() {
        return children.size() + " paths, " + (merge == Merge.SUM ? "summed" : "concatenated");
    }

    private static boolean sameExceptChannels(Shape a, Shape b) {
        if (a.dimension() != b.dimension() || a.dimension() < 2) {
            return false;
        }
        for (int i = 0; i < a.dimension(); i++) {
            if (i != 1 && a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void requirePaths() {
        if (children.isEmpty()) {
            throw new IllegalStateException("no paths yet: add at least one with add(name, block)");
        }
    }
}
