package resnet.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import resnet.data.BatchLoader;
import resnet.data.TrainingData;

/**
 * The one training loop of the library, over DJL's {@link Trainer}: any model whose block takes a
 * batch of images (N, C, H, W) and returns class scores (N, classes) trains with it.
 *
 * <pre>{@code
 * try (Model model = Model.newInstance("resnet20")) {
 *     model.setBlock(ResNet.build(ResNet.spec("resnet20").withInputChannels(1)));
 *     Fit fit = new Fit(model, data, FitConfig.of(8, Schedule.oneCycle(0.1, 8, 1)).withModelName("resnet20"));
 *     History history = fit.listen(new ConsoleProgress()).run();
 * }
 * }</pre>
 *
 * <p>Each epoch: the training part in batches (order and augmentation from (seed, epoch)), one
 * {@link TrainingStep} per batch (forward, backward, update) with the learning rate the schedule
 * gives for that step, then the validation part in inference mode; then early stopping,
 * checkpoints, listeners. {@code resnet bench} times the same step.
 *
 * <p>What it guarantees:
 * <ul>
 *   <li><b>Reproducible</b>: one seed sets the engine's initialisation ({@code Engine.setRandomSeed}),
 *       the data order and the augmentation.</li>
 *   <li><b>Resumable</b>: with checkpoints and {@code resume}, a run interrupted after epoch e and
 *       started again continues from {@code last.ckpt} (weights, optimiser state, early-stopping
 *       state, history) and ends with the same history as an uninterrupted run, timing aside.</li>
 *   <li><b>Best weights</b>: the best epoch's weights (by the monitored validation metric) are put
 *       back at the end ({@link FitConfig#restoreBest()}), also when early stopping ends the run.</li>
 *   <li><b>Safe stops</b>: a run that diverges throws {@link NonFiniteLossException} naming the
 *       epoch and batch: a NaN or infinite training loss (before the bad update), a NaN or infinite
 *       validation loss, weights that hold NaN or infinity at the end of an epoch, and, when
 *       {@link #divergenceBound(double)} sets one, a batch's mean loss above that bound
 *       ({@link #divergenceBoundFor(int)}: a hundred times the loss of a uniform guess, what
 *       {@code resnet train} uses). The epoch that diverged is never written, neither as
 *       {@code last.ckpt} nor as {@code best.ckpt}; checkpoints are replaced atomically, so the last
 *       good one survives any interruption.</li>
 *   <li><b>One run per folder</b>: with checkpoints, the folder is locked ({@link RunLock}) for the
 *       whole run, so a second run into it is refused instead of mixing its files with this one's.</li>
 *   <li><b>Flat memory</b>: each batch's arrays, and all the step computes from them, live in a
 *       sub-manager closed after the step.</li>
 *   <li><b>Every device</b>: the batch is split across {@code Engine.getInstance().getDevices()}
 *       (all GPUs, or the CPU); the gradients are summed on the first.</li>
 * </ul>
 */
public final class Fit {

    /**
     * The usual divergence bound is this many times ln(classes), the cross-entropy of a uniform
     * guess: 230 for 10 classes. An untrained network starts near ln(classes); a batch whose mean
     * loss is a hundred times that is not a hard batch but a network whose outputs have blown up.
     */
    public static final double DIVERGENCE_FACTOR = 100;

    /**
     * {@link #DIVERGENCE_FACTOR} · ln(classes): 230.3 for 10 classes, 69.3 for 2.
     *
     * <p>Not the fit loop's default, which stops on NaN and infinity only: the series' notebooks
     * study divergence itself (notebook 03 reports where each run's loss became NaN), and a bound
     * would move those points a batch or two earlier.
     */
    public static double divergenceBoundFor(int classes) {
        return DIVERGENCE_FACTOR * Math.log(Math.max(2, classes));
    }

    /**
     * The time of the averaged weights' pass over the training images ({@link
     * WeightAverage#recomputeBatchNorm}), as a share of a training epoch's, which a budget keeps free
     * after the last epoch: a forward pass without the backward and the update.
     */
    static final double BATCH_NORM_PASS_SHARE = 0.4;

