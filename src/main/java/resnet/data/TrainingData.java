package resnet.data;

/**
 * What a training run is fed: a training part (augmented), a validation part (as it is), and the
 * normalisation measured on the training part that both, and later the test set, go through.
 *
 * <pre>{@code
 * TrainingData data = TrainingData.split(FashionMnist.train(), 0.2, 42, Augmentation.standard());
 * }</pre>
 *
 * @param train the images the network learns from
 * @param valid held-out images for the validation loss and accuracy (may be empty: then there is no
 *     validation and the best epoch is the last one)
 * @param normalization mean and std of the training part
 * @param augmentation applied to training batches only
 */
public record TrainingData(ImageSet train, ImageSet valid, Normalization normalization, Augmentation augmentation) {

    public TrainingData {
        if (train.size() == 0) {
            throw new IllegalArgumentException("the training part is empty");
        }
        if (valid.channels() != train.channels() || valid.height() != train.height() || valid.width() != train.width()) {
            throw new IllegalArgumentException("training and validation images differ in size: " + train + " vs " + valid);
        }
    }

    /**
     * Splits {@code all} with {@link Split#of(ImageSet, double, long)} and measures the
     * normalisation on the training part.
     */
    public static TrainingData split(ImageSet all, double validRatio, long seed, Augmentation augmentation) {
        Split split = Split.of(all, validRatio, seed);
        return new TrainingData(split.train(), split.valid(), Normalization.of(split.train()), augmentation);
    }

    /**
     * Splits {@code all} as {@link #split(ImageSet, double, long, Augmentation)} does, with a given
     * normalisation instead of the training part's: {@link Normalization#IMAGENET} for pretrained
     * ImageNet weights.
     */
    public static TrainingData split(ImageSet all, double validRatio, long seed, Augmentation augmentation,
            Normalization normalization) {
        Split split = Split.of(all, validRatio, seed);
        return new TrainingData(split.train(), split.valid(), normalization, augmentation);
    }

    /** Whether there is a validation part. */
    public boolean hasValidation() {
        return valid.size() > 0;
    }

    /** The batches of one training epoch: order and augmentation drawn from (seed, epoch). */
    public BatchLoader trainBatches(int batchSize, long seed, int epoch) {
        return BatchLoader.training(train, batchSize, normalization, augmentation, seed, epoch);
    }

    /** The validation batches, in order, not augmented. */
    public BatchLoader validBatches(int batchSize) {
        return BatchLoader.inOrder(valid, batchSize, normalization);
    }

    @Override
    public String toString() {
        return String.format("train %d, validation %d images of %dx%dx%d; augmentation: %s; normalisation: %s",
                train.size(), valid.size(), train.channels(), train.height(), train.width(), augmentation, normalization);
    }
}
