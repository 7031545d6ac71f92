package resnet.inspect;

import java.util.List;

/** Rows of cells as aligned plain text, the way the inspect classes print themselves. */
final class TextTable {

    private TextTable() {}

    /**
     * Pads every column to its widest cell, two spaces apart; the first {@code leftAligned} columns
     * are aligned left (names), the rest right (numbers). Each line ends in a newline, without trailing blanks.
     */
    static String align(List<String[]> lines, int leftAligned) {
        int columns = lines.get(0).length;
        int[] widths = new int[columns];
        for (String[] line : lines) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder text = new StringBuilder();
        for (String[] line : lines) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                String cell = line[i];
                String pad = " ".repeat(widths[i] - cell.length());
                row.append(i == 0 ? "" : "  ").append(i < leftAligned ? cell + pad : pad + cell);
            }
            text.append(row.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }
}
