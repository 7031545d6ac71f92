package resnet.inspect;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import resnet.TextTable;
import resnet.blocks.NamedSequence;
import resnet.blocks.Op;
import resnet.blocks.Paths;
import resnet.blocks.ResidualBlock;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Output shape, learnable parameters and multiply-accumulates of a network, part by part, for one
 * image.
 *
 * <pre>{@code
 * Summary s = Summary.of(ResNet.resnet50(1000), new Shape(3, 224, 224));
 * System.out.println(s);             // stem, layer1..layer4, pool, fc, total
 * s.parameters();                    // 25,557,032, as torchvision counts them
 * s.macs();                          // 4,089,184,256: torchvision's "4.09 GFLOPS"
 * Summary.perBlock(net, shape);      // one row per residual block: a shape trace
 * }</pre>
 *
 * <p>MACs count the convolutions (H_out · W_out · k_h · k_w · C_in/groups · C_out each) and the fully
 * connected layer (in · out), the multiplications that dominate the cost; BatchNorm, ReLU, the
 * additions and pooling are left out, as torchvision leaves them out of its "GFLOPS" column, which
 * despite its name counts multiply-accumulates.
 *
 * <p>It works for any block built from sequences, residual blocks, {@link Paths} and single layers:
 * a whole network, a plain twin, one {@code Bottleneck}, a ResNeXt block drawn as 32 paths. Shapes come from shape inference, never from running the
 * network. DJL learns parameter shapes only when a block is initialised, so an uninitialised block is
 * initialised for the count on a temporary manager and given back without arrays.
 */
public final class Summary {

    /**
     * One part of the network.
     *
     * @param name its path, e.g. {@code layer2} or {@code layer2.0.conv1}
     * @param type what it is, e.g. {@code 4 x Bottleneck} or {@code conv 3x3/2}
     * @param output its output shape for one image (no batch axis)
     * @param parameters its learnable parameters
     * @param macs its multiply-accumulates for one image
     */
    public record Row(String name, String type, Shape output, long parameters, long macs) {}

    private final Shape input;
    private final Shape output;
    private final List<Row> rows;
    private final long parameters;
    private final long macs;

    private Summary(Shape input, Shape output, List<Row> rows, long parameters, long macs) {
        this.input = input;
        this.output = output;
        this.rows = List.copyOf(rows);
        this.parameters = parameters;
        this.macs = macs;
    }

    /** One row per direct part: stem, each stage, pool, head (or a block's layers and shortcut). */
    public static Summary of(Block block, Shape input) {
        return of(block, input, 1);
    }

    /** One row per residual block (and per stem layer): the shape trace of a network. */
    public static Summary perBlock(Block block, Shape input) {
        return of(block, input, 2);
    }

