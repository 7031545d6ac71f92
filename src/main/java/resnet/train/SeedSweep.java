package resnet.train;

import ai.djl.nn.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.LongStream;
import resnet.TextTable;
import resnet.data.ImageSet;
import resnet.data.TrainingData;

/**
 * One setup trained once per seed, so that a comparison of setups carries its spread. A seed fixes
 * the initialisation, the order of the training images and the augmentation of every epoch
 * ({@link FitConfig#seed()}); the split into training and validation images is the one in the
 * {@link TrainingData} given, the same for every seed and every setup. Two sweeps over the same
 * seeds therefore differ only in the network (or the config) they were given.
 *
 * <pre>{@code
 * List<Long> seeds = SeedSweep.seeds(3);
 * SeedSweep plain = SeedSweep.run("plain56", () -> ResNet.build(spec.plain()), data, config, test, seeds);
 * SeedSweep residual = SeedSweep.run("resnet56", () -> ResNet.build(spec), data, config, test, seeds);
 * System.out.println(SeedSweep.table(List.of(plain, residual)));
 * boolean clear = plain.trainError().separatedFrom(residual.trainError());
 * }</pre>
 *
 * @param name the setup's name in tables and charts
 * @param seeds the seeds, in the order they ran
 * @param trials one trial per seed, in the same order
 */
public record SeedSweep(String name, List<Long> seeds, List<Trial> trials) {

    public SeedSweep {
        Objects.requireNonNull(name, "name");
        seeds = List.copyOf(seeds);
        trials = List.copyOf(trials);
        if (seeds.size() != trials.size()) {
            throw new IllegalArgumentException("a sweep needs one trial per seed, got " + seeds.size()
                    + " seeds and " + trials.size() + " trials");
        }
    }

    /**
     * Trains a fresh network for every seed with {@code config.withSeed(seed)}, then evaluates it
     * ({@link Trial#run}). A seed whose loss blows up is recorded as diverged, not thrown.
     *
     * @param network called once per seed for a new, uninitialised block
     * @param test the test images, or null for none
     * @param seeds at least one seed, none repeated
     * @param listeners progress listeners for every trial
     * @throws IllegalArgumentException when there is no seed or a seed is repeated
     */
    public static SeedSweep run(String name, Supplier<Block> network, TrainingData data, FitConfig config,
            ImageSet test, List<Long> seeds, FitListener... listeners) {
        Objects.requireNonNull(network, "network");
        if (seeds == null || seeds.isEmpty()) {
            throw new IllegalArgumentException("a seed sweep of '" + name + "' needs at least one seed, got none");
        }
        if (seeds.stream().distinct().count() != seeds.size()) {
            throw new IllegalArgumentException("the seeds of '" + name + "' repeat: " + seeds
                    + "; a repeated seed trains the same network twice and narrows the spread falsely");
        }
        List<Trial> trials = new ArrayList<>();
        for (long seed : seeds) {
            trials.add(Trial.run(name + " seed " + seed, network.get(), data, config.withSeed(seed), test, listeners));
        }
        return new SeedSweep(name, seeds, trials);
    }

    /** The seeds 1, 2, ..., {@code count}. */
    public static List<Long> seeds(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a sweep needs at least one seed, got " + count);
        }
        return LongStream.rangeClosed(1, count).boxed().toList();
    }

    /** Any per-trial number over the seeds, e.g. {@code sweep.of(Trial::trainError)}. */
    public Spread of(ToDoubleFunction<Trial> metric) {
        return Spread.of(trials.stream().mapToDouble(metric).toArray());
    }

    /** Fraction of training images wrong after training (fresh pass, inference mode), over the seeds. */
    public Spread trainError() {
        return of(Trial::trainError);
    }

    /** Fraction of test images wrong, over the seeds (n = 0 without a test set). */
    public Spread testError() {
        return of(Trial::testError);
    }

    /** Cross-entropy of the final weights on the training images, over the seeds. */
    public Spread trainLoss() {
        return of(Trial::trainLoss);
    }

    /** Wall time of one trial (training and evaluation), over the seeds. */
    public Spread seconds() {
        return of(Trial::seconds);
    }

    /** How many seeds diverged (their loss became NaN or infinite). */
    public int diverged() {
        return (int) trials.stream().filter(Trial::diverged).count();
    }

    /**
     * One row per sweep: its name, the number of seeds, training and test error as mean ± sd with
     * the range over the seeds, how many seeds diverged (left out of the statistics), and the
     * mean wall time of one run.
     */
    public static String table(List<SeedSweep> sweeps) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"network", "seeds", "training error", "range", "test error", "range",
            "diverged", "s per run"});
        for (SeedSweep sweep : sweeps) {
            Spread train = sweep.trainError();
            Spread test = sweep.testError();
            cells.add(new String[] {sweep.name(), String.valueOf(sweep.seeds().size()), train.percent(),
                train.range("%.2f", 100), test.percent(), test.range("%.2f", 100),
                String.valueOf(sweep.diverged()), String.format(Locale.ROOT, "%.0f", sweep.seconds().mean())});
        }
        return TextTable.align(cells, 1, true);
    }
}
