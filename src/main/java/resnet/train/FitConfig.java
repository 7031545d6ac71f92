package resnet.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How to train: epochs, batch size, optimiser, learning-rate schedule, seed, early stopping,
 * checkpoints. A value; change it with the {@code with...} methods.
 *
 * <pre>{@code
 * FitConfig config = FitConfig.of(8, Schedule.oneCycle(0.1, 8, 1))
 *         .withBatchSize(128)
 *         .withOptimizer(OptimizerSettings.sgd(0.9, 5e-4, true))
 *         .withCheckpoints(Path.of("runs/resnet20"));
 * }</pre>
 *
 * @param epochs epochs to run (fewer when early stopping ends the run)
 * @param batchSize images per step (split across devices when there are several)
 * @param optimizer SGD or Adam and their settings
 * @param schedule the learning rate over the run
 * @param seed one seed for initialisation, split, data order and augmentation
 * @param patience epochs without improvement that stop the run; 0 never stops early
 * @param monitor what "improvement" means
 * @param checkpointDir where {@code last.ckpt}, {@code best.ckpt} and {@code history.csv} go; null for none
 * @param resume continue from {@code checkpointDir/last.ckpt} when it exists
 * @param restoreBest put the best epoch's weights back into the model at the end
 * @param modelName recorded in checkpoints, so that a checkpoint can rebuild its model ({@code resnet20})
 * @param metadata anything else a checkpoint should record (data set, validation ratio, limit);
 *     resuming checks it as it checks the settings
 * @param labelSmoothing the training loss's label smoothing ({@link LabelSmoothing}); 0 is plain
 *     cross-entropy (validation always uses plain cross-entropy)
 */
public record FitConfig(int epochs, int batchSize, OptimizerSettings optimizer, Schedule schedule, long seed, int patience,
        EarlyStopping.Monitor monitor, Path checkpointDir, boolean resume, boolean restoreBest, String modelName,
        Map<String, String> metadata, double labelSmoothing) {

    public FitConfig {
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (optimizer == null || schedule == null || monitor == null) {
            throw new IllegalArgumentException("optimizer, schedule and monitor are required");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be 0 (off) or more epochs, got " + patience);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be at least 0 and below 1, got " + labelSmoothing);
        }
        metadata = Map.copyOf(metadata);
    }

    /**
     * {@code epochs} epochs on {@code schedule} with the rest as the CIFAR recipe has it: batch 128,
     * SGD with Nesterov momentum 0.9 and weight decay 5e-4, seed 42, no early stopping, no checkpoints.
     */
    public static FitConfig of(int epochs, Schedule schedule) {
        return new FitConfig(epochs, 128, OptimizerSettings.sgd(0.9, 5e-4, true), schedule, 42, 0,
                EarlyStopping.Monitor.VALID_ACCURACY, null, false, true, "model", Map.of(), 0);
    }

    public FitConfig withEpochs(int epochs) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withBatchSize(int batchSize) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withOptimizer(OptimizerSettings optimizer) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withSchedule(Schedule schedule) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withSeed(long seed) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    /** Early stopping after {@code patience} epochs without improvement of {@code monitor}. */
    public FitConfig withEarlyStopping(int patience, EarlyStopping.Monitor monitor) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withCheckpoints(Path checkpointDir) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withResume(boolean resume) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withRestoreBest(boolean restoreBest) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withModelName(String modelName) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    public FitConfig withMetadata(Map<String, String> metadata) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    /** Label smoothing {@code epsilon} in the training loss (0: plain cross-entropy). */
    public FitConfig withLabelSmoothing(double labelSmoothing) {
        return new FitConfig(epochs, batchSize, optimizer, schedule, seed, patience, monitor, checkpointDir, resume, restoreBest, modelName, metadata, labelSmoothing);
    }

    /** Everything that decides what the run computes, as text: a resumed run must match it. */
    public Map<String, String> settings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", modelName);
        settings.put("epochs", String.valueOf(epochs));
        settings.put("batch", String.valueOf(batchSize));
        settings.put("optimizer", optimizer.toString());
        settings.put("schedule", schedule.toString());
        settings.put("seed", String.valueOf(seed));
        settings.put("early stopping", patience + " on " + monitor);
        if (labelSmoothing > 0) {
            // only when on, so that checkpoints written before the option existed still resume
            settings.put("label smoothing", String.valueOf(labelSmoothing));
        }
        new TreeMap<>(metadata).forEach(settings::put);
        return settings;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        Map<String, String> settings = settings();
        int width = Math.max(15, settings.keySet().stream().mapToInt(k -> k.length() + 1).max().orElse(0));
        String line = "%-" + width + "s %s%n";
        settings.forEach((k, v) -> text.append(String.format(line, k + ":", v)));
        text.append(String.format(line, "checkpoints:", checkpointDir == null ? "none" : checkpointDir + (resume ? " (resume)" : "")));
        return text.toString();
    }
}
