package resnet.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import resnet.data.ImageSet;
import resnet.train.EpochRecord;
import resnet.train.History;
import resnet.train.Schedule;
import resnet.train.Spread;

/**
 * The figures of the series as images: a {@code BufferedImage} left as a cell's last expression is
 * shown by every Java kernel, and {@link #save(BufferedImage, Path)} writes it as PNG for the
 * command line.
 */
public final class Charts {

    private static final Color TRAIN = new Color(31, 119, 180);
    private static final Color VALID = new Color(255, 127, 14);
    private static final Color WRONG = new Color(214, 39, 40);

    private Charts() {}

    /** Loss (left) and accuracy in % (right) per epoch, training against validation. */
    public static BufferedImage curves(History history) {
        return curves(history, "");
    }

    /** {@link #curves(History)} with a title over both panels (e.g. the model's name). */
    public static BufferedImage curves(History history, String title) {
        double[] epochs = column(history, EpochRecord::epoch);
        XYChart loss = chart((title.isEmpty() ? "" : title + ": ") + "loss", "epoch", "cross-entropy");
        XYChart accuracy = chart((title.isEmpty() ? "" : title + ": ") + "accuracy", "epoch", "accuracy (%)");
        accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        if (history.isEmpty()) {
            return sideBySide(BitmapEncoder.getBufferedImage(loss), BitmapEncoder.getBufferedImage(accuracy));
        }
        line(loss, "train", epochs, column(history, EpochRecord::trainLoss), TRAIN);
        line(accuracy, "train", epochs, column(history, r -> 100 * r.trainAccuracy()), TRAIN);
        if (!Double.isNaN(history.epoch(1).validLoss())) {
            line(loss, "validation", epochs, column(history, EpochRecord::validLoss), VALID);
            line(accuracy, "validation", epochs, column(history, r -> 100 * r.validAccuracy()), VALID);
        }
        return sideBySide(BitmapEncoder.getBufferedImage(loss), BitmapEncoder.getBufferedImage(accuracy));
    }

    /**
     * Several runs on the same axes: training loss (left) and validation accuracy in % (right) per
     * epoch, one line per run, so that settings or strategies can be compared at a glance.
     *
     * @param runs each run's history under the name its line gets, drawn in this order
     */
    public static BufferedImage compare(Map<String, History> runs, String title) {
        String prefix = title.isEmpty() ? "" : title + ": ";
        XYChart loss = chart(prefix + "training loss", "epoch", "cross-entropy");
        XYChart accuracy = chart(prefix + "validation accuracy", "epoch", "accuracy (%)");
        accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        addRuns(loss, runs, EpochRecord::trainLoss);
        addRuns(accuracy, runs, r -> 100 * r.validAccuracy());
        return sideBySide(BitmapEncoder.getBufferedImage(loss), BitmapEncoder.getBufferedImage(accuracy));
    }

