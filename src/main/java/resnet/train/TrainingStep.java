package resnet.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.translate.Batchifier;
import java.util.Objects;
import resnet.GradientMode;

/**
 * The training step of the library: what {@link Fit} does with every batch, and what
 * {@code resnet bench} times, so that the benchmark measures the fit loop itself.
 *
 * <p>One step: the batch is split across the devices, each part goes forward and through softmax
 * cross-entropy, each part's loss is weighted by its share of the batch and goes backward (so the
 * summed gradient is the gradient of the whole batch's mean loss), the mean loss is checked, and
 * only a finite loss leads to an update, by the {@link ResumableOptimizer} at the learning rate
 * given for this step. A NaN or infinite loss changes no weight: its gradients are cleared and the
 * result says so ({@link Result#finite()}), leaving the caller to stop (what {@code Fit} does).
 *
 * <p>Everything a step computes lives in the batch's manager (or, for {@link #run(NDArray, NDArray,
 * double)}, in a manager of the step's own), so it is freed when the step ends.
 *
 * <pre>{@code
 * try (Model model = Model.newInstance("resnet20")) {
 *     model.setBlock(ResNet.build(ResNet.spec("resnet20").withInputChannels(1)));
 *     try (TrainingStep step = TrainingStep.open(model, OptimizerSettings.sgd(0.9, 5e-4, false), new Shape(1, 28, 28))) {
 *         TrainingStep.Result result = step.run(images, labels, 0.1);
 *     }
 * }
 * }</pre>
 */
public final class TrainingStep implements AutoCloseable {

    /**
     * What one step saw.
     *
     * @param loss the batch's mean loss, before the update
     * @param correct images whose highest score is their label's, before the update
     * @param size images in the batch
     * @param finite whether the loss was finite, and so the weights were updated
     */
    public record Result(double loss, long correct, int size, boolean finite) {}

    private final Trainer trainer;
    private final ResumableOptimizer optimizer;
    private final Device[] devices;

    private TrainingStep(Trainer trainer, ResumableOptimizer optimizer, Device[] devices) {
        this.trainer = trainer;
        this.optimizer = optimizer;
        this.devices = devices;
    }

    /**
     * A step for {@code model} on every device the engine sees (all GPUs, else the CPU).
     *
     * @param image one image's shape (channels, height, width); the model's parameters are made for it
     *     unless they exist already (loaded from a checkpoint)
     */
    public static TrainingStep open(Model model, OptimizerSettings settings, Shape image) {
        return open(model, settings, image, Engine.getInstance().getDevices());
    }

    /**
     * A step for {@code model} on these devices: a trainer with softmax cross-entropy and a new
     * optimiser of these settings, both closed by {@link #close()}.
     *
     * @throws IllegalArgumentException when the model has no block, the image is not (channels,
     *     height, width) or no device is given
     */
    public static TrainingStep open(Model model, OptimizerSettings settings, Shape image, Device... devices) {
        return open(model, settings, Loss.softmaxCrossEntropyLoss(), image, devices);
    }

