package resnet.cli;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import resnet.Platform;
import resnet.data.Augmentation;
import resnet.data.DatasetException;
import resnet.data.DatasetName;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.train.Checkpoint;
import resnet.train.ConsoleProgress;
import resnet.train.EarlyStopping;
import resnet.train.Evaluation;
import resnet.train.Fit;
import resnet.train.FitConfig;
import resnet.train.History;
import resnet.train.OptimizerSettings;
import resnet.train.RunLock;
import resnet.train.Schedule;
import resnet.train.TimeBudget;
import resnet.viz.Charts;
import resnet.weights.StateDict;

/**
 * {@code resnet train --model NAME --dataset fashion-mnist|cifar10|folder [--weights FILE] [...]}: trains
 * (from pretrained weights when given), writes
 * {@code history.csv}, {@code curves.png}, {@code last.ckpt} and {@code best.ckpt} into the output
 * folder, and ends with {@code test accuracy: X} on the test set, from the best epoch's weights.
 */
public final class TrainCommand implements Command {

    /**
     * The defaults (the default recipe), chosen on Fashion-MNIST's validation split so that ResNet-20
     * reaches 93.5% in about 10 minutes on 2 cores (README, "Recipes").
     */
    static final int EPOCHS = 8;
    static final int BATCH = 128;
    static final double LR = 0.2;
    static final double LABEL_SMOOTHING = 0.1;
    static final String SCHEDULE = "onecycle";
    static final double WARMUP = 1;
    static final double MOMENTUM = 0.9;
    static final double WEIGHT_DECAY = 5e-4;
    static final long SEED = 42;
    /** Upper bounds that only catch typos (an extra digit or two); memory is checked on its own. */
    static final int MAX_EPOCHS = 100_000;
    static final int MAX_BATCH = 1 << 20;
    /** The longest --minutes: a week. */
    static final double MAX_MINUTES = 7 * 24 * 60;
    /** The part of a --minutes budget kept for what follows the epochs (the test, with flip averaging). */
    static final double TEST_RESERVE_MINUTES = 1;
    /** The most zero pixels {@code --padding} adds on a side (more than half a 32-pixel image). */
    static final int MAX_PADDING = 16;
    /**
     * {@code --swa-lr}'s default is {@code --lr} divided by this: the averaged epochs run at a tenth
     * of the peak (0.02 for the recipes' 0.2).
     */
    static final double SWA_LR_DIVISOR = 10;
    /** The most networks {@code --members} trains for one ensemble. */
    static final int MAX_MEMBERS = 16;

