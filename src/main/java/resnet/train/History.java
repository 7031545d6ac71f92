package resnet.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Every epoch of a run, in order: the numbers the curves are drawn from and the CSV a run leaves
 * behind ({@code epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,images_per_s}).
 */
public final class History {

    /** The CSV header, one column per field of {@link EpochRecord}. */
    public static final String HEADER = "epoch,train_loss,train_acc,valid_loss,valid_acc,lr,seconds,images_per_s";

    private final List<EpochRecord> epochs = new ArrayList<>();

    public History() {}

    public History(List<EpochRecord> records) {
        records.forEach(this::add);
    }

    /** Appends an epoch; epochs must come in order 1, 2, 3 .. */
    public void add(EpochRecord record) {
        if (record.epoch() != epochs.size() + 1) {
            throw new IllegalArgumentException("expected epoch " + (epochs.size() + 1) + ", got " + record.epoch());
        }
        epochs.add(record);
    }

    public List<EpochRecord> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

    public boolean isEmpty() {
        return epochs.isEmpty();
    }

    /** The last epoch, or null when there is none. */
    public EpochRecord last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }

    /** Epoch {@code epoch}, counted from 1. */
    public EpochRecord epoch(int epoch) {
        return epochs.get(epoch - 1);
    }

    /**
     * The highest validation accuracy of any epoch: what early stopping and {@code best.ckpt} pick
     * by, and so the number to choose a run or a learning rate with. NaN when no epoch was validated.
     */
    public double bestValidAccuracy() {
        return epochs.stream().mapToDouble(EpochRecord::validAccuracy).filter(v -> !Double.isNaN(v))
                .max().orElse(Double.NaN);
    }

    /** The records with their timing set to 0: two runs that compute the same have equal lists. */
    public List<EpochRecord> withoutTiming() {
        return epochs.stream().map(EpochRecord::withoutTiming).toList();
    }

    /**
     * As a Tablesaw table, one row per epoch, accuracies in %. The columns hold every digit; printing
     * rounds them (4 decimals for losses, 2 for accuracies, 5 for the rate, none for images/s).
     */
    public Table table() {
        int n = epochs.size();
        return Table.create("history",
                IntColumn.create("epoch", epochs.stream().mapToInt(EpochRecord::epoch).toArray()),
                column("train loss", n, 1, "trainLoss", 4),
                column("train acc %", n, 100, "trainAccuracy", 2),
                column("valid loss", n, 1, "validLoss", 4),
                column("valid acc %", n, 100, "validAccuracy", 2),
                column("lr", n, 1, "learningRate", 5),
                column("seconds", n, 1, "seconds", 1),
                column("images/s", n, 1, "imagesPerSecond", 0));
    }

    private DoubleColumn column(String name, int n, double scale, String field, int decimals) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = scale * value(epochs.get(i), field);
        }
        DoubleColumn column = DoubleColumn.create(name, values);
        column.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(decimals));
        return column;
    }

    private static double value(EpochRecord r, String field) {
        return switch (field) {
            case "trainLoss" -> r.trainLoss();
            case "trainAccuracy" -> r.trainAccuracy();
            case "validLoss" -> r.validLoss();
            case "validAccuracy" -> r.validAccuracy();
            case "learningRate" -> r.learningRate();
            case "seconds" -> r.seconds();
            case "imagesPerSecond" -> r.imagesPerSecond();
            default -> throw new IllegalArgumentException(field);
        };
    }

    /** The CSV text: the header, then one line per epoch with every digit of each double. */
    public String toCsv() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (EpochRecord r : epochs) {
            text.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s,%s,%s%n", r.epoch(), r.trainLoss(), r.trainAccuracy(),
                    r.validLoss(), r.validAccuracy(), r.learningRate(), r.seconds(), r.imagesPerSecond()));
        }
        return text.toString();
    }

    /** Writes the CSV, replacing {@code file} in one move so that a reader never sees half a file. */
    public void save(Path file) throws IOException {
        Checkpoint.writeAtomically(file, toCsv().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a CSV written by {@link #save(Path)}.
     *
     * @throws IOException naming the file and line when it is not such a CSV
     */
    public static History load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new IOException(file + " is not a history CSV: its first line should be '" + HEADER + "'");
        }
        History history = new History();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",");
            try {
                history.add(new EpochRecord(Integer.parseInt(f[0]), d(f[1]), d(f[2]), d(f[3]), d(f[4]), d(f[5]), d(f[6]), d(f[7])));
            } catch (RuntimeException e) {
                throw new IOException(file + " line " + (i + 1) + " is not an epoch record: '" + line + "' (" + e.getMessage() + ")", e);
            }
        }
        return history;
    }

    private static double d(String text) {
        return Double.parseDouble(text);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        epochs.forEach(r -> text.append(r).append('\n'));
        return text.toString();
    }
}