    private final Model model;
    private final TrainingData data;
    /**
     * The run's settings; a {@link TimeBudget} replaces its epochs (and the schedule's) after the warm-up,
     * and again only to cut them when the epochs run late.
     */
    private FitConfig config;
    private TimeBudget budget;
    /** The epochs the budget planned after the warm-up, before any cut. */
    private int originalPlan;
    /** The most epochs a budget may plan: the config's before the plan. */
    private int mostEpochs;
    /** The revisions of the plan so far, for {@link #stopReason()}: "27 after epoch 5 as the epochs ran faster". */
    private final List<String> revisions = new ArrayList<>();
    /** The time a budget is measured by; a test's own clock can stand in. */
    private Clock clock = Clock.systemUTC();
    private final List<FitListener> listeners = new ArrayList<>();
    private Device[] devices = Engine.getInstance().getDevices();
    private int bestEpoch;
    private String stopReason = "not run yet";
    private double lossBound = Double.POSITIVE_INFINITY;
    /**
     * For a {@link Schedule.Swa} schedule: the share of the epochs averaged, so that a budget's plan
     * places the averaged epochs at the end of the epochs it plans.
     */
    private double averageShare;
    /** For a {@link Schedule.Swa} schedule, once the run has ended: what the averaged weights did. */
    private Averaged averaged;
    /** Plain cross-entropy, whatever the training loss: validation losses stay comparable across runs. */
    private final Loss validationLoss = Loss.softmaxCrossEntropyLoss();

    /**
     * @param model with its block set; its arrays are made by the run (or loaded when resuming)
     * @param data training and validation parts
     */
    public Fit(Model model, TrainingData data, FitConfig config) {
        this.model = Objects.requireNonNull(model, "model");
        this.data = Objects.requireNonNull(data, "data");
        this.config = Objects.requireNonNull(config, "config");
        if (model.getBlock() == null) {
            throw new IllegalArgumentException("the model has no block: call model.setBlock(...) first");
        }
    }

