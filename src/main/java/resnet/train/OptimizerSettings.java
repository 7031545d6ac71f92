package resnet.train;

import java.util.Locale;

/**
 * Which optimiser, with its settings (the learning rate comes from the {@link Schedule}).
 *
 * <pre>{@code
 * OptimizerSettings.sgd(0.9, 5e-4, true)     // SGD, momentum 0.9, weight decay 5e-4, Nesterov
 * OptimizerSettings.adam(0)                  // Adam, betas 0.9 / 0.999, eps 1e-8, no weight decay
 * }</pre>
 *
 * @param kind SGD or ADAM
 * @param momentum SGD's momentum (0 for plain SGD)
 * @param weightDecay L2 penalty added to the gradient, {@code grad + weightDecay · w}, as PyTorch does
 * @param nesterov SGD with Nesterov momentum
 * @param beta1 Adam's decay of the mean of gradients
 * @param beta2 Adam's decay of the mean of squared gradients
 * @param epsilon Adam's guard against division by 0
 */
public record OptimizerSettings(Kind kind, double momentum, double weightDecay, boolean nesterov,
        double beta1, double beta2, double epsilon) {

    /** The optimisers the fit loop offers. */
    public enum Kind { SGD, ADAM }

    public OptimizerSettings {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind must be SGD or ADAM, got null");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be 0 or more, got " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum above 0");
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam's betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        }
    }

    /** SGD with momentum and weight decay. */
    public static OptimizerSettings sgd(double momentum, double weightDecay, boolean nesterov) {
        return new OptimizerSettings(Kind.SGD, momentum, weightDecay, nesterov, 0.9, 0.999, 1e-8);
    }

    /** Adam with PyTorch's defaults (betas 0.9 and 0.999, epsilon 1e-8) and an L2 weight decay. */
    public static OptimizerSettings adam(double weightDecay) {
        return new OptimizerSettings(Kind.ADAM, 0, weightDecay, false, 0.9, 0.999, 1e-8);
    }

    /** {@code sgd} or {@code adam} with the command line's settings. */
    public static OptimizerSettings named(String name, double momentum, double weightDecay, boolean nesterov) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "sgd" -> sgd(momentum, weightDecay, nesterov);
            case "adam" -> adam(weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known: sgd, adam");
        };
    }

    /** A new optimiser with these settings and empty state. */
    public ResumableOptimizer create() {
        return new ResumableOptimizer(this);
    }

    @Override
    public String toString() {
        return kind == Kind.SGD
                ? String.format(Locale.ROOT, "sgd(momentum=%s, weight_decay=%s%s)", momentum, weightDecay, nesterov ? ", nesterov" : "")
                : String.format(Locale.ROOT, "adam(betas=%s/%s, eps=%s, weight_decay=%s)", beta1, beta2, epsilon, weightDecay);
    }
}
