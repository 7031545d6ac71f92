package resnet.train;

/**
 * Called by the fit loop as it runs: a progress bar, a chart that updates in place, a log. Every
 * method has an empty default, so a listener implements only what it needs; a lambda fits
 * {@link #onEpoch}: {@code fit.listen((record, history) -> System.out.println(record))}.
 */
@FunctionalInterface
public interface FitListener {

    /**
     * Progress inside an epoch, after each training step.
     *
     * @param epoch from 1
     * @param epochs epochs of the run
     * @param batch from 1
     * @param batches batches in the epoch
     * @param loss mean training loss of the epoch so far
     * @param accuracy training accuracy of the epoch so far, 0..1
     * @param learningRate the rate of this step
     * @param imagesPerSecond training speed of the epoch so far
     */
    record BatchProgress(int epoch, int epochs, int batch, int batches, double loss, double accuracy,
            double learningRate, double imagesPerSecond) {}

    /** Before the first epoch that runs ({@code firstEpoch} > 1 when resuming). */
    default void onStart(int firstEpoch, int epochs) {}

    /** When a {@link TimeBudget} has set the run's epochs, after epoch {@code epoch} (before its checkpoint). */
    default void onPlan(int epoch, TimeBudget.Plan plan) {}

    /** After each training step. */
    default void onBatch(BatchProgress progress) {}

    /** After each epoch, validation and checkpoints included. */
    void onEpoch(EpochRecord record, History history);

    /** After the run, whether it ran out of epochs or stopped early. */
    default void onEnd(History history) {}
}
