package resnet;

import java.util.Locale;

/**
 * The series' one switch between full mode (the real experiment) and quick mode (the same code on
 * less data and fewer epochs, so that every notebook runs headless in minutes on two cores).
 *
 * <p>Quick mode is on when the environment variable {@value #ENV} (or the system property
 * {@value #PROPERTY}) is {@code 1}, {@code true} or {@code yes}. Quick mode changes sizes, never
 * code paths: callers pass both sizes to {@link #pick(int, int)} and run the same code.
 */
public final class RunMode {

    /** The environment variable the notebook test sets. */
    public static final String ENV = "RESNET_QUICK";
    /** The system property that does the same for plain Java runs. */
    public static final String PROPERTY = "resnet.quick";

    private RunMode() {}

    /** Whether quick mode is on. */
    public static boolean quick() {
        String value = System.getProperty(PROPERTY);
        if (value == null) {
            value = System.getenv(ENV);
        }
        return isTrue(value);
    }

    static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }

    /** {@code full} in full mode, {@code quick} in quick mode. */
    public static int pick(int full, int quick) {
        return quick() ? quick : full;
    }

    /** {@code full} in full mode, {@code quick} in quick mode. */
    public static long pick(long full, long quick) {
        return quick() ? quick : full;
    }

    /** {@code full} in full mode, {@code quick} in quick mode. */
    public static double pick(double full, double quick) {
        return quick() ? quick : full;
    }

    /** One line for the top of a notebook: which mode runs, and how to change it. */
    public static String describe() {
        return quick()
                ? "quick mode (" + ENV + "=1): smaller data and fewer epochs, same code"
                : "full mode: the real experiment (set " + ENV + "=1 for a quick run)";
    }
}
