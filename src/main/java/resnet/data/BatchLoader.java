package resnet.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.translate.Batchifier;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One pass over an image set in batches, prepared on a background thread: the next batches are
 * shuffled, augmented and normalised (plain Java on bytes) while the engine computes on the current
 * one. The training thread only copies a ready float array into an {@code NDArray}.
 *
 * <p>Each {@link #next(NDManager)} makes its arrays in a new sub-manager of the given manager and
 * returns them as a DJL {@link Batch}; closing the batch (try-with-resources) frees them and
 * everything the step computed from them, so native memory stays flat from batch to batch.
 *
 * <p>The order and the augmentation depend on (seed, epoch) only ({@link Seeds}), so epoch e of a
 * resumed run sees exactly the images of epoch e of an uninterrupted one.
 *
 * <pre>{@code
 * try (BatchLoader loader = BatchLoader.training(split.train(), 128, norm, Augmentation.standard(), 42, epoch)) {
 *     while (loader.hasNext()) {
 *         try (Batch batch = loader.next(trainer.getManager())) { ... }
 *     }
 * }
 * }</pre>
 */
public final class BatchLoader implements AutoCloseable {

    private static final int PREFETCH = 3;

    private record Prepared(float[] images, float[] labels, int size, Throwable error) {}

    private final ImageSet set;
    private final int batchSize;
    private final int batches;
    private final BlockingQueue<Prepared> queue = new ArrayBlockingQueue<>(PREFETCH);
    private final Thread worker;
    private int taken;
    private volatile boolean closed;

    /**
     * @param shuffle whether to visit the images in an order drawn from (seed, epoch); else in order
     * @param augmentation applied to every image ({@link Augmentation#NONE} for validation and test)
     */
    public BatchLoader(ImageSet set, int batchSize, Normalization normalization, Augmentation augmentation,
            boolean shuffle, long seed, int epoch) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        if (normalization.channels() != set.channels()) {
            throw new IllegalArgumentException(String.format("normalisation has %d channels, %s has %d",
                    normalization.channels(), set.name(), set.channels()));
        }
        this.set = set;
        this.batchSize = batchSize;
        this.batches = (set.size() + batchSize - 1) / batchSize;
        int[] order = order(set.size(), shuffle, seed, epoch);
        Random augmentRandom = new Random(Seeds.mix(seed, epoch, Seeds.AUGMENT));
        worker = new Thread(() -> produce(order, normalization, augmentation, augmentRandom), "batch-loader");
        worker.setDaemon(true);
        worker.start();
    }

    /** Shuffled and augmented batches of a training part for one epoch. */
    public static BatchLoader training(ImageSet set, int batchSize, Normalization normalization,
            Augmentation augmentation, long seed, int epoch) {
        return new BatchLoader(set, batchSize, normalization, augmentation, true, seed, epoch);
    }

    /** The images in order, as they are (validation, test, prediction). */
    public static BatchLoader inOrder(ImageSet set, int batchSize, Normalization normalization) {
        return new BatchLoader(set, batchSize, normalization, Augmentation.NONE, false, 0, 0);
    }

    /** The order of one epoch: a permutation drawn from (seed, epoch), or 0..n−1. */
    public static int[] order(int n, boolean shuffle, long seed, int epoch) {
        if (shuffle) {
            return Seeds.permutation(n, Seeds.mix(seed, epoch, Seeds.ORDER));
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    private void produce(int[] order, Normalization normalization, Augmentation augmentation, Random random) {
        int c = set.channels();
        int h = set.height();
        int w = set.width();
        int bytes = set.imageBytes();
        byte[] pixels = set.pixelArray();
        byte[] scratch = new byte[bytes];
        try {
            for (int b = 0; b < batches && !closed; b++) {
                int start = b * batchSize;
                int size = Math.min(batchSize, order.length - start);
                float[] images = new float[size * bytes];
                float[] labels = new float[size];
                for (int k = 0; k < size; k++) {
                    int i = order[start + k];
                    labels[k] = set.label(i);
                    if (augmentation.isNone()) {
                        normalization.applyChannelsLast(pixels, i * bytes, h, w, images, k * bytes);
                    } else {
                        augmentation.apply(pixels, i * bytes, c, h, w, scratch, random);
                        normalization.applyChannelsLast(scratch, 0, h, w, images, k * bytes);
                    }
                }
                queue.put(new Prepared(images, labels, size, null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            queue.offer(new Prepared(null, null, 0, e));
        }
    }

    /** Batches in one pass: ceil(size / batch size); the last one may be smaller. */
    public int batches() {
        return batches;
    }

    /** The images in one pass. */
    public int images() {
        return set.size();
    }

    public boolean hasNext() {
        return taken < batches;
    }

    /**
     * The next batch: images (n, C, H, W) float32 and labels (n) float32, in a new sub-manager of
     * {@code parent} that closing the batch frees. The images are laid out channels last: the array
     * is a (n, C, H, W) view of (n, H, W, C) memory ({@link #channelsLast}).
     */
    public Batch next(NDManager parent) {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + batches + " batches of " + set.name() + " were taken");
        }
        if (closed) {
            throw new IllegalStateException("the loader of " + set.name() + " is closed");
        }
        Prepared prepared;
        try {
            prepared = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch of " + set.name(), e);
        }
        if (prepared.error() != null) {
            throw new IllegalStateException("preparing a batch of " + set.name() + " failed: " + prepared.error(), prepared.error());
        }
        taken++;
        NDManager manager = parent.newSubManager();
        NDArray x = channelsLast(manager.create(prepared.images(),
                new Shape(prepared.size(), set.height(), set.width(), set.channels())));
        NDArray y = manager.create(prepared.labels());
        return new Batch(manager, new NDList(x), new NDList(y), prepared.size(),
                Batchifier.STACK, Batchifier.STACK, taken, batches);
    }

    /**
     * A batch of images stored (n, H, W, C) seen as (n, C, H, W), the shape every block expects,
     * without a copy. PyTorch reads the layout from the strides and keeps it through the network:
     * its oneDNN convolutions work channels last, so a batch stored that way spares them a reorder
     * of every activation in and out (README, "Where a ResNet-20 step goes"); the values are the same.
     */
    public static NDArray channelsLast(NDArray nhwc) {
        if (nhwc.getShape().dimension() != 4) {
            throw new IllegalArgumentException("a batch of images is (n, H, W, C), got " + nhwc.getShape());
        }
        return nhwc.transpose(0, 3, 1, 2);
    }

    /** Stops the background thread (it may be waiting to hand over a batch nobody takes). */
    @Override
    public void close() {
        closed = true;
        worker.interrupt();
        queue.clear();
    }
}