    /** Adds a listener (progress bar, live chart, log); returns this. */
    public Fit listen(FitListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Trains on these devices instead of every device the engine sees; returns this. */
    public Fit onDevices(Device... devices) {
        if (devices.length == 0) {
            throw new IllegalArgumentException("at least one device is needed");
        }
        this.devices = devices.clone();
        return this;
    }

    /**
     * Stops the run when a batch's mean training loss exceeds {@code bound}, e.g. {@link
     * #divergenceBoundFor(int) divergenceBoundFor(classes)}; returns this. Without it the run stops on a NaN
     * or infinite loss only.
     *
     * @param bound a positive loss; {@code Double.POSITIVE_INFINITY} (the default) stops only on NaN or infinity
     */
    public Fit divergenceBound(double bound) {
        if (!(bound > 0)) {
            throw new IllegalArgumentException("the divergence bound must be a positive loss, got " + bound);
        }
        this.lossBound = bound;
        return this;
    }

    /**
     * Fits the run into a wall-clock budget; returns this. The config's epochs become the most the
     * run may take: after the warm-up (the first epoch of a constant rate), {@link TimeBudget#plan}
     * sets them to what fits, and the one-cycle anneal runs over those; after each later epoch
     * {@link TimeBudget#revise} cuts them if they run late. Only a schedule whose early epochs do not
     * depend on the run's length can be planned this way.
     *
     * @throws IllegalArgumentException for a step or cosine schedule (their first epochs already
     *     depend on the run's length) or a one-cycle warm-up as long as the run
     */
    public Fit within(TimeBudget budget) {
        Objects.requireNonNull(budget, "budget");
        if (!TimeBudget.canPlan(config.schedule())) {
            throw new IllegalArgumentException("a time budget needs a schedule whose first epochs do not depend on"
                    + " the run's length (onecycle, constant), got " + config.schedule());
        }
        if (TimeBudget.planEpoch(config.schedule()) >= config.epochs()) {
            throw new IllegalArgumentException("a time budget plans the epochs after the warm-up, but the warm-up of "
                    + config.schedule() + " leaves no epoch of the " + config.epochs() + " to plan");
        }
        this.budget = budget;
        return this;
    }

    /** Measures the epochs of a time budget by {@code clock} instead of the system's; returns this (for tests). */
    Fit clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The same schedule over {@code epochs} (a constant rate has no length); a weight-averaging one
     * keeps its averaged share at the end, unless averaging has begun by {@code epochDone}, when its
     * start stays where it is.
     */
    private Schedule withEpochs(Schedule schedule, int epochs, int epochDone) {
        if (schedule instanceof Schedule.OneCycle o) {
            return Schedule.oneCycle(o.maxLr(), epochs, o.warmupEpochs());
        }
        if (schedule instanceof Schedule.Swa s) {
            int from = s.averages(epochDone) ? s.averageFrom()
                    : Math.max(epochDone, Schedule.Swa.averageFrom(epochs, s.warmupEpochs(), averageShare));
            return s.over(epochs, Math.min(from, epochs - 1));
        }
        return schedule;
    }

    /**
     * What the averaged weights of a {@link Schedule.Swa} run did.
     *
     * @param firstEpoch the first epoch whose weights are in the mean
     * @param lastEpoch the last one
     * @param batchNormBatches the batches of the pass that measured BatchNorm's statistics anew
     * @param validLoss validation loss of the averaged weights (NaN without a validation part)
     * @param validAccuracy their validation accuracy (NaN without a validation part)
     * @param seconds the pass over the training images and the validation
     */
    public record Averaged(int firstEpoch, int lastEpoch, int batchNormBatches, double validLoss,
            double validAccuracy, double seconds) {

        /** "the average of epochs 31-40". */
        public String describe() {
            return firstEpoch == lastEpoch ? "the weights of epoch " + lastEpoch
                    : "the average of epochs " + firstEpoch + "-" + lastEpoch;
        }
    }

    /**
     * For a run on a {@link Schedule.Swa} schedule, after {@link #run()}: which epochs' weights the
     * model now holds, averaged, and how they validated; null for other schedules.
     */
    public Averaged averaged() {
        return averaged;
    }

    /** The epoch whose weights the model holds after {@link #run()} (when restoreBest is on). */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Why the run ended: all epochs done, early stopping, or already complete when resumed. */
    public String stopReason() {
        return stopReason;
    }

    /** One image's shape: (channels, height, width). */
    private Shape imageShape() {
        return new Shape(data.train().channels(), data.train().height(), data.train().width());
    }

    /**
     * Trains.
     *
     * @return every epoch, those of a resumed run's earlier part included
     * @throws IOException when a checkpoint cannot be written or read
     * @throws NonFiniteLossException when the loss becomes NaN or infinite
     * @throws IllegalStateException when resuming from a checkpoint of other settings
     */
    public History run() throws IOException {
        Path dir = config.checkpointDir();
        if (dir == null) {
            return runLocked();
        }
        try (RunLock lock = RunLock.acquire(dir)) {
            return runLocked();
        }
    }

    private History runLocked() throws IOException {
        Path dir = config.checkpointDir();
        Checkpoint resumeFrom = null;
        if (dir != null && config.resume() && Files.exists(dir.resolve(Checkpoint.LAST))) {
            resumeFrom = Checkpoint.read(dir.resolve(Checkpoint.LAST));
            checkSameSettings(resumeFrom);
        }
        if (resumeFrom != null && budget != null) {
            throw new IllegalStateException("a run on a time budget cannot resume from " + resumeFrom.file()
                    + ": its epochs are planned anew; resume with the epochs the first run planned instead");
        }
        Block block = model.getBlock();
        Shape image = imageShape();
        Engine.getInstance().setRandomSeed((int) config.seed());
        if (resumeFrom != null) {
            resumeFrom.loadInto(block, model.getNDManager());
        }
        History history = new History();
        EarlyStopping stopping = new EarlyStopping(config.patience(), config.monitor());
        byte[] bestWeights = null;
        averaged = null;
        if (config.schedule() instanceof Schedule.Swa s && averageShare == 0) {
            averageShare = (double) s.averagedEpochs() / s.epochs();
        }
        try (TrainingStep step = TrainingStep.open(model, config.optimizer(),
                config.labelSmoothing() == 0 ? Loss.softmaxCrossEntropyLoss()
                        : new LabelSmoothing(config.labelSmoothing()), image, devices);
                WeightAverage average = new WeightAverage()) {
            Trainer trainer = step.trainer();
            ResumableOptimizer optimizer = step.optimizer();
            int classes = classes(block, image);
            Map<String, String> names = new HashMap<>();
            Map<String, String> ids = new HashMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                names.put(p.getValue().getId(), p.getKey());
                ids.put(p.getKey(), p.getValue().getId());
            }
            int first = 1;
            if (resumeFrom != null) {
                try (NDManager temp = NDManager.newBaseManager()) {
                    NDList state = resumeFrom.optimizerState(temp);
                    optimizer.importState(WeightAverage.withoutAverage(state), resumeFrom.info().optimizerSteps(), ids);
                    if (config.schedule() instanceof Schedule.Swa s) {
                        average.restore(state, Math.max(0, Math.min(resumeFrom.info().epoch(), s.epochs())
                                - s.averageFrom()));
                    }
                }
                history = resumeFrom.history();
                stopping.restore(resumeFrom.info().stopping());
                first = resumeFrom.info().epoch() + 1;
                if (stopping.state().bestEpoch() > 0) {
                    bestWeights = Checkpoint.read(dir.resolve(Checkpoint.BEST)).parameterBytes();
                }
            }
            stopReason = first > config.epochs() ? "complete: the checkpoint already holds all " + config.epochs() + " epochs"
                    : stopping.shouldStop() ? "stopped early before the checkpoint was written" : "all " + config.epochs() + " epochs done";
            if (first <= config.epochs() && !stopping.shouldStop()) {
                for (FitListener listener : listeners) {
                    listener.onStart(first, config.epochs());
                }
            }
            Instant loopStart = clock.instant();
            // when each epoch of this run was done (checkpoint of the one before included): the pace of a budget
            ArrayDeque<Instant> marks = new ArrayDeque<>(List.of(loopStart));
            for (int epoch = first; epoch <= config.epochs() && !stopping.shouldStop(); epoch++) {
                EpochRecord record = epoch(step, epoch);
                checkFinite(record, block);
                history.add(record);
                if (budget != null) {
                    Instant now = clock.instant();
                    marks.addLast(now);
                    while (marks.size() > TimeBudget.RECENT_EPOCHS + 1) {
                        marks.removeFirst();
                    }
                    int planEpoch = TimeBudget.planEpoch(config.schedule());
                    if (epoch == planEpoch) {
                        plan(epoch, epoch - first + 1, Duration.between(loopStart, now), now);
                        // the plan's own epochs (the warm-up, often the slowest) set no pace for its revisions
                        marks.clear();
                        marks.addLast(now);
                    } else if (epoch > planEpoch) {
                        revise(epoch, marks.size() - 1, Duration.between(marks.getFirst(), now), now);
                    }
                }
                if (config.schedule() instanceof Schedule.Swa s && s.averages(epoch)) {
                    average.add(block);
                }
                boolean improved = stopping.update(record);
                if (improved) {
                    bestWeights = Checkpoint.saveParameters(block);
                }
                if (dir != null) {
                    Checkpoint.Info info = new Checkpoint.Info(config.modelName(), image.getShape(), classes,
                            data.normalization().mean(), data.normalization().std(), epoch, config.settings(),
                            stopping.state(), optimizer.exportSteps(names), history.epochs());
                    try (NDManager temp = NDManager.newBaseManager()) {
                        NDList arrays = optimizer.exportState(names, temp);
                        arrays.addAll(average.export(temp));
                        byte[] state = arrays.encode();
                        if (improved) {
                            Checkpoint.write(dir.resolve(Checkpoint.BEST), info, bestWeights, state);
                        }
                        Checkpoint.write(dir.resolve(Checkpoint.LAST), info, Checkpoint.saveParameters(block), state);
                    }
                    history.save(dir.resolve(Checkpoint.HISTORY));
                }
                for (FitListener listener : listeners) {
                    listener.onEpoch(record, history);
                }
                if (stopping.shouldStop()) {
                    stopReason = String.format("stopped early after epoch %d: no improvement of %s for %d epochs",
                            epoch, config.monitor().name().toLowerCase(java.util.Locale.ROOT), config.patience());
                }
            }
            if (average.count() > 0 && !history.isEmpty()) {
                averaged = useAverage(step, average, history, stopping, image, classes, names);
            }
        }
        bestEpoch = history.isEmpty() ? 0 : history.last().epoch();
        if (averaged == null && config.restoreBest() && bestWeights != null
                && stopping.state().bestEpoch() != bestEpoch) {
            try {
                Checkpoint.loadParameters(block, model.getNDManager(), bestWeights);
            } catch (ai.djl.MalformedModelException e) {
                throw new IllegalStateException("could not put back the best weights: " + e.getMessage(), e);
            }
            bestEpoch = stopping.state().bestEpoch();
        }
        for (FitListener listener : listeners) {
            listener.onEnd(history);
        }
        return history;
    }