    /**
     * A step that minimises {@code loss} (e.g. {@link LabelSmoothing}) instead of softmax
     * cross-entropy; otherwise as {@link #open(Model, OptimizerSettings, Shape, Device...)}.
     */
    public static TrainingStep open(Model model, OptimizerSettings settings, Loss loss, Shape image, Device... devices) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(settings, "settings");
        if (model.getBlock() == null) {
            throw new IllegalArgumentException("the model has no block: call model.setBlock(...) first");
        }
        if (image == null || image.dimension() != 3) {
            throw new IllegalArgumentException("one image's shape is (channels, height, width), got " + image);
        }
        if (devices == null || devices.length == 0) {
            throw new IllegalArgumentException("at least one device is needed");
        }
        ResumableOptimizer optimizer = settings.create();
        Trainer trainer = null;
        try {
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                    .optOptimizer(optimizer)
                    .optDevices(devices);
            trainer = model.newTrainer(config);
            trainer.initialize(new Shape(1).addAll(image));
            return new TrainingStep(trainer, optimizer, devices.clone());
        } catch (RuntimeException | Error e) {
            if (trainer != null) {
                trainer.close();
            }
            optimizer.close();
            throw e;
        }
    }

    /** The DJL trainer: its manager, loss and {@code evaluate} serve validation. */
    public Trainer trainer() {
        return trainer;
    }

    /** The optimiser, whose state a checkpoint saves and a resumed run restores. */
    public ResumableOptimizer optimizer() {
        return optimizer;
    }

    /**
     * One step on a batch, e.g. from a {@code BatchLoader}; what it computes is freed when the
     * batch is closed.
     *
     * @param learningRate the rate of this step's update (from the schedule)
     */
    public Result run(Batch batch, double learningRate) {
        Batch[] splits = batch.split(devices, false);
        try {
            Part[] parts = new Part[splits.length];
            for (int i = 0; i < splits.length; i++) {
                parts[i] = new Part(splits[i].getData(), splits[i].getLabels(), splits[i].getSize());
            }
            return step(parts, batch.getSize(), learningRate);
        } finally {
            if (splits.length > 1) {
                for (Batch split : splits) {
                    split.close();
                }
            }
        }
    }

    /**
     * One step on arrays the caller owns (a benchmark steps on the same batch again and again): they
     * are lent to a manager of the step's own and given back unchanged; everything else the step
     * makes is freed before it returns.
     *
     * @param images (batch, channels, height, width)
     * @param labels (batch) class indices
     */
    public Result run(NDArray images, NDArray labels, double learningRate) {
        Shape shape = images.getShape();
        if (shape.dimension() != 4 || labels.getShape().dimension() != 1 || labels.getShape().get(0) != shape.get(0)) {
            throw new IllegalArgumentException("a batch is images (batch, channels, height, width) and one class index"
                    + " per image (batch), got " + shape + " and " + labels.getShape());
        }
        int size = (int) shape.get(0);
        try (NDManager manager = images.getManager().newSubManager()) {
            images.tempAttach(manager);
            labels.tempAttach(manager);
            if (devices.length == 1 && images.getDevice().equals(devices[0]) && labels.getDevice().equals(devices[0])) {
                return step(new Part[] {new Part(new NDList(images), new NDList(labels), size)}, size, learningRate);
            }
            // To be split across devices (or moved to one), the batch becomes copies that a Batch may own.
            try (Batch batch = new Batch(manager.newSubManager(), new NDList(images.duplicate()),
                    new NDList(labels.duplicate()), size, Batchifier.STACK, Batchifier.STACK, 0, 0)) {
                return run(batch, learningRate);
            }
        }
    }

    /** One device's share of a batch. */
    private record Part(NDList data, NDList labels, int size) {}

    private Result step(Part[] parts, int size, double learningRate) {
        optimizer.setLearningRate(learningRate);
        // off before the collector opens, so that its close turns recording off again and the
        // update below is not recorded, on whichever thread this step runs (GradientMode)
        GradientMode.off();
        double loss = 0;
        long correct = 0;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            for (Part part : parts) {
                NDArray scores = trainer.forward(part.data()).singletonOrThrow();
                NDArray labels = part.labels().singletonOrThrow();
                NDArray partLoss = trainer.getLoss().evaluate(new NDList(labels), new NDList(scores));
                double share = (double) part.size() / size;
                // Each device's loss is its own mean; weighting by its share makes the summed gradient the batch mean's.
                collector.backward(parts.length == 1 ? partLoss : partLoss.mul(share));
                loss += partLoss.getFloat() * share;
                correct += countCorrect(scores, labels);
            }
            if (!Double.isFinite(loss)) {
                clearGradients();
                return new Result(loss, correct, size, false);
            }
        }
        trainer.step();
        return new Result(loss, correct, size, true);
    }

    /**
     * Zeroes every parameter's gradient after a step that made no update, or the next backward would
     * add to them. DJL's {@code GradientCollector.zeroGradients()} subtracts a gradient from itself,
     * which leaves a NaN a NaN.
     */
    private void clearGradients() {
        for (Parameter parameter : trainer.getModel().getBlock().getParameters().values()) {
            if (parameter.requiresGradient() && parameter.isInitialized()) {
                ResumableOptimizer.zeroGradient(parameter.getArray());
            }
        }
        if (devices.length > 1) {
            // the copies of the parameters on the other devices, which the trainer's manager holds
            for (NDArray array : trainer.getManager().getManagedArrays()) {
                if (array.hasGradient()) {
                    ResumableOptimizer.zeroGradient(array);
                }
            }
        }
    }

    /** Images whose highest score is their label's. */
    static long countCorrect(NDArray scores, NDArray labels) {
        return scores.argMax(1).toType(DataType.INT64, false)
                .eq(labels.toType(DataType.INT64, false))
                .toType(DataType.INT64, false).sum().getLong();
    }

    /** Closes the trainer and frees the optimiser's state. */
    @Override
    public void close() {
        try {
            trainer.close();
        } finally {
            optimizer.close();
        }
    }
}
