package resnet.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.loss.Loss;

/**
 * Softmax cross-entropy against smoothed targets (Szegedy et al., 2016): the true class gets
 * {@code 1 - epsilon + epsilon / K} of the target's mass and every other class {@code epsilon / K}.
 * The loss is {@code (1 - epsilon) * CE(label) + epsilon * mean over classes of -log p}, so the network
 * is no longer pushed to make one score infinitely larger than the rest. {@code epsilon = 0} is plain
 * cross-entropy. Labels are class indices, as for DJL's {@code SoftmaxCrossEntropyLoss}; the result is
 * the batch's mean.
 */
public final class LabelSmoothing extends Loss {

    private final double epsilon;

    /** @param epsilon the share of the target moved to the uniform distribution, in [0, 1) */
    public LabelSmoothing(double epsilon) {
        super(epsilon == 0 ? "SoftmaxCrossEntropyLoss" : "LabelSmoothing");
        if (!(epsilon >= 0 && epsilon < 1)) {
            throw new IllegalArgumentException("label smoothing must be at least 0 and below 1, got " + epsilon);
        }
        this.epsilon = epsilon;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray scores = predictions.singletonOrThrow();
        NDArray label = labels.singletonOrThrow().toType(DataType.INT64, false).reshape(-1, 1);
        NDArray logp = scores.logSoftmax(1);
        NDArray nll = logp.gather(label, 1).reshape(-1).neg();
        if (epsilon == 0) {
            return nll.mean();
        }
        NDArray uniform = logp.mean(new int[] {1}).neg();
        return nll.mul(1 - epsilon).add(uniform.mul(epsilon)).mean();
    }

    @Override
    public String toString() {
        return epsilon == 0 ? "cross-entropy" : "cross-entropy with label smoothing " + epsilon;
    }
}