    /**
     * Puts the averaged weights into the model, measures BatchNorm's statistics for them on the
     * training images (augmented as in training, in the order of the epoch after the last), validates
     * them, and writes them as {@link Checkpoint#BEST}: the run's result. {@link Checkpoint#LAST}
     * keeps the last epoch's own weights and the average, so a resumed run repeats this step.
     */
    private Averaged useAverage(TrainingStep step, WeightAverage average, History history, EarlyStopping stopping,
            Shape image, int classes, Map<String, String> names) throws IOException {
        long start = System.nanoTime();
        Block block = model.getBlock();
        Schedule.Swa swa = (Schedule.Swa) config.schedule();
        int last = history.last().epoch();
        average.copyInto(block);
        int batches;
        try (NDManager manager = step.trainer().getManager().newSubManager(devices[0]);
                BatchLoader loader = data.trainBatches(config.batchSize(), config.seed(), last + 1)) {
            batches = WeightAverage.recomputeBatchNorm(block, manager, loader);
        }
        double[] valid = data.hasValidation() ? validate(step.trainer()) : new double[] {Double.NaN, Double.NaN};
        String bad = Checkpoint.nonFiniteWeights(block);
        if (bad != null) {
            throw NonFiniteLossException.weights(last, bad, checkpointNote(last + 1));
        }
        Path dir = config.checkpointDir();
        if (dir != null) {
            Checkpoint.Info info = new Checkpoint.Info(config.modelName(), image.getShape(), classes,
                    data.normalization().mean(), data.normalization().std(), last, config.settings(),
                    stopping.state(), step.optimizer().exportSteps(names), history.epochs());
            try (NDManager temp = NDManager.newBaseManager()) {
                Checkpoint.write(dir.resolve(Checkpoint.BEST), info, Checkpoint.saveParameters(block),
                        step.optimizer().exportState(names, temp).encode());
            }
        }
        return new Averaged(swa.averageFrom() + 1, last, batches, valid[0], valid[1],
                (System.nanoTime() - start) / 1e9);
    }

