package resnet.train;

import ai.djl.Model;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import resnet.TextTable;
import resnet.data.ImageSet;
import resnet.data.TrainingData;

/**
 * One network trained on a fixed budget and then evaluated afresh: the unit of the series'
 * comparisons (a deep against a shallow network, with and without BatchNorm, one learning rate
 * against another). Comparisons are fair only when every trial gets the same data and the same
 * {@link FitConfig} (epochs, schedule, batch, seed); the trials differ in the network alone.
 *
 * <pre>{@code
 * Trial plain = Trial.run("plain56", ResNet.build(spec.plain()), data, config, test);
 * Trial residual = Trial.run("resnet56", ResNet.build(spec), data, config, test);
 * System.out.println(Trial.table(List.of(plain, residual)));
 * }</pre>
 *
 * <p>The training error reported is a fresh pass over the training images in inference mode after
 * the last epoch, not the mean loss the fit loop saw during its last epoch: that mean mixes the
 * weights of every step of the epoch and uses each batch's own BatchNorm statistics.
 *
 * @param name what the table and the charts call it
 * @param history every completed epoch (those before a divergence, when the loss blew up)
 * @param train the fresh evaluation on the training images; null when the run diverged
 * @param test the evaluation on the test images; null when the run diverged or no test set was given
 * @param divergence why the run stopped early (the loss became NaN or infinite), or null
 * @param seconds wall time of training and evaluation
 */
public record Trial(String name, History history, Evaluation train, Evaluation test, NonFiniteLossException divergence,
        double seconds) {

    public Trial {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(history, "history");
    }

    /**
     * Trains {@code block} with {@code config} on {@code data}, then evaluates it in inference mode on
     * the training part and on {@code test}. A NaN or infinite loss does not throw: the trial records
     * where it happened ({@link #diverged()}).
     *
     * @param block an untrained network mapping images to class scores
     * @param test the test images, or null for none
     * @param listeners progress listeners (a line per epoch, a live chart), in addition to the trial's own
     * @throws UncheckedIOException when the config asks for checkpoints and they cannot be written
     */
    public static Trial run(String name, Block block, TrainingData data, FitConfig config, ImageSet test,
            FitListener... listeners) {
        long start = System.nanoTime();
        List<EpochRecord> completed = new ArrayList<>();
        try (Model model = Model.newInstance(name)) {
            model.setBlock(block);
            // the config's model name stays: a checkpoint names the network that rebuilds it
            Fit fit = new Fit(model, data, config).listen((record, history) -> completed.add(record));
            for (FitListener listener : listeners) {
                fit.listen(listener);
            }
            try {
                fit.run();
            } catch (NonFiniteLossException e) {
                return new Trial(name, new History(completed), null, null, e, (System.nanoTime() - start) / 1e9);
            } catch (IOException e) {
                throw new UncheckedIOException("trial " + name + ": " + e.getMessage(), e);
            }
            Evaluation onTrain = Evaluation.of(model, data.train(), data.normalization(), config.batchSize());
            Evaluation onTest = test == null ? null : Evaluation.of(model, test, data.normalization(), config.batchSize());
            return new Trial(name, new History(completed), onTrain, onTest, null, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * A listener that prints one line per epoch, {@code name epoch 3: running loss 0.4123, accuracy 85.20%,
     * 310 images/s} (the validation columns too when there is a validation part): enough to follow a long
     * training in a notebook without a progress bar's hundred lines.
     */
    public static FitListener epochLines(String name) {
        return (record, history) -> System.out.println(String.format(Locale.ROOT,
                "%s  epoch %d: running loss %.4f, accuracy %.2f%%%s, %.0f images/s", name, record.epoch(), record.trainLoss(),
                100 * record.trainAccuracy(), Double.isNaN(record.validLoss()) ? ""
                        : String.format(Locale.ROOT, " | validation loss %.4f, accuracy %.2f%%", record.validLoss(), 100 * record.validAccuracy()),
                record.imagesPerSecond()));
    }

    /** Whether the loss became NaN or infinite before the last epoch ended. */
    public boolean diverged() {
        return divergence != null;
    }

    /** Fraction of the training images classified wrong by the final weights, 0..1 (NaN when diverged). */
    public double trainError() {
        return train == null ? Double.NaN : 1 - train.accuracy();
    }

    /** Fraction of the test images classified wrong, 0..1 (NaN when diverged or without a test set). */
    public double testError() {
        return test == null ? Double.NaN : 1 - test.accuracy();
    }

    /** Mean cross-entropy of the final weights on the training images, in inference mode (NaN when diverged). */
    public double trainLoss() {
        return train == null ? Double.NaN : train.loss();
    }

    /** The mean training loss of the last completed epoch as the fit loop saw it (training mode, moving weights). */
    public double runningLoss() {
        return history.isEmpty() ? Double.NaN : history.last().trainLoss();
    }

    /** "diverged at epoch e, batch b" or "training loss 0.1234, error 3.21%". */
    public String outcome() {
        if (diverged()) {
            return "diverged at " + divergence.where();
        }
        return String.format(Locale.ROOT, "training loss %.4f, error %.2f%%", trainLoss(), 100 * trainError());
    }

    /**
     * One row per trial: the last epoch's running training loss, the fresh training loss and error,
     * the test error, the time. A diverged trial says where instead.
     */
    public static String table(List<Trial> trials) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"network", "running loss, last epoch", "training loss", "training error",
            "test error", "seconds"});
        for (Trial t : trials) {
            if (t.diverged()) {
                cells.add(new String[] {t.name(), t.outcome(), "", "", "", String.format(Locale.ROOT, "%.0f", t.seconds())});
                continue;
            }
            cells.add(new String[] {t.name(), String.format(Locale.ROOT, "%.4f", t.runningLoss()),
                String.format(Locale.ROOT, "%.4f", t.trainLoss()), String.format(Locale.ROOT, "%.2f%%", 100 * t.trainError()),
                t.test() == null ? "" : String.format(Locale.ROOT, "%.2f%%", 100 * t.testError()),
                String.format(Locale.ROOT, "%.0f", t.seconds())});
        }
        return TextTable.align(cells, 2, true);
    }
}
