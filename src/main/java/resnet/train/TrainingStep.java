package resnet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Objects;

/**
 * One optimisation step through DJL's {@link Trainer}: forward, loss, backward, parameter update.
 *
 * <p>Everything the step creates (activations, the loss, the incoming gradient) lives in a manager
 * that closes when the step ends, so a loop of a thousand steps holds no more native memory than a
 * loop of one. The batch itself belongs to the caller: it is lent to that manager for the step and
 * given back unchanged, so the same batch can be stepped on again (what a benchmark does) or closed
 * by its owner (what a data loader does).
 *
 * <pre>{@code
 * try (Trainer trainer = model.newTrainer(TrainingStep.sgd(0.1f, 0.9f, 5e-4f))) {
 *     trainer.initialize(new Shape(128, 3, 32, 32));
 *     TrainingStep step = new TrainingStep(trainer);
 *     float loss = step.run(new NDList(images), new NDList(labels));
 * }
 * }</pre>
 */
public final class TrainingStep {

    private final Trainer trainer;

    /** Steps with {@code trainer}'s block, loss and optimiser; the trainer must be initialised. */
    public TrainingStep(Trainer trainer) {
        this.trainer = Objects.requireNonNull(trainer, "trainer");
    }

    /**
     * A training configuration with softmax cross-entropy (class indices as labels) and SGD with a
     * fixed learning rate, momentum and weight decay: the CIFAR recipe of the ResNet paper (0.1, 0.9,
     * 1e-4) and of most PyTorch examples (0.1, 0.9, 5e-4).
     *
     * @throws IllegalArgumentException when the rate is not positive or momentum or decay is negative
     */
    public static DefaultTrainingConfig sgd(float learningRate, float momentum, float weightDecay) {
        if (!(learningRate > 0) || !(momentum >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException(String.format(
                    "SGD needs a positive learning rate and non-negative momentum and weight decay,"
                            + " got learning rate %s, momentum %s, weight decay %s", learningRate, momentum, weightDecay));
        }
        Optimizer sgd = Optimizer.sgd()
                .setLearningRateTracker(Tracker.fixed(learningRate))
                .optMomentum(momentum)
                .optWeightDecays(weightDecay)
                .build();
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()).optOptimizer(sgd);
    }

    /**
     * One step on a batch.
     *
     * @param data the inputs, e.g. one (batch, channels, height, width) array
     * @param labels the labels, e.g. one (batch) array of class indices
     * @return the batch's mean loss, before the update
     */
    public float run(NDList data, NDList labels) {
        NDManager owner = data.head().getManager();
        try (NDManager step = owner.newSubManager()) {
            data.tempAttach(step);
            labels.tempAttach(step);
            NDArray loss;
            try (GradientCollector collector = trainer.newGradientCollector()) {
                NDList predictions = trainer.forward(data, labels);
                loss = trainer.getLoss().evaluate(labels, predictions);
                collector.backward(loss);
            }
            trainer.step();
            return loss.getFloat();
        }
    }
}
