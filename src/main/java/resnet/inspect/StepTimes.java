package resnet.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import resnet.TextTable;

/**
 * Several steps timed on one interleaved schedule, so that they can be compared on a machine that
 * other work shares.
 *
 * <pre>{@code
 * Map<String, Block> nets = new LinkedHashMap<>();
 * nets.put("resnet34", ResNet.resnet34(1000));
 * nets.put("resnet50", ResNet.resnet50(1000));
 * StepTimes t = StepTimes.forwardBackward(nets, new Shape(3, 224, 224), 2, 1, 5);
 * System.out.println(t);                                        // medians, ranges, load average
 * System.out.println(t.ratio("resnet50", "resnet34").describe());
 * }</pre>
 *
 * <p>Timing one setup after the other (all of A, then all of B) lets a busy minute of the machine
 * fall on one of them only, and its median then carries that minute. Here every round runs every
 * step once, so a slow spell slows a whole round, and the per-round ratio of two steps cancels it.
 * Rounds alternate the order (A B, then B A) so that a machine that slowly speeds up or slows down
 * does not favour whichever step runs first. A comparison is {@linkplain Ratio#decided() decided}
 * only when every round puts the two steps in the same order; otherwise the machine could not tell
 * them apart at this number of rounds.
 *
 * @param names what each step is called, in the order given
 * @param imagesPerStep images one step processes (its batch), for the per-image figures
 * @param rounds {@code rounds.get(r).get(i)}: seconds of step {@code names.get(i)} in timed round r
 * @param loadBefore the 1-minute load average just before the first timed round (negative where the
 *     system has none)
 * @param loadAfter the same just after the last round
 */
