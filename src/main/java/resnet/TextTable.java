package resnet;

import java.util.List;

/**
 * Rows of cells as aligned plain text: how the library prints its tables (a summary, gradient norms,
 * a notebook's "What we measured"), so that they line up in a notebook's text output.
 */
public final class TextTable {

    private TextTable() {}

    /**
     * Pads every column to its widest cell, two spaces apart; the first {@code leftAligned} columns
     * are aligned left (names), the rest right (numbers). Each line ends in a newline, without
     * trailing blanks.
     *
     * @param lines the rows, the header first; all of the same length
     * @param ruleUnderHeader whether a line of dashes separates the first row from the others
     * @throws IllegalArgumentException when there are no rows or the rows differ in length
     */
    public static String align(List<String[]> lines, int leftAligned, boolean ruleUnderHeader) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a table needs at least one row, got none");
        }
        int columns = lines.get(0).length;
        int[] widths = new int[columns];
        for (String[] line : lines) {
            if (line.length != columns) {
                throw new IllegalArgumentException(
                        "every row needs " + columns + " cells, as the first has; got one with " + line.length);
            }
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (int r = 0; r < lines.size(); r++) {
            text.append(row(lines.get(r), widths, leftAligned));
            if (r == 0 && ruleUnderHeader) {
                String[] rule = new String[columns];
                for (int i = 0; i < columns; i++) {
                    rule[i] = "-".repeat(widths[i]);
                }
                text.append(row(rule, widths, leftAligned));
            }
        }
        return text.toString();
    }

    private static String row(String[] cells, int[] widths, int leftAligned) {
        StringBuilder row = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String pad = " ".repeat(widths[i] - cells[i].length());
            row.append(i == 0 ? "" : "  ").append(i < leftAligned ? cells[i] + pad : pad + cells[i]);
        }
        return row.toString().stripTrailing() + "\n";
    }
}
