package resnet.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import java.util.List;
import java.util.Locale;
import resnet.GradientMode;
import resnet.data.BatchLoader;
import resnet.data.ImageSet;
import resnet.data.Normalization;

/**
 * A model's predictions on a whole image set, in inference mode: loss, accuracy, and per image the
 * predicted class (for a grid of examples or a confusion matrix).
 *
 * @param loss mean cross-entropy
 * @param accuracy fraction right, 0..1
 * @param predictions the class with the highest score, per image
 * @param labels the true class, per image
 * @param classes the class names
 */
public record Evaluation(double loss, double accuracy, int[] predictions, int[] labels, List<String> classes) {

    /**
     * Runs {@code model} over {@code set} in batches of {@code batchSize}, with the normalisation the
     * model was trained with.
     */
    public static Evaluation of(Model model, ImageSet set, Normalization normalization, int batchSize) {
        return of(model, set, normalization, batchSize, false);
    }

    /**
     * As {@link #of(Model, ImageSet, Normalization, int)}; with {@code flipAverage} every image is also
     * seen mirrored left to right and the two softmax outputs are averaged (test-time augmentation
     * with the training's flip; twice the work). The loss is then the cross-entropy of the averaged
     * probabilities.
     */
    public static Evaluation of(Model model, ImageSet set, Normalization normalization, int batchSize,
            boolean flipAverage) {
        return of(List.of(model), set, normalization, batchSize, flipAverage);
    }

    /**
     * An ensemble's predictions: every model scores every image (and, with {@code flipAverage}, its
     * mirror), and the softmax outputs of all of them are averaged with equal weight; the predicted
     * class is the one of the highest mean probability and the loss is the cross-entropy of that
     * mean. One model is {@link #of(Model, ImageSet, Normalization, int, boolean)}. All models must
     * take the same images with the same normalisation and have the set's classes.
     *
     * @throws IllegalArgumentException when no model is given
     */
    public static Evaluation of(List<Model> models, ImageSet set, Normalization normalization, int batchSize,
            boolean flipAverage) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one model, got none");
        }
        GradientMode.off(); // inference records no graph, whichever thread calls
        int n = set.size();
        int[] predictions = new int[n];
        double lossSum = 0;
        int correct = 0;
        int done = 0;
        Loss loss = Loss.softmaxCrossEntropyLoss();
        boolean averaged = flipAverage || models.size() > 1;
        try (BatchLoader loader = BatchLoader.inOrder(set, batchSize, normalization)) {
            while (loader.hasNext()) {
                try (Batch batch = loader.next(models.get(0).getNDManager())) {
                    NDArray images = batch.getData().singletonOrThrow();
                    NDArray mirrored = flipAverage ? images.flip(3) : null;
                    NDArray sum = null;
                    for (Model model : models) {
                        ParameterStore store = new ParameterStore(batch.getManager(), false);
                        for (NDArray view : flipAverage ? List.of(images, mirrored) : List.of(images)) {
                            NDArray scores = model.getBlock().forward(store, new NDList(view), false).singletonOrThrow();
                            if (!averaged) {
                                sum = scores;
                            } else {
                                NDArray p = scores.softmax(1);
                                sum = sum == null ? p : sum.add(p);
                            }
                        }
                    }
                    // log of the mean probability: a log-softmax of it is itself, so the loss below is its NLL
                    NDArray scores = averaged ? sum.div(models.size() * (flipAverage ? 2 : 1)).log() : sum;
                    lossSum += loss.evaluate(batch.getLabels(), new NDList(scores)).getFloat() * batch.getSize();
                    long[] predicted = scores.argMax(1).toType(DataType.INT64, false).toLongArray();
                    for (long p : predicted) {
                        predictions[done] = (int) p;
                        if (p == set.label(done)) {
                            correct++;
                        }
                        done++;
                    }
                }
            }
        }
        return new Evaluation(lossSum / n, (double) correct / n, predictions, set.labels(), set.classes());
    }

    /** counts[true][predicted]: row i says where the images of class i went. */
    public int[][] confusion() {
        int k = classes.size();
        int[][] counts = new int[k][k];
        for (int i = 0; i < labels.length; i++) {
            counts[labels[i]][predictions[i]]++;
        }
        return counts;
    }

    /** Accuracy per class, 0..1 (NaN for a class with no image). */
    public double[] classAccuracy() {
        int[][] counts = confusion();
        double[] accuracy = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            int total = java.util.Arrays.stream(counts[i]).sum();
            accuracy[i] = total == 0 ? Double.NaN : (double) counts[i][i] / total;
        }
        return accuracy;
    }

    /** The indices of the images predicted wrong, in order. */
    public int[] mistakes() {
        return java.util.stream.IntStream.range(0, labels.length).filter(i -> labels[i] != predictions[i]).toArray();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d images: loss %.4f, accuracy %.2f%%", labels.length, loss, 100 * accuracy);
    }
}