    private static final Set<String> VALUED = Set.of("model", "dataset", "data-dir", "epochs", "batch", "lr", "schedule",
            "seed", "limit", "out", "optimizer", "momentum", "weight-decay", "patience", "valid-ratio", "step-size", "gamma",
            "warmup", "augment", "weights", "freeze", "image-size", "recipe", "erase", "label-smoothing", "tta",
            "padding", "minutes", "members", "swa", "swa-lr");
    private static final Set<String> FLAGS = Set.of("resume", "no-nesterov", "skip-bad-images", "zero-init-residual");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String description() {
        return "train (or fine-tune) a model on Fashion-MNIST, CIFAR-10 or a folder of images; ends with 'test accuracy: X'";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet train --model NAME --dataset fashion-mnist|cifar10|folder [options]",
                "",
                "  --model NAME         " + String.join(", ", ResNet.names()) + " (default resnet20);",
                "                       a CIFAR-family name + _wK: K times the planes (resnet20_w1.5: 24, 48, 96)",
                "  --dataset NAME       fashion-mnist (1x28x28), cifar10 (3x32x32) or folder (your images, 3x224x224)",
                "  --data-dir DIR       folder of the data files (default: $FASHION_MNIST_DIR or "
                        + "/usr/share/datasets/fashion-mnist; $CIFAR10_DIR, else DJL's download);",
                "                       folder: DIR/CLASS/*.jpg (a fifth held out for the test), or DIR/train and DIR/test",
                "  --image-size N       folder: the side images are resized and centre-cropped to (default 224)",
                "  --skip-bad-images    folder: skip (and count) files that do not decode, instead of stopping",
                "  --weights FILE       start from these weights (.pth/.pt, .safetensors, .npz; torchvision names);",
                "                       a head of another class count is replaced by a new one",
                "  --freeze MODE        none (default), backbone (train the head only) or upto:PART (e.g. upto:layer3)",
                "  --zero-init-residual start each block's last BatchNorm scale at 0, so every block starts as the",
                "                       identity (torchvision's zero_init_residual; Goyal et al. 2017)",
                "  --recipe NAME        default, or best (fashion-mnist: as many epochs as fit in 58 minutes, at most 60);",
                "                       a recipe sets the defaults below, options given on the line win:",
                Recipe.table("                       "),
                "  --epochs N           default " + EPOCHS + "; with --minutes, the most epochs the run may take",
                "  --minutes M          a wall-clock budget for the whole command: after the warm-up epoch, the",
                "                       epochs become what fits in M minutes less one for the test (onecycle or",
                "                       constant; printed and in result.txt; --epochs N with that N repeats the run",
                "                       unless the plan was cut later because the epochs ran late)",
                "  --batch N            images per step (default " + BATCH + ")",
                "  --lr X               peak learning rate (default " + LR + ")",
                "  --schedule NAME      onecycle (default), cosine, step, constant",
                "  --warmup X           onecycle's warm-up epochs (default 1, or a fifth of the epochs when fewer than 5)",
                "  --step-size N        step: epochs between drops (default 30, the notes' StepLR)",
                "  --gamma X            step: factor of each drop (default 0.1)",
                "  --optimizer NAME     sgd (default: Nesterov momentum) or adam",
                "  --momentum X         default " + MOMENTUM + "; --no-nesterov for classical momentum",
                "  --weight-decay X     default " + WEIGHT_DECAY,
                "  --augment KIND       crop+flip, flip, crop, rrc+flip (random resized crop), none",
                "                       (default: flip for fashion-mnist, crop+flip for cifar10, rrc+flip for folder)",
                "  --padding N          zero pixels on each side before a random crop (crop kinds; default 4)",
                "  --erase P            random erasing (Zhong et al.) with probability P after the other changes",
                "                       (default 0: off; the paper's 0.5)",
                "  --label-smoothing X  train against targets with X of the mass spread over all classes (default 0.1)",
                "  --tta KIND           flip (default) or none: flip also scores every test image mirrored",
                "                       and average the two probabilities (twice the evaluation work)",
                "  --swa SHARE          stochastic weight averaging (Izmailov et al.): the one-cycle anneals to",
                "                       --swa-lr by the last SHARE of the epochs (e.g. 0.25), which run at that rate;",
                "                       their weights are averaged, BatchNorm's statistics measured anew for the",
                "                       average, and the average is the result (best.ckpt, the test)",
                "  --swa-lr X           the rate of the averaged epochs (default a tenth of --lr)",
                "  --valid-ratio X      share of the training set held out for validation (default 0.2);",
                "                       0 trains on all of it and keeps the last epoch",
                "  --patience N         stop after N epochs without better validation accuracy (default 0: never)",
                "  --seed N             one seed for initialisation, split, order, augmentation (default " + SEED + ")",
                "  --limit N            use only the first N training and N test images (quick runs)",
                "  --out DIR            where history.csv, curves.png, last.ckpt, best.ckpt go (default runs/MODEL-DATASET)",
                "  --resume             continue from DIR/last.ckpt (same options needed)",
                "  --members K          train K networks one after the other (seeds N, N+1, ...; one split) into",
                "                       DIR/member-1 ... and score the test with their averaged probabilities",
                "                       (an ensemble; with --minutes each gets its share of the budget; default 1)",
                "",
                "The last line is 'test accuracy: X' (0..1) on the test set, with the best epoch's weights;",
                "result.txt in the output folder records it with the minutes, peak memory and the command line.",
                "RESNET_FPMATH=bf16 before bin/resnet lets the convolutions multiply in bfloat16 where the processor",
                "does (AVX-512 BF16, AMX); result.txt records the mode (README, \"Where a ResNet-20 step goes\").");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args a = Args.parse(args, VALUED, FLAGS);
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected arguments " + a.positional() + "; options start with --");
        }
        if (!a.has("dataset")) {
            throw new UsageException("--dataset is required: fashion-mnist, cifar10 or folder");
        }
        // Every option is read and checked here, before any file is touched or any data is read.
        DatasetName dataset = option("dataset", () -> DatasetName.of(a.string("dataset", "")));
        String modelName = a.string("model", "resnet20").trim().toLowerCase(Locale.ROOT);
        ResNetSpec named = option("model", () -> ResNet.spec(modelName).withInputChannels(dataset.channels())
                .withClasses(10));
        boolean zeroInit = a.flag("zero-init-residual");
        ResNetSpec spec = zeroInit ? named.withZeroInitResidual(true) : named;
        Recipe recipe = option("recipe", () -> Recipe.named(a.string("recipe", "default")));
        if (recipe != Recipe.DEFAULT && dataset != DatasetName.FASHION_MNIST) {
            throw new UsageException("option --recipe " + recipe.id() + " is made for --dataset fashion-mnist (it was"
                    + " chosen on its validation data); for " + dataset.id() + " leave it out and set the options");
        }
        int epochs = a.integer("epochs", recipe.epochs(), 1, MAX_EPOCHS);
        int batch = a.integer("batch", recipe.batch(), 1, MAX_BATCH);
        double lr = a.decimal("lr", recipe.lr(), 0, false, Double.MAX_VALUE, true);
        String scheduleName = a.choice("schedule", SCHEDULE, List.of("onecycle", "one-cycle", "cosine", "step", "constant"));
        int stepSize = a.integer("step-size", 30, 1, Integer.MAX_VALUE);
        double gamma = a.decimal("gamma", 0.1, 0, false, 1, true);
        double warmup = a.decimal("warmup", Math.min(WARMUP, epochs / 5.0), 0, true, epochs, false);
        double swa = a.decimal("swa", 0, 0, true, 1, false);
        if (a.has("swa-lr") && swa == 0) {
            throw new UsageException("option --swa-lr sets the rate of the averaged epochs: give --swa SHARE too"
                    + " (e.g. --swa 0.25)");
        }
        double swaLr = a.decimal("swa-lr", lr / SWA_LR_DIVISOR, 0, false, lr, true);
        if (swa > 0 && !List.of("onecycle", "one-cycle").contains(scheduleName.toLowerCase(Locale.ROOT))) {
            throw new UsageException("option --swa ends a one-cycle schedule in its averaged epochs; it does not"
                    + " go with --schedule " + scheduleName);
        }
        Schedule schedule = option(swa > 0 ? "swa" : "schedule", () -> swa > 0
                ? Schedule.swa(lr, epochs, warmup, swa, swaLr)
                : Schedule.named(scheduleName, lr, epochs, stepSize, gamma, warmup));
        double minutes = a.decimal("minutes", recipe.minutes(), 0, true, MAX_MINUTES, true);
        if (minutes > 0) {
            // the budget may come from the recipe: the message then names it
            String budget = a.has("minutes") ? "option --minutes" : "--recipe " + recipe.id() + " has --minutes " + minutes
                    + ", which";
            if (a.flag("resume")) {
                throw new UsageException(budget + " plans a new run's epochs; to resume a run on a"
                        + " time budget give --minutes 0 and --epochs N with the N it planned (its log and result.txt)");
            }
            if (minutes <= TEST_RESERVE_MINUTES) {
                throw new UsageException(String.format(Locale.ROOT, "option --minutes %s leaves no time to train: the"
                        + " budget keeps %s minute for the test; give more, or 0 for no budget",
                        a.string("minutes", ""), TEST_RESERVE_MINUTES));
            }
            if (!TimeBudget.canPlan(schedule)) {
                throw new UsageException(budget + " plans the epochs after the warm-up, so the schedule's first"
                        + " epochs must not depend on the run's length: use --schedule onecycle or constant, not "
                        + scheduleName);
            }
            if (TimeBudget.planEpoch(schedule) >= epochs) {
                String warm = a.has("warmup") ? "--warmup " + warmup : "its warm-up of " + warmup + " epochs";
                throw new UsageException(String.format(Locale.ROOT, "%s plans the epochs after the warm-up, but %s"
                        + " leaves none of the %d epochs to plan: give more --epochs (the most the budget may use;"
                        + " or --minutes 0)", budget, warm, epochs));
            }
        }
        String optimizerName = a.choice("optimizer", "sgd", List.of("sgd", "adam"));
        double momentum = a.decimal("momentum", MOMENTUM, 0, true, 1, false);
        double weightDecay = a.decimal("weight-decay", WEIGHT_DECAY, 0, Double.MAX_VALUE);
        boolean nesterov = !a.flag("no-nesterov");
        if (optimizerName.equals("sgd") && nesterov && momentum == 0) {
            throw new UsageException("option --momentum 0 needs --no-nesterov: Nesterov momentum needs a momentum above 0");
        }
        OptimizerSettings optimizer = option("optimizer", () -> OptimizerSettings.named(optimizerName, momentum, weightDecay, nesterov));
        String augmentKind = a.choice("augment",
                recipe.augment() != null ? recipe.augment() : dataset == DatasetName.FASHION_MNIST ? "flip"
                        : dataset == DatasetName.FOLDER ? "rrc+flip" : "crop+flip",
                List.of("crop+flip", "standard", "flip", "crop", "rrc+flip", "rrc", "none"));
        double erase = a.decimal("erase", recipe.erase(), 0, true, 1, true);
        Augmentation crops = augmentation(augmentKind);
        if (a.has("padding") && crops.padding() == 0) {
            throw new UsageException("option --padding is for the crop kinds of --augment (crop+flip, crop), not '"
                    + augmentKind + "'");
        }
        if (crops.padding() > 0) {
            int padding = a.integer("padding", recipe.padding() > 0 ? recipe.padding() : crops.padding(), 1,
                    MAX_PADDING);
            crops = new Augmentation(padding, crops.flip());
        }
        Augmentation augmentation = crops.withErasing(erase);
        double labelSmoothing = a.decimal("label-smoothing", recipe.labelSmoothing(), 0, true, 1, false);
        boolean flipTta = a.choice("tta", recipe.flipTta() ? "flip" : "none", List.of("none", "flip")).equals("flip");
        if (a.has("image-size") && dataset != DatasetName.FOLDER) {
            throw new UsageException("option --image-size is for --dataset folder; " + dataset.id() + " images are "
                    + dataset.side() + "x" + dataset.side());
        }
        int imageSize = a.integer("image-size", dataset.side(), 1, 4096);
        boolean skipBadImages = a.flag("skip-bad-images");
        String freeze = option("freeze", () -> Transfer.freezeMode(a.string("freeze", "none"), spec));
        Path weightsFile = a.path("weights", null);
        double validRatio = a.decimal("valid-ratio", recipe.validRatio(), 0, true, 1, false);
        int patience = a.integer("patience", 0, 0, Integer.MAX_VALUE);
        long seed = a.integer("seed", SEED);
        int limit = a.has("limit") ? a.integer("limit", 0, 1, Integer.MAX_VALUE) : 0;
        Path out = a.path("out", Path.of("runs/" + modelName + "-" + dataset.id()));
        Path dataDir = a.path("data-dir", null);
        boolean resume = a.flag("resume");
        int members = a.integer("members", 1, 1, MAX_MEMBERS);
        if (members > 1 && resume) {
            throw new UsageException("option --resume continues one network's run; with --members " + members
                    + " resume a member on its own (--out DIR/member-I --seed N+I-1 --members 1 --resume) and"
                    + " score the members together with 'resnet evaluate --checkpoint DIR/member-1,DIR/member-2'");
        }
        if (members > 1 && weightsFile != null) {
            throw new UsageException("option --members " + members + " trains networks from different random starts;"
                    + " with --weights every member would start from the same weights: leave one of them out");
        }
        // a wrong, damaged or truncated weights file is named now, before the run folder is made
        StateDict weights = weightsFile == null ? null : StateDict.read(weightsFile);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("dataset", dataset.id());
        metadata.put("valid ratio", String.valueOf(validRatio));
        metadata.put("limit", String.valueOf(limit));
        metadata.put("augmentation", augmentation.toString());
        if (recipe != Recipe.DEFAULT) {
            metadata.put("recipe", recipe.id());
        }
        if (weightsFile != null) {
            metadata.put("weights", weightsFile.getFileName().toString());
        }
        if (!freeze.equals("none")) {
            metadata.put("freeze", freeze);
        }
        if (zeroInit) {
            metadata.put("zero-init residual", "true");
        }
        FitConfig config = option("batch", () -> FitConfig.of(epochs, schedule)
                .withBatchSize(batch)
                .withOptimizer(optimizer)
                .withSeed(seed)
                .withEarlyStopping(patience, EarlyStopping.Monitor.VALID_ACCURACY)
                .withCheckpoints(out)
                .withResume(resume)
                .withModelName(modelName)
                .withMetadata(metadata)
                .withLabelSmoothing(labelSmoothing));
        MemoryCheck.requireWeights(modelName + " with " + spec.classes() + " classes", spec);

        // The run folder: made (or found) and locked for the whole run before anything is read, so that
        // a second run into it is refused now, not after it has overwritten this one's checkpoints.
        option("out", () -> {
            RunLock.createFolder(out);
            return out;
        });
        try (RunLock lock = RunLock.acquire(out)) {
            Path last = out.resolve(Checkpoint.LAST);
            if (!resume && Files.exists(last)) {
                throw new UsageException(last + " exists: pass --resume to continue that run,"
                        + " or --out to write somewhere else");
            }
            for (int i = 1; members > 1 && i <= members; i++) {
                Path member = memberFolder(out, i, members).resolve(Checkpoint.LAST);
                if (Files.exists(member)) {
                    throw new UsageException(member + " exists: an ensemble starts every member afresh; give --out"
                            + " a new folder");
                }
            }
            if (resume && !Files.exists(last)) {
                throw new UsageException("--resume: there is no " + Checkpoint.LAST + " in " + out + " to resume from"
                        + " (a run writes it after every epoch); leave out --resume to start a new run there");
            }
            if (resume) {
                // a damaged checkpoint, or one of other settings, is named now, before the data is read
                // (a folder's class names join the settings once the folder is read; Fit compares them then)
                Checkpoint saved = Checkpoint.read(last);
                if (dataset != DatasetName.FOLDER) {
                    Fit.checkResumable(saved, config);
                }
            }
            return train(a, dataset, spec, modelName, dataDir, limit, validRatio, seed, augmentation, config, out,
                    new Start(imageSize, skipBadImages, weights, freeze, resume, flipTta, String.join(" ", args),
                            recipe.id(), minutes, members));
        }
    }

    /** What train reads beyond the fit config: the images' size and the pretrained start. */
    private record Start(int imageSize, boolean skipBadImages, StateDict weights, String freeze, boolean resume,
            boolean flipTta, String commandLine, String recipe, double minutes, int members) {}

    /** Where member {@code i} (1-based) of an ensemble of {@code members} writes: the run folder itself for one. */
    static Path memberFolder(Path out, int i, int members) {
        return members == 1 ? out : out.resolve("member-" + i);
    }

    private static int train(Args a, DatasetName dataset, ResNetSpec spec, String modelName, Path dataDir, int limit,
            double validRatio, long seed, Augmentation augmentation, FitConfig base, Path out, Start start)
            throws Exception {
        ImageSet all = Transfer.images(dataset, dataDir, true, start.imageSize(), start.skipBadImages()).limit(limit);
        ImageSet test = Transfer.images(dataset, dataDir, false, start.imageSize(), start.skipBadImages()).limit(limit);
        if (test.channels() != all.channels() || test.height() != all.height() || test.width() != all.width()) {
            throw new DatasetException(String.format("the %s test images are %dx%dx%d but its training images are"
                    + " %dx%dx%d; both parts must have one size", dataset.id(), test.channels(), test.height(),
                    test.width(), all.channels(), all.height(), all.width()));
        }
        int validCount = (int) Math.round(all.size() * validRatio);
        if (validRatio > 0 && (validCount == 0 || validCount == all.size())) {
            throw new UsageException(String.format(Locale.ROOT, "option --valid-ratio %s of %d training images%s leaves"
                    + " %d for validation and %d for training; both need at least one", a.string("valid-ratio", "0.2"),
                    all.size(), limit > 0 ? " (--limit " + limit + ")" : "", validCount, all.size() - validCount));
        }
        // pretrained ImageNet weights expect ImageNet's normalisation; the other sets use their own
        TrainingData data = usage(() -> dataset == DatasetName.FOLDER
                ? TrainingData.split(all, validRatio, seed, augmentation, Normalization.IMAGENET)
                : TrainingData.split(all, validRatio, seed, augmentation));
        ResNetSpec sized = spec.withClasses(all.classes().size());
        ResidualNetwork net = ResNet.build(sized);
        Shape image = new Shape(all.channels(), all.height(), all.width());
        MemoryCheck.requireBatch("training " + modelName + " on " + image + " images in batches of "
                + Math.min(base.batchSize(), data.train().size()), 3 * MemoryCheck.headParameters(sized) * 4,
                MemoryCheck.activationsPerImage(net, image, true), Math.min(base.batchSize(), data.train().size()),
                "--batch");
        FitConfig config = base;
        if (dataset == DatasetName.FOLDER) {
            // the class names are known only now; Fit compares them with a resumed checkpoint's
            Map<String, String> metadata = new LinkedHashMap<>(base.metadata());
            metadata.put(Transfer.CLASSES, Transfer.classesSetting(all.classes()));
            config = base.withMetadata(metadata);
        }

        System.out.println(Platform.describe());
        System.out.println(data);
        System.out.print(config);
        if (!Platform.fpmath().equals("strict")) {
            System.out.println(Platform.fpmathDescription());
        }
        int members = start.members();
        // from the JVM's start: the budget is the whole command's wall time, data loading included
        Instant launched = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        Duration training = Duration.ofMillis(Math.round((start.minutes() - TEST_RESERVE_MINUTES) * 60_000));
        List<Model> models = new ArrayList<>();
        List<Member> trained = new ArrayList<>();
        try {
            long begin = System.nanoTime();
            for (int i = 1; i <= members; i++) {
                Path folder = memberFolder(out, i, members);
                FitConfig memberConfig = config;
                if (members > 1) {
                    Files.createDirectories(folder);
                    memberConfig = config.withSeed(seed + i - 1).withCheckpoints(folder);
                    System.out.println(String.format(Locale.ROOT, "member %d of %d: seed %d, into %s", i, members,
                            seed + i - 1, folder));
                }
                ResidualNetwork memberNet = i == 1 ? net : ResNet.build(sized);
                Model model = Model.newInstance(modelName);
                models.add(model);
                model.setBlock(memberNet);
                if (start.weights() != null && !start.resume()) {
                    System.out.println(Transfer.load(memberNet, start.weights(), model.getNDManager(), seed));
                }
                Transfer.freeze(memberNet, start.freeze());
                Fit fit = new Fit(model, data, memberConfig).divergenceBound(Fit.divergenceBoundFor(sized.classes()))
                        .listen(new ConsoleProgress())
                        .listen((record, history) -> System.out.println(String.format(Locale.ROOT,
                                "  resident memory after epoch %d: %.0f MiB (%s; %d engine arrays open)", record.epoch(),
                                Platform.mib(Platform.residentBytes()), Platform.javaMemory(), Platform.openArrays())));
                if (start.minutes() > 0) {
                    // each member's last epoch ends by its share of the budget; time one leaves goes to the next
                    Instant deadline = launched.plus(training.multipliedBy(i).dividedBy(members));
                    fit.within(new TimeBudget(deadline, TimeBudget.DEFAULT_SLACK));
                    System.out.println(String.format(Locale.ROOT, "time budget: %s min from the start, the last epoch"
                            + " to end by minute %.1f; at most %d epochs", start.minutes(),
                            (start.minutes() - TEST_RESERVE_MINUTES) * i / members, config.epochs()));
                }
                long memberBegin = System.nanoTime();
                History history = fit.run();
                double minutes = (System.nanoTime() - memberBegin) / 60e9;
                Charts.save(Charts.curves(history, modelName + " on " + dataset.id()
                        + (members > 1 ? ", member " + i : "")), folder.resolve("curves.png"));
                System.out.println(fit.stopReason() + String.format(Locale.ROOT, " in %.1f min; peak memory %.0f MiB",
                        minutes, Platform.mib(Platform.peakResidentBytes())));
                Fit.Averaged averaged = fit.averaged();
                if (averaged != null) {
                    System.out.println(String.format(Locale.ROOT, "weights: %s, BatchNorm's statistics measured"
                            + " anew on %d batches of training images (%.1f s)%s", averaged.describe(),
                            averaged.batchNormBatches(), averaged.seconds(), Double.isNaN(averaged.validAccuracy())
                                    ? "" : String.format(Locale.ROOT, "; validation accuracy %.4f (the last epoch's"
                                            + " own weights: %.4f)", averaged.validAccuracy(),
                                            history.last().validAccuracy())));
                }
                String weightsUsed = averaged != null ? averaged.describe() + " of " + history.size()
                        : "best epoch " + fit.bestEpoch() + " of " + history.size();
                trained.add(new Member(seed + i - 1, history.size(), fit.bestEpoch(), fit.stopReason(), minutes,
                        weightsUsed, averaged, history.last().validAccuracy()));
            }
            double minutes = (System.nanoTime() - begin) / 60e9;
            double peakMib = Platform.mib(Platform.peakResidentBytes());
            System.out.println("outputs: " + out.toAbsolutePath() + (members > 1
                    ? " (result.txt; member-1 ... member-" + members + ": history.csv, curves.png, last.ckpt, best.ckpt)"
                    : " (history.csv, curves.png, last.ckpt, best.ckpt, result.txt)"));
            Map<String, String> result = new LinkedHashMap<>();
            result.put("command", Platform.settingsPrefix() + "bin/resnet train " + start.commandLine());
            result.put("recipe", start.recipe());
            result.put("model", modelName);
            result.put("seed", String.valueOf(seed));
            if (start.minutes() > 0) {
                result.put("time budget minutes", String.valueOf(start.minutes()));
            }
            if (members > 1) {
                result.put("members", String.valueOf(members));
            }
            result.put("epochs run", joined(trained, m -> String.valueOf(m.epochs())));
            if (start.minutes() > 0) {
                result.put("time budget plan", joined(trained, Member::stopReason));
            }
            if (trained.stream().anyMatch(m -> m.averaged() != null)) {
                result.put("weights", joined(trained, Member::weights));
                result.put("last epoch validation accuracy", joined(trained, m -> String.format(Locale.ROOT, "%.4f",
                        m.lastValidAccuracy())));
            } else {
                result.put("best epoch", joined(trained, m -> String.valueOf(m.bestEpoch())));
            }
            result.put("training minutes", String.format(Locale.ROOT, "%.2f", minutes));
            if (members > 1) {
                result.put("member training minutes", joined(trained, m -> String.format(Locale.ROOT, "%.2f",
                        m.minutes())));
            }
            if (data.hasValidation()) {
                // both, so that the choice of test-time augmentation is made on validation data
                for (boolean flip : new boolean[] {false, true}) {
                    String key = flip ? "validation accuracy flip" : "validation accuracy";
                    if (members > 1) {
                        List<String> each = new ArrayList<>();
                        for (int i = 0; i < members; i++) {
                            Evaluation valid = Evaluation.of(models.get(i), data.valid(), data.normalization(),
                                    config.batchSize(), flip);
                            each.add(String.format(Locale.ROOT, "%.4f", valid.accuracy()));
                        }
                        System.out.println("members' validation accuracy" + (flip ? " with flip averaging" : "") + ": "
                                + String.join(", ", each));
                        result.put("member " + key, String.join(", ", each));
                    }
                    Evaluation valid = Evaluation.of(models, data.valid(), data.normalization(), config.batchSize(),
                            flip);
                    System.out.println(String.format(Locale.ROOT, "%svalidation accuracy%s: %.4f",
                            members > 1 ? "the ensemble's " : "", flip ? " with flip averaging" : "", valid.accuracy()));
                    result.put(key, String.format(Locale.ROOT, "%.4f", valid.accuracy()));
                }
            }
            if (members > 1) {
                List<String> each = new ArrayList<>();
                for (int i = 0; i < members; i++) {
                    Member m = trained.get(i);
                    each.add(String.format(Locale.ROOT, "%.4f", EvaluateCommand.evaluate(models.get(i), test,
                            data.normalization(), config.batchSize(), "member " + (i + 1) + ", " + m.weights(),
                            start.flipTta()).accuracy()));
                }
                result.put("member test accuracy", String.join(", ", each));
            }
            Evaluation evaluation = EvaluateCommand.evaluate(models, test, data.normalization(), config.batchSize(),
                    members > 1 ? "the ensemble of " + members : trained.get(0).weights(), start.flipTta());
            double wall = (System.nanoTime() - begin) / 60e9;
            result.put("test accuracy", String.format(Locale.ROOT, "%.4f", evaluation.accuracy()));
            result.put("test-time augmentation", start.flipTta() ? "flip" : "none");
            result.put("wall minutes", String.format(Locale.ROOT, "%.2f", wall));
            result.put("peak memory MiB", String.format(Locale.ROOT, "%.0f", Math.max(peakMib,
                    Platform.mib(Platform.peakResidentBytes()))));
            result.put("load average", String.format(Locale.ROOT, "%.2f", Platform.loadAverage()));
            result.put("processor", Platform.processor());
            result.put("fpmath", Platform.fpmath());
            RunResult.write(out.resolve(RunResult.FILE), result);
            EvaluateCommand.printLastLine(evaluation);
            return 0;
        } finally {
            models.forEach(Model::close);
        }
    }

    /**
     * What one trained network of the run did.
     *
     * @param weights which weights it ends with: "best epoch 12 of 24", "the average of epochs 19-24 of 24"
     * @param averaged what its averaged weights did, or null when it does not average
     * @param lastValidAccuracy the last epoch's own weights' validation accuracy (NaN without validation)
     */
    private record Member(long seed, int epochs, int bestEpoch, String stopReason, double minutes, String weights,
            Fit.Averaged averaged, double lastValidAccuracy) {}

    /** The members' values, separated by "; " (the one value for a single network). */
    private static String joined(List<Member> members, java.util.function.Function<Member, String> value) {
        return String.join(members.size() > 1 ? "; " : "", members.stream().map(value).toList());
    }

    /** crop+flip, flip, crop (4-pixel padding for crops), rrc+flip, rrc (random resized crops) or none. */
    static Augmentation augmentation(String kind) {
        return switch (kind.trim().toLowerCase(Locale.ROOT)) {
            case "crop+flip", "standard" -> Augmentation.standard();
            case "flip" -> new Augmentation(0, true);
            case "crop" -> new Augmentation(4, false);
            case "rrc+flip" -> Augmentation.randomResizedCrop();
            case "rrc" -> new Augmentation(0, false, true);
            case "none" -> Augmentation.NONE;
            default -> throw new IllegalArgumentException("unknown augmentation '" + kind
                    + "'; known: crop+flip, flip, crop, rrc+flip, rrc, none");
        };
    }

    /** Runs a check that throws IllegalArgumentException and turns it into a usage error. */
    static <T> T usage(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw e instanceof UsageException ? e : new UsageException(e.getMessage());
        }
    }

    /**
     * Runs a check of what option {@code --name} gave and turns its failure into a usage error that
     * names the option: {@code option --model: unknown model 'resnet51'; known models: ...}.
     */
    static <T> T option(String name, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (UsageException e) {
            throw e;
        } catch (IllegalArgumentException | RunLock.RunFolderException e) {
            throw new UsageException("option --" + name + ": " + e.getMessage());
        }
    }
}
