package resnet.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for the console: one line per epoch that redraws itself in place on a terminal
 * ({@code \r}); elsewhere (a log file, a notebook) a line every tenth of an epoch. Ends each epoch
 * with its {@link EpochRecord}.
 */
public final class ConsoleProgress implements FitListener {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean inPlace;
    private int lastTenth = -1;

    /** To standard output, in place when it is a terminal. */
    public ConsoleProgress() {
        this(System.out, System.console() != null);
    }

    /** The time budget's plan, printed after its epoch's line. */
    private String plan;

    /** @param inPlace redraw one line with {@code \r} (a terminal) or print new lines (logs) */
    public ConsoleProgress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    @Override
    public void onStart(int firstEpoch, int epochs) {
        if (firstEpoch > 1) {
            out.println("resuming at epoch " + firstEpoch + " of " + epochs);
        }
    }

    @Override
    public void onBatch(BatchProgress p) {
        int tenth = p.batch() * 10 / p.batches();
        if (!inPlace && tenth == lastTenth) {
            return;
        }
        lastTenth = tenth;
        int filled = p.batch() * WIDTH / p.batches();
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s%s] %d/%d  loss %.4f  acc %.2f%%  lr %.4g  %.0f images/s",
                p.epoch(), p.epochs(), "=".repeat(filled), " ".repeat(WIDTH - filled), p.batch(), p.batches(),
                p.loss(), 100 * p.accuracy(), p.learningRate(), p.imagesPerSecond());
        if (inPlace) {
            out.print("\r" + line);
        } else if (p.batch() < p.batches()) {
            out.println(line);
        }
        out.flush();
    }

    /** Printed after the epoch's own line. */
    @Override
    public void onPlan(int epoch, TimeBudget.Plan plan) {
        this.plan = plan.describe(epoch);
    }

    @Override
    public void onEpoch(EpochRecord record, History history) {
        if (inPlace) {
            out.print("\r\033[K");
        }
        out.println(record);
        if (plan != null) {
            out.println(plan);
            plan = null;
        }
        lastTenth = -1;
    }
}
