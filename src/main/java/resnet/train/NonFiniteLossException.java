package resnet.train;

/**
 * The run diverged: the loss became NaN or infinite (the run stops before the update), a batch's
 * loss passed the divergence bound, the validation loss was not finite, or the weights were not.
 * The weights are ruined from there on; the last checkpoint (of the last completed epoch) is left as
 * it was, and the epoch that diverged is saved nowhere.
 */
public class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int batch;
    private final String where;

    public NonFiniteLossException(int epoch, int batch, int batches, double loss, double learningRate, String checkpointNote) {
        super(String.format(java.util.Locale.ROOT,
                "the loss became %s at epoch %d, batch %d of %d (learning rate %s); the run stopped before the update"
                        + " (a learning rate that is too high is the usual cause)%s",
                loss, epoch, batch, batches, learningRate, checkpointNote));
        this.epoch = epoch;
        this.batch = batch;
        this.where = "epoch " + epoch + ", batch " + batch;
    }

    private NonFiniteLossException(String message, int epoch, int batch, String where) {
        super(message);
        this.epoch = epoch;
        this.batch = batch;
        this.where = where;
    }

    /** A batch's mean loss, finite, above {@code bound}: the update of that batch was made, the run stops after it. */
    public static NonFiniteLossException pastBound(int epoch, int batch, int batches, double loss, double bound,
            double learningRate, String checkpointNote) {
        return new NonFiniteLossException(String.format(java.util.Locale.ROOT,
                "the loss reached %.4g at epoch %d, batch %d of %d (learning rate %s), past the divergence bound"
                        + " of %.4g: the run diverged and stopped (a learning rate that is too high is the usual"
                        + " cause)%s", loss, epoch, batch, batches, learningRate, bound, checkpointNote), epoch, batch,
                "epoch " + epoch + ", batch " + batch);
    }

    /** The validation loss after {@code epoch} was NaN or infinite: the epoch is not kept. */
    public static NonFiniteLossException validation(int epoch, double loss, double learningRate, String checkpointNote) {
        return new NonFiniteLossException(String.format(java.util.Locale.ROOT,
                "the validation loss became %s after epoch %d (its training losses were finite; learning rate %s at"
                        + " its start): the weights diverged, the run stopped and epoch %d was not saved (a learning"
                        + " rate that is too high is the usual cause)%s",
                loss, epoch, learningRate, epoch, checkpointNote), epoch, 0, "epoch " + epoch + ", validation");
    }

    /** Weights that hold NaN or infinity after {@code epoch} ({@code which} says where). */
    public static NonFiniteLossException weights(int epoch, String which, String checkpointNote) {
        return new NonFiniteLossException(String.format(java.util.Locale.ROOT,
                "the weights hold NaN or infinite values after epoch %d (%s): the run diverged, stopped, and epoch %d"
                        + " was not saved%s", epoch, which, epoch, checkpointNote), epoch, 0, "epoch " + epoch + ", weights");
    }

    /**
     * Where it happened: {@code epoch 3, batch 75}; {@code epoch 3, validation} or {@code epoch 3,
     * weights} when every batch's loss was finite and below the bound.
     */
    public String where() {
        return where;
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The batch within the epoch, from 1; 0 when the epoch's batches were all finite (validation, weights). */
    public int batch() {
        return batch;
    }
}
