package resnet.cli;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import resnet.data.DatasetException;
import resnet.data.DatasetName;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.train.Checkpoint;
import resnet.train.Evaluation;

/**
 * {@code resnet evaluate --checkpoint DIR --dataset NAME}: rebuilds the model a checkpoint names,
 * loads its weights and prints {@code test accuracy: X} on the test set.
 */
public final class EvaluateCommand implements Command {

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String description() {
        return "test accuracy of a trained checkpoint; ends with 'test accuracy: X'";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet evaluate --checkpoint PATH[,PATH...] --dataset fashion-mnist|cifar10|folder [--data-dir DIR]"
                        + " [--limit N] [--batch N] [--tta flip]",
                "",
                "  --checkpoint PATH    a run's --out folder (its best.ckpt is used) or a .ckpt file; several,",
                "                       comma-separated (PATH1,PATH2), are scored as an ensemble: their",
                "                       probabilities averaged (each must take the same images, classes, normalisation)",
                "  --dataset NAME       the data set the model was trained on",
                "  --data-dir DIR       folder of the data files (default as for train)",
                "  --limit N            only the first N test images",
                "  --batch N            images per forward pass (default 256)",
                "  --tta KIND           none (default) or flip: average the scores of each image and its mirror",
                "",
                "The model (name, input channels, classes) and the normalisation come from the checkpoint.",
                "The last line is 'test accuracy: X' (0..1).");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args a = Args.parse(args, Set.of("checkpoint", "dataset", "data-dir", "limit", "batch", "tta"), Set.of());
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected arguments " + a.positional() + "; options start with --");
        }
        if (!a.has("checkpoint") || !a.has("dataset")) {
            throw new UsageException("--checkpoint and --dataset are required");
        }
        DatasetName dataset = TrainCommand.option("dataset", () -> DatasetName.of(a.string("dataset", "")));
        int limit = a.has("limit") ? a.integer("limit", 0, 1, Integer.MAX_VALUE) : 0;
        int batch = a.integer("batch", 256, 1, TrainCommand.MAX_BATCH);
        boolean flipTta = a.choice("tta", "none", List.of("none", "flip")).equals("flip");
        Path dataDir = a.path("data-dir", null);
        List<Path> files = new ArrayList<>();
        for (String part : a.string("checkpoint", "").split(",", -1)) {
            if (part.isBlank()) {
                throw new UsageException("option --checkpoint '" + a.string("checkpoint", "") + "' has an empty"
                        + " path; give PATH or PATH1,PATH2,...");
            }
            Path path = Path.of(part.trim());
            files.add(Files.isDirectory(path) ? path.resolve(Checkpoint.BEST) : path);
        }
        // every checkpoint is read and checked before the images are
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (Path file : files) {
            Checkpoint checkpoint = Checkpoint.read(file);
            Checkpoint.Info info = checkpoint.info();
            if (info.inputShape()[0] != dataset.channels()) {
                throw new UsageException(String.format("%s was trained on %d-channel images, %s has %d",
                        file, info.inputShape()[0], dataset.id(), dataset.channels()));
            }
            if (!checkpoints.isEmpty()) {
                Checkpoint.Info first = checkpoints.get(0).info();
                if (!Arrays.equals(first.inputShape(), info.inputShape()) || first.classes() != info.classes()
                        || !first.normalization().equals(info.normalization())) {
                    throw new UsageException(String.format("%s and %s cannot be scored together: %s images, %d"
                            + " classes, %s against %s images, %d classes, %s", files.get(0), file,
                            shape(first.inputShape()), first.classes(), first.normalization(),
                            shape(info.inputShape()), info.classes(), info.normalization()));
                }
            }
            checkpoints.add(checkpoint);
        }
        Checkpoint.Info info = checkpoints.get(0).info();
        // a folder's images are cut to the size the model was trained at
        ImageSet test = Transfer.images(dataset, dataDir, false, (int) info.inputShape()[1], false).limit(limit);
        long[] image = {test.channels(), test.height(), test.width()};
        if (!Arrays.equals(image, info.inputShape())) {
            throw new DatasetException(String.format("the %s test images are %dx%dx%d, but %s was trained on %s images;"
                    + " evaluate it on images of the size it was trained on", dataset.id(), image[0], image[1], image[2],
                    files.get(0), shape(info.inputShape())));
        }
        List<Model> models = new ArrayList<>();
        try {
            for (int i = 0; i < checkpoints.size(); i++) {
                Checkpoint.Info each = checkpoints.get(i).info();
                System.out.println("checkpoint: " + files.get(i) + " (" + each.modelName() + ", epoch " + each.epoch()
                        + ")");
                ResNetSpec spec = ResNet.spec(each.modelName()).withInputChannels((int) each.inputShape()[0])
                        .withClasses(each.classes());
                ResidualNetwork net = ResNet.build(spec);
                MemoryCheck.requireBatch("evaluating " + each.modelName() + " in batches of "
                        + Math.min(batch, test.size()), MemoryCheck.headParameters(spec) * 4,
                        MemoryCheck.activationsPerImage(net, new Shape(image), false), Math.min(batch, test.size()),
                        "--batch");
                Model model = Model.newInstance(each.modelName());
                models.add(model);
                model.setBlock(net);
                checkpoints.get(i).loadInto(model.getBlock(), model.getNDManager());
            }
            String which = models.size() == 1 ? "epoch " + info.epoch() : "the ensemble of " + models.size();
            printLastLine(evaluate(models, test, info.normalization(), batch, which, flipTta));
            return 0;
        } finally {
            models.forEach(Model::close);
        }
    }

    private static String shape(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    /** Evaluates on the test set and prints the details, then {@code test accuracy: X} as the last line. */
    static int report(Model model, ImageSet test, Normalization normalization, int batch, String which,
            boolean flipTta) {
        printLastLine(evaluate(model, test, normalization, batch, which, flipTta));
        return 0;
    }

    /** The last line of evaluate and train, {@code test accuracy: X}, which scripts read. */
    static void printLastLine(Evaluation evaluation) {
        System.out.println(String.format(Locale.ROOT, "test accuracy: %.4f", evaluation.accuracy()));
    }

    /** Evaluates on the test set and prints the details line (not the last line). */
    static Evaluation evaluate(Model model, ImageSet test, Normalization normalization, int batch, String which,
            boolean flipTta) {
        return evaluate(List.of(model), test, normalization, batch, which, flipTta);
    }

    /** As for one model; several are scored as an ensemble (their probabilities averaged). */
    static Evaluation evaluate(List<Model> models, ImageSet test, Normalization normalization, int batch,
            String which, boolean flipTta) {
        Evaluation evaluation = Evaluation.of(models, test, normalization, batch, flipTta);
        System.out.println(String.format(Locale.ROOT, "%s, %s%s: %d of %d right, loss %.4f", test.name(), which,
                flipTta ? ", flip averaging" : "", Math.round(evaluation.accuracy() * test.size()), test.size(),
                evaluation.loss()));
        return evaluation;
    }
}
