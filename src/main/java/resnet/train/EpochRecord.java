package resnet.train;

/**
 * What one epoch did.
 *
 * @param epoch counted from 1
 * @param trainLoss mean cross-entropy over the epoch's training batches (training mode, augmented images)
 * @param trainAccuracy fraction of training images classified right during the epoch, 0..1
 * @param validLoss mean cross-entropy on the validation part after the epoch (NaN without one)
 * @param validAccuracy fraction of validation images classified right, 0..1 (NaN without one)
 * @param learningRate the rate of the epoch's first step
 * @param seconds wall time of the epoch, validation included
 * @param imagesPerSecond training images per second of training (validation excluded)
 */
public record EpochRecord(int epoch, double trainLoss, double trainAccuracy, double validLoss, double validAccuracy,
        double learningRate, double seconds, double imagesPerSecond) {

    /** The same record without its timing, for comparing two runs that should compute the same. */
    public EpochRecord withoutTiming() {
        return new EpochRecord(epoch, trainLoss, trainAccuracy, validLoss, validAccuracy, learningRate, 0, 0);
    }

    @Override
    public String toString() {
        String valid = Double.isNaN(validLoss) && Double.isNaN(validAccuracy) ? "no validation part"
                : String.format(java.util.Locale.ROOT, "valid loss %.4f acc %.2f%%", validLoss, 100 * validAccuracy);
        return String.format(java.util.Locale.ROOT, "epoch %d: train loss %.4f acc %.2f%% | %s | lr %.5f | %.1f s, %.0f images/s",
                epoch, trainLoss, 100 * trainAccuracy, valid, learningRate, seconds, imagesPerSecond);
    }
}