    /** Sets the run's epochs to what the budget allows (before this epoch's checkpoint is written). */
    private void plan(int epoch, int done, Duration spent, Instant now) {
        mostEpochs = config.epochs();
        if (config.schedule() instanceof Schedule.Swa) {
            // the averaged weights' pass over the training images comes after the last epoch
            Duration pass = Duration.ofMillis(Math.round(spent.toMillis() / (double) done * BATCH_NORM_PASS_SHARE));
            budget = new TimeBudget(budget.deadline().minus(pass), budget.slack());
        }
        TimeBudget.Plan plan = budget.plan(epoch, done, spent, now, config.epochs());
        config = config.withEpochs(plan.epochs()).withSchedule(withEpochs(config.schedule(), plan.epochs(), epoch));
        originalPlan = plan.epochs();
        stopReason = "all " + plan.epochs() + " epochs done (planned for the time budget)";
        for (FitListener listener : listeners) {
            listener.onPlan(epoch, plan);
        }
    }

    /**
     * Cuts the run's epochs when they no longer fit the budget, or extends them when more fit (before
     * this epoch's checkpoint is written).
     */
    private void revise(int epoch, int recent, Duration recentSpent, Instant now) {
        int planned = config.epochs();
        TimeBudget.Plan revised = budget.revise(epoch, recent, recentSpent, now, planned, mostEpochs);
        if (revised == null) {
            return;
        }
        config = config.withEpochs(revised.epochs()).withSchedule(withEpochs(config.schedule(), revised.epochs(), epoch));
        revisions.add(revised.epochs() + " after epoch " + epoch + (revised.cut() ? " as the epochs ran late"
                : " as the epochs ran faster"));
        stopReason = "all " + revised.epochs() + " epochs done (planned for the time budget: " + originalPlan
                + ", then " + String.join(", then ", revisions) + ")";
        for (FitListener listener : listeners) {
            listener.onPlan(epoch, revised);
        }
    }

    private static int classes(Block block, Shape image) {
        Shape[] out = block.getOutputShapes(new Shape[] {new Shape(1, image.get(0), image.get(1), image.get(2))});
        if (out.length != 1 || out[0].dimension() != 2) {
            throw new IllegalArgumentException("the model must map images to class scores (batch, classes), it gives "
                    + java.util.Arrays.toString(out));
        }
        return (int) out[0].get(1);
    }

    private void checkSameSettings(Checkpoint checkpoint) {
        checkResumable(checkpoint, config);
    }

