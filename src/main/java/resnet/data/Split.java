package resnet.data;

import java.util.Arrays;

/**
 * A training part and a validation part of one set, drawn at random with a seed: the validation
 * part is what early stopping and the choice of the best epoch look at, so the test set stays unseen
 * until the end.
 *
 * @param train the images the network learns from
 * @param valid the images held out (none in common with {@code train})
 */
public record Split(ImageSet train, ImageSet valid) {

    /** The notes' choice: a fifth of the training set is held out. */
    public static final double DEFAULT_VALID_RATIO = 0.2;

    /**
     * Splits {@code set}: {@code round(size * validRatio)} images, chosen by a permutation seeded with
     * {@code seed}, go to the validation part, the rest to the training part; both keep the original order.
     *
     * @param validRatio in [0, 1): 0 keeps every image for training and leaves the validation part empty
     */
    public static Split of(ImageSet set, double validRatio, long seed) {
        if (!(validRatio >= 0 && validRatio < 1)) {
            throw new IllegalArgumentException("validRatio must be in [0, 1) (e.g. 0.2 holds out a fifth), got " + validRatio);
        }
        int n = set.size();
        int validCount = (int) Math.round(n * validRatio);
        if (validRatio > 0 && (validCount == 0 || validCount == n)) {
            throw new IllegalArgumentException(String.format(
                    "validRatio %s of %d images leaves %d for validation and %d for training; both need at least one",
                    validRatio, n, validCount, n - validCount));
        }
        int[] order = Seeds.permutation(n, Seeds.mix(seed, Seeds.SPLIT));
        int[] valid = Arrays.copyOfRange(order, 0, validCount);
        int[] train = Arrays.copyOfRange(order, validCount, n);
        Arrays.sort(valid);
        Arrays.sort(train);
        return new Split(set.subset(train, set.name() + " / train part"), set.subset(valid, set.name() + " / validation part"));
    }
}
