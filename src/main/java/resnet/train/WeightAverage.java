package resnet.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.Batch;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import resnet.GradientMode;
import resnet.data.BatchLoader;

/**
 * Stochastic weight averaging (Izmailov et al. 2018): the mean of a network's weights at the ends of
 * several epochs, kept beside the training run, and BatchNorm's statistics recomputed for that mean.
 *
 * <p>Near the end of a run at a constant, moderate learning rate, SGD keeps moving around a wide
 * region of low training loss; each epoch's weights sit on its edge, their mean nearer its middle,
 * where the test loss tends to be lower. The mean of the weights is not the mean of the networks'
 * outputs (an ensemble), but it costs one network at test time.
 *
 * <p>Only the learned parameters are averaged. The running means and variances of BatchNorm belong
 * to the weights they were measured with, so after {@link #copyInto} they are measured again for
 * the averaged weights by {@link #recomputeBatchNorm}: one forward pass over the training images in
 * training mode, each layer's statistics the exact mean over all batches (PyTorch's
 * {@code update_bn} with {@code momentum=None}).
 *
 * <pre>{@code
 * try (WeightAverage average = new WeightAverage()) {
 *     for (int epoch = 31; epoch <= 40; epoch++) { train(epoch); average.add(block); }
 *     average.copyInto(block);
 *     try (BatchLoader loader = data.trainBatches(128, seed, 41)) {
 *         WeightAverage.recomputeBatchNorm(block, manager, loader);
 *     }
 * }
 * }</pre>
 */
public final class WeightAverage implements AutoCloseable {

    /** The prefix of the averaged arrays' names in a checkpoint's state list ({@link #export}). */
    public static final String PREFIX = "average:";

    private final NDManager manager = NDManager.newBaseManager(Device.cpu());
    /** parameter name → the mean so far, on the CPU. */
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private int count;

    /** Weights averaged so far. */
    public int count() {
        return count;
    }

    /** Whether {@code parameter} is averaged: everything learned, not BatchNorm's running statistics. */
    static boolean averaged(Parameter parameter) {
        return parameter.getType() != Parameter.Type.RUNNING_MEAN && parameter.getType() != Parameter.Type.RUNNING_VAR;
    }

