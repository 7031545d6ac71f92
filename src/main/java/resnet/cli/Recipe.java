package resnet.cli;

import java.util.Locale;

/**
 * A named set of {@code train} defaults ({@code --recipe NAME}); an option given on the command line
 * wins over its recipe's value. The values were chosen on Fashion-MNIST's validation split (README,
 * "Recipes"), never on its test set.
 *
 * @param augment the {@code --augment} kind, or null for the data set's own default
 * @param padding the {@code --padding} of a crop kind, or 0 for the kind's own (4 pixels)
 * @param validRatio the share held out for validation; 0 trains on the whole training set
 * @param minutes the {@code --minutes} budget, 0 for none (then {@code epochs} is the run's length,
 *     else its most)
 */
record Recipe(String id, String summary, int epochs, int batch, double lr, String augment, int padding, double erase,
        double labelSmoothing, boolean flipTta, double validRatio, double minutes) {

    /** The defaults of {@code train}: about 10 minutes for ResNet-20 on Fashion-MNIST on 2 cores. */
    static final Recipe DEFAULT = new Recipe("default", "about 10 minutes", TrainCommand.EPOCHS, TrainCommand.BATCH,
            TrainCommand.LR, null, 0, 0, TrainCommand.LABEL_SMOOTHING, true, 0.2, 0);

    /**
     * Fashion-MNIST's best within an hour of 2 cores, aiming at 95%: as many epochs as fit in 58
     * minutes ({@code --minutes}; at most 60; 22 to 41 on the 2-core machines of the README's
     * runs, against the default's 8), the whole training set (no validation part) and random erasing
     * against the overfitting of a long run. Its command in the README also sets
     * {@code RESNET_FPMATH=bf16} (bfloat16 math in the convolutions, where the processor has it),
     * which a recipe cannot: oneDNN reads it from the environment, which a running JVM cannot change.
     * What it reached is in the README ("Recipes").
     */
    static final Recipe BEST = new Recipe("best", "within an hour", 60, 128, 0.2, "flip", 0, 0.5, 0.1, true, 0, 58);

    static Recipe named(String name) {
        String id = name.trim().toLowerCase(Locale.ROOT);
        return switch (id) {
            case "default" -> DEFAULT;
            case "best" -> BEST;
            default -> throw new IllegalArgumentException("unknown recipe '" + name + "'; known: default, best");
        };
    }

    /** Two lines per recipe for the usage text. */
    static String table(String indent) {
        StringBuilder text = new StringBuilder();
        for (Recipe r : new Recipe[] {DEFAULT, BEST}) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(indent).append(String.format(Locale.ROOT, "%-8s --epochs %d --batch %d --lr %s --augment %s%s"
                    + " --erase %s%n%s         --label-smoothing %s --tta %s --valid-ratio %s%s", r.id, r.epochs, r.batch,
                    r.lr, r.augment == null ? "(data set's)" : r.augment, r.padding > 0 ? " --padding " + r.padding : "",
                    r.erase, indent, r.labelSmoothing, r.flipTta ? "flip" : "none", r.validRatio,
                    r.minutes > 0 ? " --minutes " + r.minutes : ""));
        }
        return text.toString();
    }
}
