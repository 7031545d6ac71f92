package resnet.train;

/**
 * Stops a run when the validation metric has not improved for {@code patience} epochs in a row, and
 * remembers the best epoch, whose weights the fit loop puts back at the end.
 *
 * <p>Without a validation part every epoch counts as the best so far (the last one wins) and the run
 * never stops early. Patience 0 means: keep the best epoch, never stop early.
 */
public final class EarlyStopping {

    /** What "better" means. */
    public enum Monitor {
        /** Higher validation accuracy is better (the notes' choice). */
        VALID_ACCURACY,
        /** Lower validation loss is better. */
        VALID_LOSS
    }

    /**
     * Where a run stands, as saved in a checkpoint.
     *
     * @param bestEpoch the best epoch so far (0 before the first)
     * @param bestValue its monitored value
     * @param epochsWithoutImprovement epochs since then
     */
    public record State(int bestEpoch, double bestValue, int epochsWithoutImprovement) {}

    private final int patience;
    private final Monitor monitor;
    private State state = new State(0, Double.NaN, 0);

    /** @param patience epochs without improvement that stop the run; 0 never stops */
    public EarlyStopping(int patience, Monitor monitor) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be 0 (off) or more epochs, got " + patience);
        }
        this.patience = patience;
        this.monitor = monitor;
    }

    public int patience() {
        return patience;
    }

    public Monitor monitor() {
        return monitor;
    }

    public State state() {
        return state;
    }

    /** Continues from a saved state (resume). */
    public void restore(State saved) {
        this.state = saved;
    }

    /** The monitored value of an epoch. */
    public double value(EpochRecord record) {
        return monitor == Monitor.VALID_ACCURACY ? record.validAccuracy() : record.validLoss();
    }

    /**
     * Takes one epoch's record.
     *
     * @return whether it is the best so far (its weights should be kept)
     */
    public boolean update(EpochRecord record) {
        double value = value(record);
        boolean improved = state.bestEpoch() == 0 || Double.isNaN(value) || Double.isNaN(state.bestValue())
                || (monitor == Monitor.VALID_ACCURACY ? value > state.bestValue() : value < state.bestValue());
        state = improved
                ? new State(record.epoch(), value, 0)
                : new State(state.bestEpoch(), state.bestValue(), state.epochsWithoutImprovement() + 1);
        return improved;
    }

    /** Whether the last {@code patience} epochs brought no improvement. */
    public boolean shouldStop() {
        return patience > 0 && state.epochsWithoutImprovement() >= patience;
    }

    @Override
    public String toString() {
        return patience == 0 ? "off (best epoch kept)" : "patience " + patience + " on " + monitor.name().toLowerCase(java.util.Locale.ROOT);
    }
}