    /**
     * Refuses to resume {@code checkpoint} with {@code config} when they differ in anything that
     * decides what the run computes ({@link FitConfig#settings()}): the resumed run would not
     * continue the saved one.
     *
     * @throws IllegalStateException naming each setting that differs, with both values
     */
    public static void checkResumable(Checkpoint checkpoint, FitConfig config) {
        Map<String, String> saved = checkpoint.info().settings();
        Map<String, String> now = config.settings();
        if (!saved.equals(now)) {
            StringBuilder differences = new StringBuilder();
            for (String key : new TreeSet<>(union(saved, now))) {
                if (!Objects.equals(saved.get(key), now.get(key))) {
                    differences.append(String.format("%n  %s: checkpoint has %s, this run %s", key, saved.get(key), now.get(key)));
                }
            }
            throw new IllegalStateException("cannot resume from " + checkpoint.file()
                    + ": it was written with other settings, and the resumed run would not continue it:" + differences
                    + "\nresume with the same settings, or write to another folder");
        }
    }

    private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
        java.util.Set<String> keys = new java.util.HashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private EpochRecord epoch(TrainingStep step, int epoch) {
        Trainer trainer = step.trainer();
        long start = System.nanoTime();
        double firstLr = config.schedule().atEpoch(epoch);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (BatchLoader loader = data.trainBatches(config.batchSize(), config.seed(), epoch)) {
            int batches = loader.batches();
            for (int b = 0; b < batches; b++) {
                double lr = config.schedule().at(epoch - 1 + (double) b / batches);
                try (Batch batch = loader.next(trainer.getManager())) {
                    TrainingStep.Result result = step.run(batch, lr);
                    if (!result.finite()) {
                        throw new NonFiniteLossException(epoch, b + 1, batches, result.loss(), lr, checkpointNote(epoch));
                    }
                    if (result.loss() > lossBound) {
                        throw NonFiniteLossException.pastBound(epoch, b + 1, batches, result.loss(), lossBound, lr,
                                checkpointNote(epoch));
                    }
                    lossSum += result.loss() * result.size();
                    correct += result.correct();
                    seen += result.size();
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                FitListener.BatchProgress progress = new FitListener.BatchProgress(epoch, config.epochs(), b + 1, batches,
                        lossSum / seen, (double) correct / seen, lr, seen / elapsed);
                for (FitListener listener : listeners) {
                    listener.onBatch(progress);
                }
            }
        }
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        double[] valid = data.hasValidation() ? validate(trainer) : new double[] {Double.NaN, Double.NaN};
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EpochRecord(epoch, lossSum / seen, (double) correct / seen, valid[0], valid[1], firstLr, seconds,
                seen / trainSeconds);
    }

    /** What a divergence in {@code epoch} leaves on disk: the last completed epoch's checkpoint, or none. */
    private String checkpointNote(int epoch) {
        Path dir = config.checkpointDir();
        if (dir == null) {
            return "";
        }
        return epoch > 1
                ? "; the last good checkpoint, " + dir.resolve(Checkpoint.LAST) + " (epoch " + (epoch - 1) + "), is kept"
                : "; no checkpoint was written (the first epoch did not finish)";
    }

    /**
     * Stops the run before an epoch that diverged is recorded or saved: a NaN or infinite validation
     * loss (the training loss of each batch was checked as it came), or weights that are no longer
     * all finite (a run without validation would not notice otherwise).
     */
    private void checkFinite(EpochRecord record, Block block) {
        if (data.hasValidation() && !Double.isFinite(record.validLoss())) {
            throw NonFiniteLossException.validation(record.epoch(), record.validLoss(), record.learningRate(),
                    checkpointNote(record.epoch()));
        }
        String bad = Checkpoint.nonFiniteWeights(block);
        if (bad != null) {
            throw NonFiniteLossException.weights(record.epoch(), bad, checkpointNote(record.epoch()));
        }
    }

    /** Mean loss and accuracy on the validation part, in inference mode (BatchNorm on running statistics). */
    private double[] validate(Trainer trainer) {
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (BatchLoader loader = data.validBatches(config.batchSize())) {
            while (loader.hasNext()) {
                try (Batch batch = loader.next(trainer.getManager())) {
                    for (Batch split : batch.split(devices, false)) {
                        NDArray scores = trainer.evaluate(split.getData()).singletonOrThrow();
                        NDArray labels = split.getLabels().singletonOrThrow();
                        lossSum += validationLoss.evaluate(new NDList(labels), new NDList(scores)).getFloat() * split.getSize();
                        correct += TrainingStep.countCorrect(scores, labels);
                        seen += split.getSize();
                    }
                }
            }
        }
        return new double[] {lossSum / seen, (double) correct / seen};
    }
}
