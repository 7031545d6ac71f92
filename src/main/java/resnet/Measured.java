package resnet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The "What we measured" table that ends every notebook: each quantity next to the value this run
 * computed for it.
 *
 * <pre>{@code
 * Measured measured = new Measured();
 * measured.add("max |J_block - (I + J_branch)|", "%.2e", gap);
 * measured.add("ResNet-18 height and width", "224 -> 112 -> 56 -> 28 -> 14 -> 7");
 * System.out.println(measured);
 * }</pre>
 *
 * <p>A notebook fills it only from variables its cells computed, so the table cannot state a number
 * the run did not produce.
 */
public final class Measured {

    /** One line of the table. */
    public record Row(String quantity, String value) {}

    private final List<Row> rows = new ArrayList<>();

    /**
     * Adds a quantity and its value as text.
     *
     * @return this table, so that calls chain
     * @throws IllegalArgumentException when the quantity is blank or the value is null
     */
    public Measured add(String quantity, String value) {
        if (quantity == null || quantity.isBlank()) {
            throw new IllegalArgumentException("a measured row needs a quantity, got '" + quantity + "'");
        }
        if (value == null) {
            throw new IllegalArgumentException("the measured row '" + quantity + "' has no value");
        }
        rows.add(new Row(quantity, value));
        return this;
    }

    /** Adds a quantity with its value formatted by {@link String#format} in the root locale (a dot for decimals). */
    public Measured add(String quantity, String format, Object... values) {
        return add(quantity, String.format(Locale.ROOT, format, values));
    }

    /** The rows, in the order they were added. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Two aligned columns, "quantity" and "this run", under a rule. */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"quantity", "this run"});
        for (Row row : rows) {
            cells.add(new String[] {row.quantity(), row.value()});
        }
        return TextTable.align(cells, 1, true);
    }
}