    /**
     * Rows {@code depth} levels down the tree of parts: 1 for stages, 2 for blocks, 3 for layers.
     *
     * @param input one image's shape (channels, height, width)
     * @throws IllegalArgumentException when the input does not fit the block (checked before any
     *     native call), or when a part cannot be traced (a block with children that is neither a
     *     sequence, a residual block nor {@link Paths})
     */
    public static Summary of(Block block, Shape input, int depth) {
        checkImage(input);
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1, got " + depth);
        }
        Shape[] batch = {new Shape(1).addAll(input)};
        block.getOutputShapes(batch); // the blocks check the input here, before any array is made
        // DJL sets parameter shapes from the input when it initialises; a block without all its arrays
        // (never initialised, or with a new head) is initialised here and its borrowed arrays closed after.
        List<Parameter> unset = block.getParameters().values().stream().filter(p -> !p.isInitialized()).toList();
        NDManager manager = unset.isEmpty() ? null : NDManager.newBaseManager();
        try {
            if (manager != null) {
                block.initialize(manager, DataType.FLOAT32, batch);
            }
            List<Row> rows = new ArrayList<>();
            Step whole = walk("", block, batch, depth, rows);
            return new Summary(input, oneImage(whole.out()[0]), rows, Parameters.learnable(block), whole.macs());
        } finally {
            if (manager != null) {
                // Closing the borrowed arrays leaves the parameters as they were (shape known, no array),
                // so a later Trainer initialises the block on its own device as if nothing had happened.
                unset.forEach(Parameter::close);
                manager.close();
            }
        }
    }

    /** Rejects a shape that is not one image's (channels, height, width), all positive. */
    static void checkImage(Shape image) {
        if (image.dimension() != 3 || LongStream.of(image.getShape()).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException(
                    "give one image's shape as (channels, height, width), all positive, got " + image);
        }
    }

    /** The input shape (channels, height, width). */
    public Shape input() {
        return input;
    }

    /** The output shape for one image. */
    public Shape output() {
        return output;
    }

    /** The parts, in the order they run (a shortcut after its branch). */
    public List<Row> rows() {
        return rows;
    }

    /** All learnable parameters (BatchNorm running statistics excluded). */
    public long parameters() {
        return parameters;
    }

    /** All multiply-accumulates of convolutions and fully connected layers, for one image. */
    public long macs() {
        return macs;
    }

    /** The rows and a last {@code total} row, as a table (columns layer, type, output, parameters, MACs). */
    public Table table() {
        StringColumn name = StringColumn.create("layer");
        StringColumn type = StringColumn.create("type");
        StringColumn out = StringColumn.create("output");
        LongColumn params = LongColumn.create("parameters");
        LongColumn mac = LongColumn.create("MACs");
        for (Row row : rowsAndTotal()) {
            name.append(row.name());
            type.append(row.type());
            out.append(format(row.output()));
            params.append(row.parameters());
            mac.append(row.macs());
        }
        return Table.create("summary, input " + format(input), name, type, out, params, mac);
    }

    /** The table as aligned text, numbers with thousands separators. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"layer", "type", "output", "parameters", "MACs"});
        cells.add(new String[] {"input", "", format(input), "", ""});
        for (Row row : rowsAndTotal()) {
            cells.add(new String[] {row.name(), row.type(), format(row.output()),
                String.format(Locale.ROOT, "%,d", row.parameters()), String.format(Locale.ROOT, "%,d", row.macs())});
        }
        return TextTable.align(cells, 3, false);
    }

    private List<Row> rowsAndTotal() {
        List<Row> all = new ArrayList<>(rows);
        all.add(new Row("total", "", output, parameters, macs));
        return all;
    }

    /** Output shapes and multiply-accumulates of a part. */
    private record Step(Shape[] out, long macs) {}

    /**
     * Traces {@code block} on {@code in}; adds a row for it when {@code depth} is 0 or it has no
     * parts, else lets its parts add theirs one level further down. {@code rows} is null inside a
     * part that already has its row.
     */
    private static Step walk(String name, Block block, Shape[] in, int depth, List<Row> rows) {
        if (block instanceof Paths paths) {
            return walkPaths(name, paths, in, depth, rows);
        }
        PairList<String, Block> chain = partsOf(block);
        Step step;
        if (chain == null) {
            Shape[] out = block.getOutputShapes(in);
            step = new Step(out, macsOf(block, in[0], out[0]));
        } else {
            List<Row> inner = rows != null && depth > 0 ? rows : null;
            Shape[] shapes = in;
            long total = 0;
            for (Pair<String, Block> part : chain) {
                Step s = walk(join(name, part.getKey()), part.getValue(), shapes, depth - 1, inner);
                shapes = s.out();
                total += s.macs();
            }
            if (block instanceof ResidualBlock residual && residual.shortcut().isPresent()) {
                // the shortcut reads the block's input, not the branch's output
                total += walk(join(name, "shortcut"), residual.shortcut().get(), in, depth - 1, inner).macs();
            }
            step = new Step(shapes, total);
        }
        if (rows != null && (depth == 0 || chain == null)) {
            rows.add(new Row(name.isEmpty() ? describe(block) : name, describe(block), oneImage(step.out()[0]),
                    Parameters.learnable(block), step.macs()));
        }
        return step;
    }

    /** Like {@link #walk}, for paths that all read the same input {@code in}. */
    private static Step walkPaths(String name, Paths paths, Shape[] in, int depth, List<Row> rows) {
        List<Row> inner = rows != null && depth > 0 ? rows : null;
        long total = 0;
        for (Pair<String, Block> path : paths.paths()) {
            total += walk(join(name, path.getKey()), path.getValue(), in, depth - 1, inner).macs();
        }
        Step step = new Step(paths.getOutputShapes(in), total);
        if (rows != null && depth == 0) {
            rows.add(new Row(name, describe(paths), oneImage(step.out()[0]), Parameters.learnable(paths), total));
        }
        return step;
    }

    /** The parts that run one after another, or null for a single layer. */
    private static PairList<String, Block> partsOf(Block block) {
        if (block instanceof ResidualBlock residual) {
            return residual.branch();
        }
        if (block.getChildren().isEmpty()) {
            return null;
        }
        if (block instanceof NamedSequence) {
            return block.getChildren();
        }
        if (block instanceof SequentialBlock) {
            PairList<String, Block> parts = new PairList<>();
            for (Pair<String, Block> child : block.getChildren()) {
                parts.add(child.getKey().substring(2), child.getValue()); // DJL numbers them: 01Linear
            }
            return parts;
        }
        throw new IllegalArgumentException("cannot trace shapes through a " + block.getClass().getSimpleName()
                + ": the summary knows sequences, residual blocks, paths and single layers");
    }

    private static long macsOf(Block layer, Shape in, Shape out) {
        if (layer instanceof Convolution conv) {
            long perPosition = conv.getKernelShape().size() * (in.get(1) / conv.getGroups()) * conv.getFilters();
            return out.slice(2).size() * perPosition;
        }
        if (layer instanceof Linear) {
            return out.size() * in.get(in.dimension() - 1);
        }
        return 0;
    }

    /** What a part is, as a row's type shows it: {@code conv 3x3/2}, {@code batchnorm}, {@code 2 x BasicBlock}. */
    static String describe(Block block) {
        if (block instanceof Convolution conv) {
            Shape k = conv.getKernelShape();
            return "conv " + k.get(0) + "x" + k.get(1) + (conv.getStride().get(0) == 1 ? "" : "/" + conv.getStride().get(0))
                    + (conv.getGroups() == 1 ? "" : " g" + conv.getGroups());
        }
        if (block instanceof BatchNorm) {
            return "batchnorm";
        }
        if (block instanceof Linear) {
            return "linear";
        }
        if (block instanceof Op || block instanceof ResidualBlock || block instanceof Paths) {
            return block.toString();
        }
        if (block instanceof LambdaBlock lambda) {
            return lambda.getName();
        }
        List<Block> parts = block.getChildren().values();
        if (!parts.isEmpty() && parts.stream().allMatch(ResidualBlock.class::isInstance)) {
            return parts.size() + " x " + parts.get(0).getClass().getSimpleName();
        }
        if (!parts.isEmpty()) {
            return parts.stream().map(Summary::describe).collect(Collectors.joining(", "));
        }
        return block.getClass().getSimpleName();
    }

    private static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    private static Shape oneImage(Shape batched) {
        return batched.slice(1);
    }

    private static String format(Shape shape) {
        return CostTable.shape(shape);
    }
}
