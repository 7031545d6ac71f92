package resnet.train;

/**
 * The loss became NaN or infinite: the weights are ruined from this step on, so the run stops before
 * the update. The last checkpoint (of the last completed epoch) is left as it was.
 */
public class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;

    public NonFiniteLossException(int epoch, int batch, int batches, double loss, double learningRate, String checkpointNote) {
        super(String.format(java.util.Locale.ROOT,
                "the loss became %s at epoch %d, batch %d of %d (learning rate %s); the run stopped before the update"
                        + " (a learning rate that is too high is the usual cause)%s",
                loss, epoch, batch, batches, learningRate, checkpointNote));
        this.epoch = epoch;
        this.batch = batch;
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 1. */
    public int batch() {
        return batch;
    }
}