public record StepTimes(List<String> names, int imagesPerStep, List<List<Double>> rounds, double loadBefore,
        double loadAfter) {

    /**
     * @throws IllegalArgumentException when a name repeats, there is no step or round, a round's
     *     length is not the number of steps, or a time is negative or not finite
     */
    public StepTimes {
        names = List.copyOf(names);
        rounds = rounds.stream().map(List::copyOf).toList();
        if (names.isEmpty() || rounds.isEmpty()) {
            throw new IllegalArgumentException("need at least one step and one round, got " + names.size()
                    + " steps and " + rounds.size() + " rounds");
        }
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("step names must differ, got " + names);
        }
        if (imagesPerStep < 1) {
            throw new IllegalArgumentException("imagesPerStep must be at least 1, got " + imagesPerStep);
        }
        for (List<Double> round : rounds) {
            if (round.size() != names.size()) {
                throw new IllegalArgumentException("each round needs one time per step " + names + ", got " + round);
            }
            if (round.stream().anyMatch(s -> !Double.isFinite(s) || s < 0)) {
                throw new IllegalArgumentException("step times must be finite and not negative, got " + round);
            }
        }
    }

    /** A block to time, with the shape of one of its input images (channels, height, width). */
    public record Entry(String name, Block block, Shape image) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(block, "block");
            Summary.checkImage(image);
        }
    }

    /**
     * Times {@code steps} on the interleaved schedule: {@code warmup} untimed rounds, then
     * {@code rounds} timed ones, every step once per round, the order reversed in every other round.
     *
     * @param steps the steps by name, in the order of the first round; each call is one step
     * @param imagesPerStep images one step processes (for the per-image figures)
     * @throws IllegalArgumentException when there is no step, or {@code warmup < 0} or {@code rounds < 1}
     */
    public static StepTimes interleaved(Map<String, Runnable> steps, int imagesPerStep, int warmup, int rounds) {
        if (steps.isEmpty() || warmup < 0 || rounds < 1 || imagesPerStep < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "need at least one step, imagesPerStep >= 1, warmup >= 0 and rounds >= 1, got %d steps,"
                            + " imagesPerStep %d, warmup %d, rounds %d",
                    steps.size(), imagesPerStep, warmup, rounds));
        }
        List<String> names = List.copyOf(steps.keySet());
        List<Runnable> runs = List.copyOf(steps.values());
        for (int r = 0; r < warmup; r++) {
            for (int i : order(runs.size(), r)) {
                runs.get(i).run();
            }
        }
        double before = loadAverage();
        List<List<Double>> timed = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Double[] round = new Double[runs.size()];
            for (int i : order(runs.size(), warmup + r)) {
                long start = System.nanoTime();
                runs.get(i).run();
                round[i] = (System.nanoTime() - start) / 1e9;
            }
            timed.add(List.of(round));
        }
        return new StepTimes(names, imagesPerStep, timed, before, loadAverage());
    }

    /**
     * The indices {@code 0 .. n-1} in the order round {@code round} runs them: as given in even
     * rounds (counting the warm-up rounds), reversed in odd ones.
     */
    static List<Integer> order(int n, int round) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(round % 2 == 0 ? i : n - 1 - i);
        }
        return order;
    }

    /**
     * Times one forward and backward pass of each block (training mode, the mean square of the
     * output as the loss) on the interleaved schedule, {@code batch} images a step. Each block gets
     * one batch of random images, made before the timing; uninitialised blocks are initialised for
     * the timing and given back without arrays, as {@link StepTime} does.
     *
     * @throws IllegalArgumentException when a size is out of range or a block does not take its
     *     image shape (with the block's own message), before anything is timed
     */
    public static StepTimes forwardBackward(List<Entry> entries, int batch, int warmup, int rounds) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (byName.put(entry.name(), entry) != null) {
                throw new IllegalArgumentException("two entries are called '" + entry.name() + "'");
            }
            entry.block().getOutputShapes(new Shape[] {input(entry, batch)}); // a wrong shape fails here
        }
        NDManager manager = NDManager.newBaseManager();
        List<Entry> borrowed = new ArrayList<>();
        try {
            Map<String, Runnable> steps = new LinkedHashMap<>();
            for (Entry entry : byName.values()) {
                Shape input = input(entry, batch);
                if (StepTime.prepare(entry.block(), manager, input)) {
                    borrowed.add(entry);
                }
                NDArray x = manager.randomNormal(input);
                steps.put(entry.name(), () -> {
                    try (NDManager scope = manager.newSubManager()) {
                        StepTime.forwardBackward(entry.block(), new ParameterStore(scope, false), x);
                    }
                });
            }
            return interleaved(steps, batch, warmup, rounds);
        } finally {
            borrowed.forEach(entry -> StepTime.giveBack(entry.block(), true));
            manager.close();
        }
    }

    /** {@link #forwardBackward(List, int, int, int)} for blocks that take the same image shape. */
    public static StepTimes forwardBackward(Map<String, ? extends Block> blocks, Shape image, int batch, int warmup,
            int rounds) {
        List<Entry> entries = new ArrayList<>();
        blocks.forEach((name, block) -> entries.add(new Entry(name, block, image)));
        return forwardBackward(entries, batch, warmup, rounds);
    }

    private static Shape input(Entry entry, int batch) {
        return new Shape(batch).addAll(entry.image());
    }

    /** The 1-minute load average of the system, negative where there is none. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The times of step {@code name}, one per round. */
    public List<Double> seconds(String name) {
        int i = index(name);
        return rounds.stream().map(round -> round.get(i)).toList();
    }

    /** The median time of step {@code name}, in seconds. */
    public double medianSeconds(String name) {
        return median(seconds(name));
    }

    /** The fastest round of step {@code name}, in seconds. */
    public double minSeconds(String name) {
        return seconds(name).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** The slowest round of step {@code name}, in seconds. */
    public double maxSeconds(String name) {
        return seconds(name).stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The median time of step {@code name} divided by its images: seconds per image. */
    public double secondsPerImage(String name) {
        return medianSeconds(name) / imagesPerStep;
    }

    /**
     * Step {@code a} against step {@code b}: the ratio of their times in each round, then the median
     * and the range of those ratios.
     */
    public Ratio ratio(String a, String b) {
        int i = index(a);
        int j = index(b);
        List<Double> perRound = rounds.stream().map(round -> round.get(i) / round.get(j)).toList();
        return new Ratio(a, b, perRound);
    }

    private int index(String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no step called '" + name + "'; steps: " + names);
        }
        return i;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Time of step {@code a} over time of step {@code b}, round by round.
     *
     * @param perRound one ratio per timed round
     */
    public record Ratio(String a, String b, List<Double> perRound) {

        public Ratio {
            perRound = List.copyOf(perRound);
            if (perRound.isEmpty()) {
                throw new IllegalArgumentException("a ratio needs at least one round");
            }
        }

        public double median() {
            return StepTimes.median(perRound);
        }

        public double min() {
            return perRound.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        public double max() {
            return perRound.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        /** Whether every round found {@code a} slower than {@code b}, or every round found it faster. */
        public boolean decided() {
            return min() > 1 || max() < 1;
        }

        /**
         * E.g. {@code resnet50 / resnet34: x 2.41 (rounds 2.30..2.55): slower in all 5 rounds}, or,
         * when the rounds disagree, {@code ...: the rounds disagree: not told apart}: at this number
         * of rounds and this load, the machine could not tell which of the two is faster.
         */
        public String describe() {
            String verdict = !decided() ? "the rounds disagree: not told apart"
                    : (min() > 1 ? "slower" : "faster") + " in all " + perRound.size() + " rounds";
            return String.format(Locale.ROOT, "%s / %s: x %.2f (rounds %.2f..%.2f): %s", a, b, median(), min(), max(),
                    verdict);
        }
    }

    /**
     * One line per step (median seconds per image, the range over the rounds, and the range as a
     * share of the median), then the schedule and the load average around it.
     */
    @Override
    public String toString() {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"step", "s per image", "range over rounds", "spread"});
        for (String name : names) {
            double median = medianSeconds(name);
            cells.add(new String[] {name, String.format(Locale.ROOT, "%.4f", median / imagesPerStep),
                String.format(Locale.ROOT, "%.4f..%.4f", minSeconds(name) / imagesPerStep, maxSeconds(name) / imagesPerStep),
                String.format(Locale.ROOT, "%.0f%%", 100 * (maxSeconds(name) - minSeconds(name)) / median)});
        }
        return TextTable.align(cells, 1, true) + String.format(Locale.ROOT,
                "%d interleaved rounds, batch %d; load average %s before, %s after, on %d processors",
                rounds.size(), imagesPerStep, load(loadBefore), load(loadAfter), Runtime.getRuntime().availableProcessors());
    }

    private static String load(double value) {
        return value < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", value);
    }
}
