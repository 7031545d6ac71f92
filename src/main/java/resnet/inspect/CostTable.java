package resnet.inspect;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Blocks side by side: input, output, learnable parameters and multiply-accumulates of each, one
 * row per block, every number from {@link Summary}.
 *
 * <pre>{@code
 * Table t = CostTable.titled("one block at 256 channels", "block")
 *         .add("BasicBlock", new BasicBlock(256, 256, 1), new Shape(256, 56, 56))
 *         .add("Bottleneck", new Bottleneck(256, 64, 1), new Shape(256, 56, 56))
 *         .table();
 * System.out.println(t.print());
 * }</pre>
 *
 * <p>The columns {@code parameters} and {@code MACs} print with thousands separators and nothing
 * else, and a table prints under its title; a test of the series reads the tables that a stored
 * notebook printed and checks every such row against a fresh summary.
 */
public final class CostTable {

    /** The name of the parameter column, in every table of costs. */
    public static final String PARAMETERS = "parameters";
    /** The name of the multiply-accumulate column, in every table of costs. */
    public static final String MACS = "MACs";

    private final Table table;
    private final StringColumn label;
    private final StringColumn input = StringColumn.create("input");
    private final StringColumn output = StringColumn.create("output");
    private final LongColumn parameters = countColumn(PARAMETERS);
    private final LongColumn macs = countColumn(MACS);

    private CostTable(String title, String labelHeader) {
        label = StringColumn.create(labelHeader);
        table = Table.create(title, label, input, output, parameters, macs);
    }

    /**
     * An empty table.
     *
     * @param title printed above the table; name each table of a notebook differently
     * @param labelHeader the header of the first column, e.g. {@code block}
     */
    public static CostTable titled(String title, String labelHeader) {
        if (title == null || title.isBlank() || labelHeader == null || labelHeader.isBlank()) {
            throw new IllegalArgumentException("a cost table needs a title and a label header, got '" + title
                    + "' and '" + labelHeader + "'");
        }
        return new CostTable(title, labelHeader);
    }

    /** Adds the summary of {@code block} for one image of shape {@code image} under {@code name}. */
    public CostTable add(String name, Block block, Shape image) {
        return add(name, Summary.of(block, image));
    }

    /** Adds a summary made elsewhere under {@code name}. */
    public CostTable add(String name, Summary summary) {
        label.append(name);
        input.append(shape(summary.input()));
        output.append(shape(summary.output()));
        parameters.append(summary.parameters());
        macs.append(summary.macs());
        return this;
    }

    /** The rows so far, as a Tablesaw table (columns label, input, output, parameters, MACs). */
    public Table table() {
        return table;
    }

    /** A column of counts that prints with thousands separators: how cost columns print in this series. */
    public static LongColumn countColumn(String name) {
        LongColumn column = LongColumn.create(name);
        column.setPrintFormatter(NumberColumnFormatter.intsWithGrouping());
        return column;
    }

    /** A shape as {@code 256x56x56}. */
    public static String shape(Shape shape) {
        return LongStream.of(shape.getShape()).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
