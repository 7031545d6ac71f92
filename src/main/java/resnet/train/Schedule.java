package resnet.train;

/**
 * A learning rate as a function of training progress: {@code at(p)} with p = completed epochs plus
 * the fraction of the current one (p = 2.5 is half way through the third epoch). The fit loop asks
 * before every step, so a schedule that changes within an epoch (cosine, one-cycle) moves smoothly,
 * and one that changes between epochs (step) moves at epoch boundaries.
 *
 * <pre>{@code
 * Schedule.step(0.1, 30, 0.1)          // the notes' StepLR(step_size=30, gamma=0.1)
 * Schedule.cosine(0.1, 8)              // from 0.1 down to 0 over 8 epochs
 * Schedule.oneCycle(0.2, 8, 1)         // 1 epoch up from 0.2/25 to 0.2, then cosine down to 0.2/25e4
 * Schedule.swa(0.2, 40, 1, 0.25, 0.02) // the same rise, cosine down to 0.02 by epoch 30, then 0.02 flat
 * }</pre>
 */
public sealed interface Schedule permits Schedule.Constant, Schedule.Step, Schedule.Cosine, Schedule.OneCycle,
        Schedule.Swa {

    /** The learning rate at progress {@code p} (in epochs, from 0). */
    double at(double p);

    /** The learning rate for the first step of epoch {@code epoch} (counted from 1, as the history counts). */
    default double atEpoch(int epoch) {
        return at(epoch - 1);
    }

    /** The peak learning rate (the base one for constant, step and cosine). */
    double peak();

    /** The same schedule with another peak learning rate. */
    Schedule withPeak(double lr);

    /** The same lr all the time. */
    static Schedule constant(double lr) {
        return new Constant(lr);
    }

    /** PyTorch's {@code StepLR(step_size, gamma)}: lr · gamma^floor(epoch / stepSize), changing between epochs. */
    static Schedule step(double lr, int stepSize, double gamma) {
        return new Step(lr, stepSize, gamma);
    }

    /** Half a cosine from {@code lr} at the start to 0 after {@code epochs}, step by step. */
    static Schedule cosine(double lr, int epochs) {
        return new Cosine(lr, epochs);
    }

    /**
     * One cycle (Smith and Topin): a linear warm-up from maxLr / 25 to maxLr over {@code warmupEpochs},
     * then half a cosine down to maxLr / 25 / 10^4 at the end of {@code epochs} (PyTorch's
     * {@code OneCycleLR} defaults, with a linear warm-up).
     */
    static Schedule oneCycle(double maxLr, int epochs, double warmupEpochs) {
        return new OneCycle(maxLr, epochs, warmupEpochs);
    }

    /**
     * One cycle that ends in a flat phase for stochastic weight averaging (Izmailov et al. 2018,
     * "Averaging Weights Leads to Wider Optima and Better Generalization"): the one-cycle warm-up to
     * {@code maxLr}, half a cosine down to {@code averageLr} by the start of the last {@code share}
     * of the epochs, then {@code averageLr} to the end. {@link Fit} averages the weights at the end
     * of each epoch of that last part and recomputes BatchNorm's statistics for the average.
     *
     * @param share the part of the epochs averaged, in (0, 1): 0.25 of 40 epochs averages the last 10
     *     (at least one epoch, and never the warm-up)
     */
    static Swa swa(double maxLr, int epochs, double warmupEpochs, double share, double averageLr) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("the averaged share of the epochs must be above 0 and below 1, got "
                    + share);
        }
        return new Swa(maxLr, epochs, warmupEpochs, Swa.averageFrom(epochs, warmupEpochs, share), averageLr);
    }

    /**
     * The schedule called {@code name} ({@code constant}, {@code step}, {@code cosine}, {@code onecycle})
     * with the command line's settings.
     *
     * @param stepSize epochs between drops (step only)
     * @param gamma factor of each drop (step only)
     * @param warmup warm-up epochs (onecycle only)
     */
    static Schedule named(String name, double lr, int epochs, int stepSize, double gamma, double warmup) {
        return switch (name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "constant" -> constant(lr);
            case "step" -> step(lr, stepSize, gamma);
            case "cosine" -> cosine(lr, epochs);
            case "onecycle", "one-cycle" -> oneCycle(lr, epochs, warmup);
            default -> throw new IllegalArgumentException(
                    "unknown schedule '" + name + "'; known: constant, step, cosine, onecycle");
        };
    }

    /** Half a cosine from {@code high} at t = 0 down to {@code low} at t = 1. */
    private static double halfCosine(double high, double low, double t) {
        return low + (high - low) * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    private static void check(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        }
    }

    private static void checkEpochs(String what, double epochs) {
        if (!(epochs > 0)) {
            throw new IllegalArgumentException(what + " must be positive, got " + epochs);
        }
    }

    /** The same rate all the time. */
    record Constant(double lr) implements Schedule {
        public Constant {
            check(lr);
        }

        @Override
        public double at(double p) {
            return lr;
        }

        @Override
        public double peak() {
            return lr;
        }

        @Override
        public Schedule withPeak(double lr) {
            return new Constant(lr);
        }

        @Override
        public String toString() {
            return "constant(lr=" + lr + ")";
        }
    }

    /** StepLR: a drop by gamma every stepSize epochs. */
    record Step(double lr, int stepSize, double gamma) implements Schedule {
        public Step {
            check(lr);
            checkEpochs("stepSize", stepSize);
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1] (0.1 divides the rate by 10), got " + gamma);
            }
        }

        @Override
        public double at(double p) {
            return lr * Math.pow(gamma, Math.floor(Math.floor(p) / stepSize));
        }

        @Override
        public double peak() {
            return lr;
        }

        @Override
        public Schedule withPeak(double lr) {
            return new Step(lr, stepSize, gamma);
        }

        @Override
        public String toString() {
            return "step(lr=" + lr + ", step=" + stepSize + ", gamma=" + gamma + ")";
        }
    }

    /** Cosine annealing to 0 over the run. */
    record Cosine(double lr, int epochs) implements Schedule {
        public Cosine {
            check(lr);
            checkEpochs("epochs", epochs);
        }

        @Override
        public double at(double p) {
            return halfCosine(lr, 0, Math.min(Math.max(p / epochs, 0), 1));
        }

        @Override
        public double peak() {
            return lr;
        }

        @Override
        public Schedule withPeak(double lr) {
            return new Cosine(lr, epochs);
        }

        @Override
        public String toString() {
            return "cosine(lr=" + lr + ", epochs=" + epochs + ")";
        }
    }

    /** Linear warm-up, then cosine down. */
    record OneCycle(double maxLr, int epochs, double warmupEpochs) implements Schedule {
        static final double START_DIVISOR = 25;
        static final double FINAL_DIVISOR = 1e4;

        public OneCycle {
            check(maxLr);
            checkEpochs("epochs", epochs);
            if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) {
                throw new IllegalArgumentException(
                        "warm-up must be at least 0 and shorter than the " + epochs + " epochs, got " + warmupEpochs);
            }
        }

        @Override
        public double at(double p) {
            double start = maxLr / START_DIVISOR;
            if (p < warmupEpochs) {
                return start + (maxLr - start) * Math.max(p, 0) / warmupEpochs;
            }
            double end = start / FINAL_DIVISOR;
            return halfCosine(maxLr, end, Math.min((p - warmupEpochs) / (epochs - warmupEpochs), 1));
        }

        @Override
        public double peak() {
            return maxLr;
        }

        @Override
        public Schedule withPeak(double lr) {
            return new OneCycle(lr, epochs, warmupEpochs);
        }

        @Override
        public String toString() {
            return "onecycle(max=" + maxLr + ", epochs=" + epochs + ", warmup=" + warmupEpochs + ")";
        }
    }

    /**
     * One cycle into a flat phase of weight averaging ({@link #swa}): epochs {@code averageFrom + 1}
     * to {@code epochs} run at {@code averageLr}, and their weights are averaged.
     *
     * @param averageFrom the last epoch before the flat phase, at least the warm-up's last
     */
    record Swa(double maxLr, int epochs, double warmupEpochs, int averageFrom, double averageLr) implements Schedule {

        public Swa {
            check(maxLr);
            check(averageLr);
            checkEpochs("epochs", epochs);
            if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) {
                throw new IllegalArgumentException(
                        "warm-up must be at least 0 and shorter than the " + epochs + " epochs, got " + warmupEpochs);
            }
            if (averageFrom < Math.ceil(warmupEpochs) || averageFrom >= epochs) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "weight averaging must start"
                        + " after the warm-up (%s epochs) and leave at least one of the %d epochs to average, got"
                        + " averaging after epoch %d", warmupEpochs, epochs, averageFrom));
            }
            if (averageLr > maxLr) {
                throw new IllegalArgumentException("the averaging rate " + averageLr + " is above the peak " + maxLr
                        + "; the phase before it anneals down to it");
            }
        }

        /** The last epoch before the averaged {@code share} of {@code epochs}. */
        static int averageFrom(int epochs, double warmupEpochs, double share) {
            int averaged = Math.max(1, (int) Math.round(share * epochs));
            return Math.max((int) Math.ceil(warmupEpochs), epochs - averaged);
        }

        /** Whether the weights after epoch {@code epoch} (counted from 1) go into the average. */
        public boolean averages(int epoch) {
            return epoch > averageFrom && epoch <= epochs;
        }

        /** Epochs averaged. */
        public int averagedEpochs() {
            return epochs - averageFrom;
        }

        /** The same schedule over {@code epochs}, the flat phase starting after epoch {@code averageFrom}. */
        public Swa over(int epochs, int averageFrom) {
            return new Swa(maxLr, epochs, warmupEpochs, averageFrom, averageLr);
        }

        @Override
        public double at(double p) {
            double start = maxLr / OneCycle.START_DIVISOR;
            if (p < warmupEpochs) {
                return start + (maxLr - start) * Math.max(p, 0) / warmupEpochs;
            }
            if (p >= averageFrom) {
                return averageLr;
            }
            return halfCosine(maxLr, averageLr, (p - warmupEpochs) / (averageFrom - warmupEpochs));
        }

        @Override
        public double peak() {
            return maxLr;
        }

        @Override
        public Schedule withPeak(double lr) {
            return new Swa(lr, epochs, warmupEpochs, averageFrom, Math.min(averageLr, lr));
        }

        @Override
        public String toString() {
            return "swa(max=" + maxLr + ", epochs=" + epochs + ", warmup=" + warmupEpochs + ", average after epoch "
                    + averageFrom + " at " + averageLr + ")";
        }
    }
}
