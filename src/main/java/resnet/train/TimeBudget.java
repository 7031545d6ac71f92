package resnet.train;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A wall-clock deadline for a fit: when the warm-up is over, the run measures how long its epochs
 * took and sets its number of epochs to what fits before {@code deadline}, each later epoch allowed
 * {@code slack} times the mean so far. The plan is made once: the schedule's anneal then runs over
 * the planned epochs as if they had been asked for, so {@code --epochs N} with the planned N repeats
 * the run bit for bit. Only if the pace of the epochs then changes is the plan revised ({@link
 * #revise}), after each later epoch: cut when the epochs still planned no longer fit at the pace of
 * the last few (a machine that got busy), so the run ends sooner and its anneal is shortened from
 * there; or extended when, at that pace with the slack, more would fit (a first epoch slower than
 * the rest), so the anneal is lengthened from there. A revised run no longer equals
 * {@code --epochs N}, and its log says so.
 *
 * <pre>{@code
 * Instant deadline = Instant.now().plus(Duration.ofMinutes(57));
 * new Fit(model, data, config).within(new TimeBudget(deadline, TimeBudget.DEFAULT_SLACK));
 * }</pre>
 *
 * @param deadline when the last epoch should be done (validation and checkpoint included)
 * @param slack at least 1: how much slower than the epochs so far a later epoch may be
 */
public record TimeBudget(Instant deadline, double slack) {

    /**
     * The slack {@code train --minutes} uses: 5% above the measured epochs. Small, because a late run
     * is cut ({@link #revise}) rather than let run over; on the README's runs 15% left 5 to 17
     * minutes of an hour unused.
     */
    public static final double DEFAULT_SLACK = 1.05;

    /** How many of the latest epochs {@link #revise} takes the pace from (an extension waits for all of them). */
    public static final int RECENT_EPOCHS = 4;

    public TimeBudget {
        Objects.requireNonNull(deadline, "deadline");
        if (!(slack >= 1) || Double.isInfinite(slack)) {
            throw new IllegalArgumentException("the slack of a time budget must be a finite factor of at least 1, got "
                    + slack);
        }
    }

    /** Whether a budget can plan {@code schedule}: only one whose first epochs do not depend on the run's length. */
    public static boolean canPlan(Schedule schedule) {
        return schedule instanceof Schedule.OneCycle || schedule instanceof Schedule.Swa
                || schedule instanceof Schedule.Constant;
    }

    /** The epoch after which a budget plans {@code schedule}: the last of a one-cycle warm-up, or the first. */
    public static int planEpoch(Schedule schedule) {
        double warmup = schedule instanceof Schedule.OneCycle o ? o.warmupEpochs()
                : schedule instanceof Schedule.Swa s ? s.warmupEpochs() : 0;
        return Math.max(1, (int) Math.ceil(warmup));
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
        long more = fitting(left, allowed);
        int epochs = (int) Math.max(lastDone + 1, Math.min(maxEpochs, lastDone + more));
        boolean fits = lastDone + more >= epochs;
        return new Plan(epochs, perEpoch, allowed, left, fits, epochs == maxEpochs && lastDone + more > maxEpochs, 0);
    }

    /**
     * The revision, if any, of a plan of {@code planned} epochs after epoch {@code lastDone}, at the
     * mean pace of the latest {@code recent} epochs (the pace the machine has now). A cut when the
     * epochs left no longer fit before the deadline at that pace (no slack): as many as still fit, at
     * least the next one. An extension when {@code recent} is all of {@link #RECENT_EPOCHS} and, at
     * that pace with the slack, more than {@code planned} fit: as many as fit, at most {@code
     * mostEpochs}. Null when the plan stands. The two cannot alternate at a steady pace: a cut needs
     * the pace above the plan's, an extension below it by the slack.
     *
     * @param recentSpent the wall time of the latest {@code recent} epochs
     * @param mostEpochs the most epochs the run may have (its {@code --epochs})
     */
    public Plan revise(int lastDone, int recent, Duration recentSpent, Instant now, int planned, int mostEpochs) {
        if (recent < 1 || lastDone < recent) {
            throw new IllegalArgumentException("a revision needs at least one epoch done, got " + recent + " of "
                    + lastDone);
        }
        if (lastDone >= planned) {
            return null;
        }
        double perEpoch = recentSpent.toNanos() / 1e9 / recent;
        double left = Duration.between(now, deadline).toNanos() / 1e9;
        long more = fitting(left, perEpoch);
        if (lastDone + more < planned) {
            int epochs = (int) Math.max(lastDone + 1, lastDone + more);
            return new Plan(epochs, perEpoch, perEpoch, left, lastDone + more >= epochs, false, planned);
        }
        if (recent < RECENT_EPOCHS) {
            return null;
        }
        double allowed = perEpoch * slack;
        long moreWithSlack = fitting(left, allowed);
        int epochs = (int) Math.min(mostEpochs, lastDone + moreWithSlack);
        if (epochs <= planned) {
            return null;
        }
        return new Plan(epochs, perEpoch, allowed, left, true, epochs == mostEpochs && lastDone + moreWithSlack > mostEpochs,
                planned);
    }

    /** How many whole epochs of {@code perEpoch} seconds fit in {@code left} seconds (none when late). */
    private static long fitting(double left, double perEpoch) {
        return left <= 0 ? 0 : (long) Math.floor(left / perEpoch);
    }

    /**
     * @param epochs the run's epochs from now on
     * @param perEpoch mean seconds of the epochs so far
     * @param allowed seconds each later epoch is allowed
     * @param left seconds to the deadline at the plan
     * @param fits whether the planned epochs fit in the time left at the allowed pace
     * @param capped whether more would have fitted than the run's most epochs
     * @param revisedFrom the epochs planned before, for a revision ({@link #revise}); 0 for the plan itself
     */
    public record Plan(int epochs, double perEpoch, double allowed, double left, boolean fits, boolean capped,
            int revisedFrom) {

        /** Whether this plan cuts an earlier one. */
        public boolean cut() {
            return revisedFrom > 0 && epochs < revisedFrom;
        }

        /** Whether this plan extends an earlier one. */
        public boolean extended() {
            return revisedFrom > 0 && epochs > revisedFrom;
        }

        /** One line for the log. */
        public String describe(int lastDone) {
            if (cut()) {
                String text = String.format(Locale.ROOT, "time budget: running late after epoch %d (%.1f s an epoch"
                        + " lately), %.1f min left; %d epochs in all instead of %d, the anneal shortened from here",
                        lastDone, perEpoch, left / 60, epochs, revisedFrom);
                return fits ? text : text + "; even one more epoch does not fit, so the run will end late";
            }
            if (extended()) {
                String text = String.format(Locale.ROOT, "time budget: ahead after epoch %d (%.1f s an epoch lately,"
                        + " each later one allowed %.1f s), %.1f min left; %d epochs in all instead of %d, the anneal"
                        + " lengthened from here", lastDone, perEpoch, allowed, left / 60, epochs, revisedFrom);
                return capped ? text + "; the most epochs allowed, more would fit" : text;
            }
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
