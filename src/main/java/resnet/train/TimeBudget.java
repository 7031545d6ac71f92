package resnet.train;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A wall-clock deadline for a fit: when the warm-up is over, the run measures how long its epochs
 * took and sets its number of epochs to what fits before {@code deadline}, each later epoch allowed
 * {@code slack} times the mean so far (epochs slow down on a busy or warm machine). The plan is made
 * once: the schedule's anneal then runs over the planned epochs as if they had been asked for, so
 * {@code --epochs N} with the planned N repeats the run bit for bit.
 *
 * <pre>{@code
 * new Fit(model, data, config).within(new TimeBudget(Instant.now().plus(Duration.ofMinutes(57)), 1.15));
 * }</pre>
 *
 * @param deadline when the last epoch should be done (validation and checkpoint included)
 * @param slack at least 1: how much slower than the epochs so far a later epoch may be
 */
public record TimeBudget(Instant deadline, double slack) {

    /** The slack {@code train --minutes} uses: 15% above the measured epochs. */
    public static final double DEFAULT_SLACK = 1.15;

    public TimeBudget {
        Objects.requireNonNull(deadline, "deadline");
        if (!(slack >= 1) || Double.isInfinite(slack)) {
            throw new IllegalArgumentException("the slack of a time budget must be a finite factor of at least 1, got "
                    + slack);
        }
    }

    /** Whether a budget can plan {@code schedule}: only one whose first epochs do not depend on the run's length. */
    public static boolean canPlan(Schedule schedule) {
        return schedule instanceof Schedule.OneCycle || schedule instanceof Schedule.Constant;
    }

    /** The epoch after which a budget plans {@code schedule}: the last of a one-cycle warm-up, or the first. */
    public static int planEpoch(Schedule schedule) {
        return schedule instanceof Schedule.OneCycle o ? Math.max(1, (int) Math.ceil(o.warmupEpochs())) : 1;
    }

    /**
     * The plan after {@code done} epochs of this run (from {@code firstEpoch}) took {@code spent}:
     * the last epoch that fits, at most {@code maxEpochs} and at least the next one, so that the
     * schedule still anneals.
     *
     * @param lastDone the epoch just finished
     * @param done how many epochs this run has done (those of a resumed checkpoint not counted)
     * @param spent the wall time of those epochs
     * @param now the time of the plan
     */
    public Plan plan(int lastDone, int done, Duration spent, Instant now, int maxEpochs) {
        if (done < 1 || lastDone < done) {
            throw new IllegalArgumentException("a plan needs at least one epoch done, got " + done + " of " + lastDone);
        }
        double perEpoch = spent.toNanos() / 1e9 / done;
        double allowed = perEpoch * slack;
        double left = Duration.between(now, deadline).toNanos() / 1e9;
        long more = left <= 0 ? 0 : (long) Math.floor(left / allowed);
        int epochs = (int) Math.max(lastDone + 1, Math.min(maxEpochs, lastDone + more));
        boolean fits = lastDone + more >= epochs;
        return new Plan(epochs, perEpoch, allowed, left, fits, epochs == maxEpochs && lastDone + more > maxEpochs);
    }

    /**
     * @param epochs the run's epochs from now on
     * @param perEpoch mean seconds of the epochs so far
     * @param allowed seconds each later epoch is allowed
     * @param left seconds to the deadline at the plan
     * @param fits whether the planned epochs fit in the time left at the allowed pace
     * @param capped whether more would have fitted than the run's most epochs
     */
    public record Plan(int epochs, double perEpoch, double allowed, double left, boolean fits, boolean capped) {

        /** One line for the log. */
        public String describe(int lastDone) {
            String text = String.format(Locale.ROOT, "time budget: after epoch %d (%.1f s an epoch), %.1f min left;"
                    + " %d epochs in all (each later one allowed %.1f s)", lastDone, perEpoch, left / 60, epochs, allowed);
            if (!fits) {
                text += "; even one more epoch does not fit, so the run will end late";
            } else if (capped) {
                text += "; the most epochs allowed, more would fit";
            }
            return text;
        }
    }
}
