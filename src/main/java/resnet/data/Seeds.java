package resnet.data;

/**
 * Derives independent seeds from a run's one seed, so that what happens in epoch e depends on (seed,
 * e) only, never on what ran before: a run resumed at epoch e shuffles and augments exactly as an
 * uninterrupted one.
 */
public final class Seeds {

    /** Purpose tags, so that shuffling and augmenting in the same epoch draw different numbers. */
    public static final long SPLIT = 1, ORDER = 2, AUGMENT = 3, SAMPLE = 4;

    private Seeds() {}

    /** A well-mixed 64-bit seed from several values (SplitMix64 steps over each). */
    public static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h = splitMix(h ^ v);
        }
        return h;
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
