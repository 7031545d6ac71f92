package resnet.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One quantity measured over several seeds: how many finite values there were, their mean, sample
 * standard deviation, smallest and largest. The series states every comparison of two setups this
 * way, because one seed of a small network on a short budget can differ from the next by more than
 * the effect being claimed.
 *
 * <p>NaN and infinite values (a seed whose training diverged) are left out, so {@link #n()} can be
 * smaller than the number of seeds; with no finite value every statistic is NaN.
 *
 * @param n the number of finite values
 * @param mean their mean
 * @param sd their sample standard deviation (divisor n - 1), 0 for a single value
 * @param min the smallest value
 * @param max the largest value
 */
public record Spread(int n, double mean, double sd, double min, double max) {

    /** The spread of the finite values among {@code values}. */
    public static Spread of(double... values) {
        double[] finite = Arrays.stream(values).filter(Double::isFinite).toArray();
        int n = finite.length;
        if (n == 0) {
            return new Spread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(finite).sum() / n;
        double squares = Arrays.stream(finite).map(v -> (v - mean) * (v - mean)).sum();
        double sd = n == 1 ? 0 : Math.sqrt(squares / (n - 1));
        return new Spread(n, mean, sd, Arrays.stream(finite).min().getAsDouble(),
                Arrays.stream(finite).max().getAsDouble());
    }

    /** The spread of the finite values among {@code values}. */
    public static Spread of(List<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * "mean ± sd" with each number multiplied by {@code scale} and written with
     * {@code numberFormat}: {@code format("%.2f", 100)} gives "7.12 ± 0.31" for errors of 0..1.
     */
    public String format(String numberFormat, double scale) {
        if (n == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, numberFormat + " ± " + numberFormat, scale * mean, scale * sd);
    }

    /** A fraction of 0..1 as a percentage with its spread: "7.12 ± 0.31%". */
    public String percent() {
        return n == 0 ? "n/a" : format("%.2f", 100) + "%";
    }

    /** "min..max", each number multiplied by {@code scale}: {@code range("%.2f", 100)} gives "6.80..7.50". */
    public String range(String numberFormat, double scale) {
        if (n == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, numberFormat + ".." + numberFormat, scale * min, scale * max);
    }

    /**
     * Whether every value of one quantity lies above every value of the other: the [min, max] ranges
     * do not overlap. With three seeds a side this is the plainest test a reader can check by eye;
     * when it fails, the difference of the means is inside the seed-to-seed variation.
     */
    public boolean separatedFrom(Spread other) {
        if (n == 0 || other.n == 0) {
            return false;
        }
        return max < other.min || other.max < min;
    }
}