    /**
     * The mean training loss of every epoch for several runs on one set of axes, one line per run:
     * which of several networks fits its training data faster under the same budget.
     *
     * @param runs each run's history under the name its line gets, drawn in this order; a run with
     *     no completed epoch (it diverged in its first) gets no line
     * @param logScale a logarithmic loss axis, for losses that differ by orders of magnitude
     */
    public static BufferedImage trainingLoss(Map<String, History> runs, String title, boolean logScale) {
        XYChart chart = chart(title.isEmpty() ? "training loss" : title, "epoch", "mean training loss of the epoch");
        chart.getStyler().setYAxisLogarithmic(logScale);
        addRuns(chart, runs, EpochRecord::trainLoss);
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * One line per run of a per-epoch value; a run with no completed epoch, or without the value
     * (validation accuracy of a run without a validation part), gets no line.
     */
    private static void addRuns(XYChart chart, Map<String, History> runs, ToDoubleFunction<EpochRecord> value) {
        for (Map.Entry<String, History> run : runs.entrySet()) {
            History history = run.getValue();
            if (!history.isEmpty() && !Double.isNaN(value.applyAsDouble(history.epoch(1)))) {
                chart.addSeries(run.getKey(), column(history, EpochRecord::epoch), column(history, value))
                        .setMarker(SeriesMarkers.CIRCLE);
            }
        }
    }

    /**
     * Means over seeds with error bars of one standard deviation, one series per setup against a
     * shared x (depth, learning rate, width): the series' way to draw a comparison with its spread.
     * The series are drawn a little apart along x (at most 2% of the x range) so that their bars do
     * not hide one another; a point without a finite value (every seed diverged) is left out.
     *
     * @param x the x value of each point, shared by every series
     * @param series each setup's spreads, one per x, under the name its legend gets, in this order
     * @param scale multiplies every mean and sd (100 draws fractions as %)
     * @throws IllegalArgumentException when a series has not one spread per x
     */
    public static BufferedImage errorBars(String title, String xLabel, String yLabel, List<? extends Number> x,
            Map<String, List<Spread>> series, double scale) {
        XYChart chart = chart(title, xLabel, yLabel);
        // outside the plot: a legend inside would hide the points and bars in its corner
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[] xs = x.stream().mapToDouble(Number::doubleValue).toArray();
        double span = xs.length < 2 ? 1 : Arrays.stream(xs).max().getAsDouble() - Arrays.stream(xs).min().getAsDouble();
        double step = series.size() < 2 ? 0 : 0.02 * span / (series.size() - 1);
        int index = 0;
        for (Map.Entry<String, List<Spread>> entry : series.entrySet()) {
            List<Spread> spreads = entry.getValue();
            if (spreads.size() != xs.length) {
                throw new IllegalArgumentException("series '" + entry.getKey() + "' has " + spreads.size()
                        + " points for " + xs.length + " x values; give one spread per x");
            }
            double offset = (index++ - (series.size() - 1) / 2.0) * step;
            int[] kept = IntStream.range(0, xs.length).filter(i -> spreads.get(i).n() > 0).toArray();
            if (kept.length == 0) {
                continue;
            }
            double[] px = Arrays.stream(kept).mapToDouble(i -> xs[i] + offset).toArray();
            double[] py = Arrays.stream(kept).mapToDouble(i -> scale * spreads.get(i).mean()).toArray();
            double[] pe = Arrays.stream(kept).mapToDouble(i -> scale * spreads.get(i).sd()).toArray();
            chart.addSeries(entry.getKey(), px, py, pe).setMarker(SeriesMarkers.CIRCLE);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** The learning rate of each epoch's first step, as the history recorded it. */
    public static BufferedImage learningRate(History history) {
        XYChart chart = chart("learning rate", "epoch", "learning rate");
        if (!history.isEmpty()) {
            line(chart, "lr", column(history, EpochRecord::epoch), column(history, EpochRecord::learningRate), TRAIN);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Schedules side by side, step by step over {@code epochs} with {@code stepsPerEpoch} steps an
     * epoch: what the fit loop would set before each step.
     */
    public static BufferedImage schedules(Map<String, Schedule> schedules, int epochs, int stepsPerEpoch) {
        XYChart chart = chart("learning-rate schedules", "epoch", "learning rate");
        int n = epochs * stepsPerEpoch;
        for (Map.Entry<String, Schedule> entry : schedules.entrySet()) {
            double[] x = new double[n];
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (double) i / stepsPerEpoch;
                y[i] = entry.getValue().at(x[i]);
            }
            chart.addSeries(entry.getKey(), x, y).setMarker(SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Images in a grid, each captioned with its true label and, when {@code predicted} is given, the
     * prediction; a wrong prediction gets a red frame and a red caption.
     *
     * @param indices which images of {@code set}
     * @param predicted the predicted class of each of {@code indices} (same length), or null
     * @param columns images per row
     */
    public static BufferedImage imageGrid(ImageSet set, int[] indices, int[] predicted, int columns) {
        if (predicted != null && predicted.length != indices.length) {
            throw new IllegalArgumentException("predicted has " + predicted.length + " entries for " + indices.length + " images");
        }
        if (columns <= 0) {
            throw new IllegalArgumentException("columns must be positive, got " + columns);
        }
        int scale = Math.max(1, 96 / Math.max(set.height(), set.width()));
        int cellW = Math.max(set.width() * scale, 110) + 10;
        int captionH = predicted == null ? 18 : 32;
        int cellH = set.height() * scale + captionH + 10;
        int rows = Math.max(1, (indices.length + columns - 1) / columns);
        BufferedImage image = new BufferedImage(columns * cellW, rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            int x0 = (k % columns) * cellW + (cellW - set.width() * scale) / 2;
            int y0 = (k / columns) * cellH + 5;
            g.drawImage(toImage(set, i), x0, y0, set.width() * scale, set.height() * scale, null);
            boolean wrong = predicted != null && predicted[k] != set.label(i);
            if (wrong) {
                g.setColor(WRONG);
                g.setStroke(new BasicStroke(3));
                g.drawRect(x0 - 2, y0 - 2, set.width() * scale + 3, set.height() * scale + 3);
            }
            int textY = y0 + set.height() * scale + 14;
            int cx = (k % columns) * cellW + cellW / 2;
            g.setColor(Color.DARK_GRAY);
            centred(g, "true: " + set.classes().get(set.label(i)), cx, textY);
            if (predicted != null) {
                g.setColor(wrong ? WRONG : new Color(44, 160, 44));
                centred(g, "pred: " + set.classes().get(predicted[k]), cx, textY + 14);
            }
        }
        g.dispose();
        return image;
    }

    /** One image of a set as a picture (grey or RGB). */
    public static BufferedImage toImage(ImageSet set, int i) {
        BufferedImage image = new BufferedImage(set.width(), set.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < set.height(); y++) {
            for (int x = 0; x < set.width(); x++) {
                int r = set.pixel(i, 0, y, x);
                int gr = set.channels() >= 3 ? set.pixel(i, 1, y, x) : r;
                int b = set.channels() >= 3 ? set.pixel(i, 2, y, x) : r;
                image.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        return image;
    }

    /**
     * A confusion matrix as a heat map: row = true class, column = predicted class, each cell
     * coloured by the square root of its share of the row (blue on the diagonal, red off it) and
     * labelled with its count.
     *
     * @param counts counts[true][predicted], square, one row per class
     */
    public static BufferedImage confusionMatrix(int[][] counts, List<String> classes) {
        int k = counts.length;
        if (k == 0 || classes.size() != k) {
            throw new IllegalArgumentException("counts must be square with one row per class: " + k + " rows, " + classes.size() + " classes");
        }
        for (int[] row : counts) {
            if (row.length != k) {
                throw new IllegalArgumentException("counts must be square: a row has " + row.length + " entries, expected " + k);
            }
        }
        int cell = 52;
        int left = 110;
        int top = 40;
        int bottom = 100;
        BufferedImage image = new BufferedImage(left + k * cell + 20, top + k * cell + bottom, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        centred(g, "confusion matrix (rows: true class, columns: predicted)", image.getWidth() / 2, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < k; i++) {
            int total = Arrays.stream(counts[i]).sum();
            for (int j = 0; j < k; j++) {
                double share = total == 0 ? 0 : (double) counts[i][j] / total;
                // square root: a 1% confusion is still visible next to a 90% diagonal
                int shade = (int) Math.round(255 * (1 - Math.sqrt(share)));
                g.setColor(i == j ? new Color(shade, shade, 255) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                centred(g, String.valueOf(counts[i][j]), left + j * cell + cell / 2, top + i * cell + cell / 2 + 4);
            }
            g.setColor(Color.BLACK);
            String name = shorten(classes.get(i), 15);
            g.drawString(name, left - 6 - g.getFontMetrics().stringWidth(name), top + i * cell + cell / 2 + 4);
        }
        for (int j = 0; j < k; j++) {
            Graphics2D rotated = (Graphics2D) g.create();
            rotated.translate(left + j * cell + cell / 2 + 4, top + k * cell + 6);
            rotated.rotate(Math.PI / 2);
            rotated.drawString(shorten(classes.get(j), 15), 0, 0);
            rotated.dispose();
        }
        g.setColor(Color.GRAY);
        g.drawRect(left, top, k * cell, k * cell);
        g.dispose();
        return image;
    }

    /**
     * Test accuracy (%) against training minutes: one series of points per recipe (each point one
     * run), and each reference result as a dashed horizontal line across the chart, for results that
     * have no minutes on this machine (published numbers).
     *
     * @param runs recipe name → its runs' (minutes, accuracy in %) pairs
     * @param references label → accuracy in %
     * @throws IllegalArgumentException when there is no run, or a point is not finite
     */
    public static BufferedImage accuracyAgainstMinutes(String title, Map<String, List<double[]>> runs,
            Map<String, Double> references) {
        if (runs.values().stream().allMatch(List::isEmpty)) {
            throw new IllegalArgumentException("no runs to draw");
        }
        XYChart chart = new XYChartBuilder().width(760).height(440).title(title).xAxisTitle("training minutes (2 cores)")
                .yAxisTitle("test accuracy (%)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double maxMinutes = 0;
        double lowest = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, List<double[]>> entry : runs.entrySet()) {
            if (entry.getValue().isEmpty()) {
                continue;
            }
            double[] x = entry.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = entry.getValue().stream().mapToDouble(p -> p[1]).toArray();
            for (int i = 0; i < x.length; i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                    throw new IllegalArgumentException("run " + (i + 1) + " of '" + entry.getKey() + "' has no finite"
                            + " minutes and accuracy: " + x[i] + ", " + y[i]);
                }
                maxMinutes = Math.max(maxMinutes, x[i]);
                lowest = Math.min(lowest, y[i]);
            }
            XYSeries series = chart.addSeries(entry.getKey(), x, y);
            series.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        double right = Math.ceil(maxMinutes * 1.1 / 10) * 10;
        for (Map.Entry<String, Double> reference : references.entrySet()) {
            XYSeries line = chart.addSeries(reference.getKey(), new double[] {0, right},
                    new double[] {reference.getValue(), reference.getValue()});
            line.setMarker(SeriesMarkers.NONE);
            line.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {6, 4}, 0));
            lowest = Math.min(lowest, reference.getValue());
        }
        if (right >= 60) {
            XYSeries hour = chart.addSeries("one hour", new double[] {60, 60},
                    new double[] {Math.floor(lowest - 0.5), Math.ceil(chart.getSeriesMap().values().stream()
                            .mapToDouble(XYSeries::getYMax).max().orElse(100))});
            hour.setMarker(SeriesMarkers.NONE);
            hour.setLineColor(Color.GRAY);
            hour.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {2, 3}, 0));
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(right);
        chart.getStyler().setYAxisMin(Math.floor(lowest - 0.5));
        chart.getStyler().setYAxisDecimalPattern("0.0");
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Writes an image as PNG, making the folder if needed. */
    public static void save(BufferedImage image, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    private static void centred(Graphics2D g, String text, int cx, int y) {
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(text, cx - metrics.stringWidth(text) / 2, y);
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(520).height(360).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void line(XYChart chart, String name, double[] x, double[] y, Color color) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(SeriesMarkers.CIRCLE);
    }

    private static double[] column(History history, ToDoubleFunction<EpochRecord> field) {
        return history.epochs().stream().mapToDouble(field).toArray();
    }

    private static BufferedImage sideBySide(BufferedImage a, BufferedImage b) {
        BufferedImage image = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(image);
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return image;
    }
}
