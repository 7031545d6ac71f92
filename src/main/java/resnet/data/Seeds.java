package resnet.data;

import java.util.Random;

/**
 * Derives independent seeds from a run's one seed, so that what happens in epoch e depends on (seed,
 * e) only, never on what ran before: a run resumed at epoch e shuffles and augments exactly as an
 * uninterrupted one.
 */
public final class Seeds {

    /** Purpose tags, so that shuffling and augmenting in the same epoch draw different numbers. */
    public static final long SPLIT = 1, ORDER = 2, AUGMENT = 3, SAMPLE = 4, TEST = 5;

    private Seeds() {}

    /** A well-mixed 64-bit seed from several values (SplitMix64 steps over each). */
    public static long mix(long... values) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : values) {
            h = splitMix(h ^ v);
        }
        return h;
    }

    /**
     * 0..n−1 in an order drawn from {@code seed} (a Fisher–Yates shuffle driven by
     * {@code java.util.Random}): the one shuffle behind the split, each epoch's batch order and the
     * sampling of examples, so that the same (seed, n) gives the same order everywhere.
     *
     * @param seed a seed already mixed for its purpose, e.g. {@code mix(seed, epoch, ORDER)}
     */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static long splitMix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