    /** {@code block}'s parameters that are averaged and made, with their names. */
    private static List<Pair<String, Parameter>> averagedParameters(Block block) {
        List<Pair<String, Parameter>> list = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (averaged(p.getValue()) && p.getValue().isInitialized()) {
                list.add(p);
            }
        }
        return list;
    }

    /** Adds {@code block}'s current weights to the mean. */
    public void add(Block block) {
        int n = count + 1;
        for (Pair<String, Parameter> p : averagedParameters(block)) {
            Parameter parameter = p.getValue();
            NDArray mean = means.get(p.getKey());
            if (mean == null) {
                if (count > 0) {
                    throw new IllegalStateException("parameter " + p.getKey() + " was not there for the first "
                            + count + " weights of the average");
                }
                mean = copyOn(parameter.getArray(), Device.cpu());
                mean.attach(manager);
                means.put(p.getKey(), mean);
                continue;
            }
            try (NDManager temp = manager.newSubManager()) {
                NDArray weights = copyOn(parameter.getArray(), Device.cpu());
                weights.attach(temp);
                // mean += (w - mean) / n: the running mean, without a sum that grows with n
                mean.addi(weights.sub(mean).divi(n));
            }
        }
        count = n;
    }

    /**
     * Writes the mean into {@code block}'s averaged parameters (BatchNorm's statistics stay as they
     * are: {@link #recomputeBatchNorm} next).
     *
     * @throws IllegalStateException when nothing was averaged, or a parameter is missing from the mean
     */
    public void copyInto(Block block) {
        if (count == 0) {
            throw new IllegalStateException("no weights were averaged yet");
        }
        for (Pair<String, Parameter> p : averagedParameters(block)) {
            Parameter parameter = p.getValue();
            NDArray mean = means.get(p.getKey());
            if (mean == null) {
                throw new IllegalStateException("the average has no " + p.getKey());
            }
            NDArray array = parameter.getArray();
            try (NDManager temp = manager.newSubManager()) {
                NDArray moved = copyOn(mean, array.getDevice());
                moved.attach(temp);
                moved.toType(array.getDataType(), false).copyTo(array);
            }
        }
    }

    /** The mean as arrays named {@value #PREFIX}NAME, copies made in {@code target} (for a checkpoint). */
    public NDList export(NDManager target) {
        NDList list = new NDList();
        for (Map.Entry<String, NDArray> mean : means.entrySet()) {
            NDArray copy = mean.getValue().duplicate();
            copy.attach(target);
            copy.setName(PREFIX + mean.getKey());
            list.add(copy);
        }
        return list;
    }

    /**
     * Restores a mean of {@code count} weights from {@link #export}'s arrays (the others in {@code
     * arrays} are left alone).
     *
     * @throws IllegalArgumentException when {@code count} is positive but no array is named for the average
     */
    public void restore(NDList arrays, int count) {
        if (this.count > 0) {
            throw new IllegalStateException("restore an average before adding to it");
        }
        for (NDArray array : arrays) {
            String name = array.getName();
            if (name != null && name.startsWith(PREFIX)) {
                NDArray copy = copyOn(array, Device.cpu());
                copy.attach(manager);
                means.put(name.substring(PREFIX.length()), copy);
            }
        }
        if (count > 0 && means.isEmpty()) {
            throw new IllegalArgumentException("the saved state holds no averaged weights, but " + count
                    + " epochs were averaged before it was saved");
        }
        this.count = count;
    }

    /**
     * A new array with {@code array}'s values on {@code device}, in {@code array}'s manager. Not
     * {@code toDevice(device, true)}: on the same device the PyTorch engine hands back a view of
     * the same memory, which would follow the weights instead of keeping their mean.
     */
    private static NDArray copyOn(NDArray array, Device device) {
        return array.getDevice().equals(device) ? array.duplicate() : array.toDevice(device, true);
    }

    /** {@code arrays} without the ones {@link #export} named. */
    public static NDList withoutAverage(NDList arrays) {
        NDList rest = new NDList();
        for (NDArray array : arrays) {
            String name = array.getName();
            if (name == null || !name.startsWith(PREFIX)) {
                rest.add(array);
            }
        }
        return rest;
    }

    /**
     * Measures BatchNorm's running means and variances afresh for {@code block}'s current weights: one
     * forward pass in training mode over {@code loader}'s batches, every layer's statistic set to the
     * exact mean of its batches' (each batch weighted the same). Nothing else changes: no gradient is
     * recorded, no weight is updated.
     *
     * <p>A BatchNorm layer in training mode blends each batch's statistic b into its running one as
     * r' = k·r + (1 − k)·b (k is DJL's momentum, 0.9 in this library). The blend factor is measured
     * on the first batch (run twice, from r = 0 and from r = 1), so any momentum works; then before
     * each batch r is set to the mean so far, and b is read back from r'.
     *
     * @param manager where the batches and the pass's arrays live, on the parameters' device
     * @return the batches seen
     * @throws IllegalArgumentException when the loader has no batch
     */
    public static int recomputeBatchNorm(Block block, NDManager manager, BatchLoader loader) {
        List<NDArray> running = new ArrayList<>();
        for (Parameter parameter : block.getParameters().values()) {
            if (!averaged(parameter) && parameter.isInitialized()) {
                running.add(parameter.getArray());
            }
        }
        if (running.isEmpty()) {
            return 0;
        }
        if (!loader.hasNext()) {
            throw new IllegalArgumentException("recomputing BatchNorm's statistics needs at least one batch");
        }
        GradientMode.off();
        ParameterStore store = new ParameterStore(manager, false);
        int n = running.size();
        double[][] means = new double[n][];
        double[] keep = new double[n];
        int batches = 0;
        while (loader.hasNext()) {
            try (Batch batch = loader.next(manager)) {
                NDList images = batch.getData();
                if (batches == 0) {
                    float[][] fromZero = forwardFrom(block, store, images, running, 0f);
                    float[][] fromOne = forwardFrom(block, store, images, running, 1f);
                    for (int i = 0; i < n; i++) {
                        // r' = k·r + (1 − k)·b: from r = 1 and r = 0 the difference is k, in every element
                        double sum = 0;
                        for (int j = 0; j < fromZero[i].length; j++) {
                            sum += fromOne[i][j] - fromZero[i][j];
                        }
                        keep[i] = sum / fromZero[i].length;
                        if (!(keep[i] >= 0 && keep[i] < 1 - 1e-6)) {
                            throw new IllegalStateException("a BatchNorm layer's running statistic does not follow"
                                    + " r' = k·r + (1 − k)·b in training mode (measured k = " + keep[i] + ")");
                        }
                        means[i] = new double[fromZero[i].length];
                        for (int j = 0; j < means[i].length; j++) {
                            means[i][j] = fromZero[i][j] / (1 - keep[i]);
                        }
                    }
                } else {
                    float[][] blended = forwardFrom(block, store, images, running, means);
                    int k = batches + 1;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < means[i].length; j++) {
                            float r = (float) means[i][j];
                            double b = (blended[i][j] - keep[i] * r) / (1 - keep[i]);
                            means[i][j] += (b - means[i][j]) / k;
                        }
                    }
                }
                batches++;
            }
        }
        for (int i = 0; i < n; i++) {
            running.get(i).set(toFloats(means[i]));
        }
        return batches;
    }

    /** One forward pass in training mode with every running statistic first set to {@code value}. */
    private static float[][] forwardFrom(Block block, ParameterStore store, NDList images, List<NDArray> running,
            float value) {
        for (NDArray r : running) {
            float[] fill = new float[Math.toIntExact(r.size())];
            java.util.Arrays.fill(fill, value);
            r.set(fill);
        }
        return forward(block, store, images, running);
    }

    /** One forward pass in training mode with the running statistics first set to {@code values}. */
    private static float[][] forwardFrom(Block block, ParameterStore store, NDList images, List<NDArray> running,
            double[][] values) {
        for (int i = 0; i < running.size(); i++) {
            running.get(i).set(toFloats(values[i]));
        }
        return forward(block, store, images, running);
    }

    private static float[][] forward(Block block, ParameterStore store, NDList images, List<NDArray> running) {
        block.forward(store, images, true);
        float[][] after = new float[running.size()][];
        for (int i = 0; i < running.size(); i++) {
            after[i] = running.get(i).toFloatArray();
        }
        return after;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** Frees the mean. */
    @Override
    public void close() {
        manager.close();
    }
}
