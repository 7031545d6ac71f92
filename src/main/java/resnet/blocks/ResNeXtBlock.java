package resnet.blocks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The ResNeXt block drawn as separate paths: the paper's forms (a) and (b) of the block whose form
 * (c) is a {@link Bottleneck} with a grouped 3x3.
 *
 * <p>With {@code g} groups and a 3x3 of {@code width} channels, each of the {@code g} paths works
 * on {@code d = width / g} channels:
 *
 * <ul>
 *   <li>(a) {@link Form#SUMMED_PATHS}: each path is 1x1 (in → d), 3x3 (d → d), 1x1 (d → out); the
 *       paths' outputs are summed, then BatchNorm;
 *   <li>(b) {@link Form#CONCATENATED_PATHS}: each path is 1x1 (in → d), 3x3 (d → d); the outputs are
 *       concatenated to {@code width} channels, then one 1x1 (width → out) and BatchNorm;
 *   <li>(c) one 1x1 (in → width), a 3x3 with {@code g} groups, one 1x1 (width → out).
 * </ul>
 *
 * <p>They compute the same function: a 1x1 on concatenated channels is the sum of 1x1s on each part,
 * and a grouped convolution is separate convolutions on channel slices. BatchNorm works channel by
 * channel, so it splits along the paths too. {@link #copyFrom(Bottleneck)} loads a form (c) block's
 * weights into (a) or (b), so the outputs can be compared.
 *
 * <p>They are equal as functions, not as programs: (a) and (b) run {@code g} small convolutions
 * one after another; (c) runs one. That is why ResNeXt is built as (c).
 */
public class ResNeXtBlock extends ResidualBlock {

    /** The two forms drawn as paths; the third, a grouped convolution, is {@link Bottleneck}. */
    public enum Form {
        /** (a): g paths 1x1 → 3x3 → 1x1, summed. */
        SUMMED_PATHS,
        /** (b): g paths 1x1 → 3x3, concatenated, then one 1x1. */
        CONCATENATED_PATHS
    }

    private final Form form;
    private final int groups;
    private final int width;
    private final Paths paths;

    /**
     * @param form (a) or (b)
     * @param inChannels the channels of the input
     * @param planes as for {@link Bottleneck}: the output has {@code 4 · planes} channels
     * @param stride 2 to halve height and width, 1 to keep them
     * @param options groups (the number of paths), width per group, stride placement, shortcut, zero-init
     * @throws IllegalArgumentException when the width leaves no channel per path, as for {@link Bottleneck}
     */
    public ResNeXtBlock(Form form, int inChannels, int planes, int stride, BlockOptions options) {
        super(inChannels, planes * Bottleneck.EXPANSION, stride);
        if (!options.batchNorm()) {
            throw new IllegalArgumentException("ResNeXtBlock draws the paths of a bottleneck with BatchNorm (copyFrom"
                    + " maps its BatchNorms path by path), got batchNorm=false; for a ResNeXt block without BatchNorm"
                    + " use a Bottleneck with groups");
        }
        this.form = form;
        this.groups = options.groups();
        this.width = Bottleneck.width(planes, options);
        int perPath = width / groups;
        boolean strideFirst = options.stridePlacement() == StridePlacement.ON_FIRST_1X1;
        int out = planes * Bottleneck.EXPANSION;
        paths = new Paths(form == Form.SUMMED_PATHS ? Paths.Merge.SUM : Paths.Merge.CONCAT);
        for (int i = 0; i < groups; i++) {
            NamedSequence path = new NamedSequence()
                    .add("conv1", Layers.conv1x1(inChannels, perPath, strideFirst ? stride : 1))
                    .add("bn1", Layers.batchNorm())
                    .add("relu1", Layers.relu())
                    .add("conv2", Layers.conv3x3(perPath, perPath, strideFirst ? 1 : stride))
                    .add("bn2", Layers.batchNorm())
                    .add("relu2", Layers.relu());
            if (form == Form.SUMMED_PATHS) {
                path.add("conv3", Layers.conv1x1(perPath, out, 1));
            }
            paths.add(String.valueOf(i), path);
        }
        addLayer("paths", paths);
        if (form == Form.CONCATENATED_PATHS) {
            addLayer("conv3", Layers.conv1x1(width, out, 1));
        }
        addLayer("bn3", Layers.batchNorm(options.zeroInitResidual()));
        addShortcut(options);
    }

    public Form form() {
        return form;
    }

    /** How many paths there are: the groups of the equivalent grouped 3x3 (ResNeXt's cardinality). */
    public int groups() {
        return groups;
    }

    /** The channels of all paths' 3x3s together: the width of the equivalent grouped 3x3. */
    public int width() {
        return width;
    }

    /** The paths, each a {@link NamedSequence} named {@code 0}, {@code 1}, ... */
    public Paths paths() {
        return paths;
    }

    @Override
    public int expansion() {
        return Bottleneck.EXPANSION;
    }

    /**
     * Loads the weights and BatchNorm statistics of a grouped bottleneck (form (c)) into this block,
     * slicing them by path: path {@code i} gets channels {@code i·d .. (i+1)·d − 1} of the grouped
     * block's first 1x1, its BatchNorms and its 3x3, and (form (a)) the matching input channels of
     * its last 1x1. Afterwards both blocks compute the same outputs.
     *
     * @throws IllegalArgumentException when {@code grouped} has another shape (channels, stride,
     *     width, groups, stride placement or shortcut)
     * @throws IllegalStateException when either block has not been initialised yet
     */
    public void copyFrom(Bottleneck grouped) {
        List<String> problems = new ArrayList<>();
        if (grouped.inChannels() != inChannels() || grouped.outChannels() != outChannels()
                || grouped.stride() != stride() || grouped.width() != width) {
            problems.add(String.format("this block is %d->%d /%d with width %d, the bottleneck %d->%d /%d with width %d",
                    inChannels(), outChannels(), stride(), width, grouped.inChannels(), grouped.outChannels(),
                    grouped.stride(), grouped.width()));
        }
        long theirGroups = ((Convolution) grouped.branch().get("conv2")).getGroups();
        if (theirGroups != groups) {
            problems.add("this block has " + groups + " paths, the bottleneck's 3x3 " + theirGroups + " groups");
        }
        Shape theirFirstStride = ((Convolution) grouped.branch().get("conv1")).getStride();
        Shape ourFirstStride = ((Convolution) ((NamedSequence) paths.get("0")).get("conv1")).getStride();
        if (!theirFirstStride.equals(ourFirstStride)) {
            problems.add("the stride sits on another convolution (first 1x1 strides " + ourFirstStride + " here, "
                    + theirFirstStride + " there)");
        }
        if (grouped.isPlain() != isPlain()) {
            problems.add("one block has a shortcut and the other has none");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("cannot copy a " + grouped + " into a " + this + ": "
                    + String.join("; ", problems));
        }
        requireInitialised(grouped, "the grouped Bottleneck");
        requireInitialised(this, "this " + getClass().getSimpleName());
        PairList<String, Block> theirs = grouped.branch();
        int d = width / groups;
        for (int i = 0; i < groups; i++) {
            NDIndex rows = new NDIndex("{}:{}", i * d, (i + 1) * d);
            NamedSequence path = (NamedSequence) paths.get(String.valueOf(i));
            copy(theirs.get("conv1"), path.get("conv1"), rows);
            copy(theirs.get("bn1"), path.get("bn1"), rows);
            copy(theirs.get("conv2"), path.get("conv2"), rows);
            copy(theirs.get("bn2"), path.get("bn2"), rows);
            if (form == Form.SUMMED_PATHS) {
                copy(theirs.get("conv3"), path.get("conv3"), new NDIndex(":, {}:{}", i * d, (i + 1) * d));
            }
        }
        if (form == Form.CONCATENATED_PATHS) {
            copy(theirs.get("conv3"), branch().get("conv3"), null);
        }
        copy(theirs.get("bn3"), branch().get("bn3"), null);
        if (!isPlain()) {
            copy(grouped.shortcut().get(), shortcut().get(), null);
        }
    }

    /**
     * Copies each parameter of {@code from}, cut by {@code slice} (all of it when null), into the
     * same-named parameter of {@code to}.
     */
    private static void copy(Block from, Block to, NDIndex slice) {
        PairList<String, Parameter> source = from.getParameters();
        PairList<String, Parameter> target = to.getParameters();
        for (Pair<String, Parameter> entry : source) {
            NDArray whole = entry.getValue().getArray();
            NDArray part = slice == null ? whole : whole.get(slice);
            Parameter destination = target.get(entry.getKey());
            if (destination == null || !destination.getArray().getShape().equals(part.getShape())) {
                throw new IllegalStateException("parameter " + entry.getKey() + " " + part.getShape()
                        + " has no counterpart of that shape in " + to);
            }
            part.copyTo(destination.getArray());
            if (part != whole) {
                part.close();
            }
        }
    }

    private static void requireInitialised(Block block, String what) {
        if (!block.isInitialized()) {
            throw new IllegalStateException(what + " has no weights yet: initialise it first"
                    + " (block.initialize(manager, DataType.FLOAT32, inputShape))");
        }
    }
}
