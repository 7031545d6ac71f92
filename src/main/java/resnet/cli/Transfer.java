package resnet.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import resnet.data.DatasetName;
import resnet.data.ImageFolder;
import resnet.data.ImageSet;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.train.Checkpoint;
import resnet.weights.StateDict;

/**
 * What {@code train --weights --freeze}, {@code predict} and {@code export} share: pretrained weights
 * put into a network (the head replaced when the class count differs), the parts to freeze, images
 * from a folder, and the class names a run keeps in its checkpoint.
 */
final class Transfer {

    /** The checkpoint setting (FitConfig metadata) that holds a folder's class names, as a JSON list. */
    static final String CLASSES = "classes";

    private static final Gson GSON = new Gson();

    private Transfer() {}

    /**
     * Checks a {@code --freeze} value before any work: {@code none}, {@code backbone} or
     * {@code upto:PART} ({@code stem}, {@code layer1} .. {@code layerN} of {@code spec}, {@code pool}).
     */
    static String freezeMode(String value, ResNetSpec spec) {
        String mode = value.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("none") && !mode.equals("backbone") && !(mode.startsWith("upto:") && mode.length() > 5)) {
            throw new UsageException("--freeze takes none, backbone or upto:PART (e.g. upto:layer3), got '" + value + "'");
        }
        if (mode.startsWith("upto:")) {
            List<String> parts = new java.util.ArrayList<>(List.of("stem"));
            for (int i = 1; i <= spec.stages(); i++) {
                parts.add("layer" + i);
            }
            parts.add("pool");
            if (!parts.contains(mode.substring(5))) {
                throw new UsageException("--freeze " + mode + ": this network's parts before the head are " + parts);
            }
        }
        return mode;
    }

    /** Freezes what {@code mode} names; frozen parts also run in inference mode. */
    static void freeze(ResidualNetwork net, String mode) {
        if (mode.equals("backbone")) {
            net.freezeBackbone(true);
        } else if (mode.startsWith("upto:")) {
            try {
                net.freezeUpTo(mode.substring(5));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--freeze " + mode + ": " + e.getMessage());
            }
        }
    }

    /**
     * Puts {@code weights} into {@code net}: all of them when the head has the network's classes,
     * else all but the head, which stays new (its values drawn with {@code seed}).
     *
     * @return one line that says what was loaded
     */
    static String load(ResidualNetwork net, StateDict weights, NDManager manager, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        OptionalInt head = weights.headClasses();
        int classes = net.spec().classes();
        if (head.isPresent() && head.getAsInt() == classes) {
            weights.loadInto(net, manager);
            return String.format(Locale.ROOT, "weights: %s, all %d tensors (head of %d classes kept)", weights.source(),
                    weights.size(), classes);
        }
        weights.loadBackboneInto(net, manager);
        return String.format(Locale.ROOT, "weights: %s, all but the head; a new head of %d classes (the file's has %s)",
                weights.source(), classes, head.isPresent() ? String.valueOf(head.getAsInt()) : "none");
    }

    /** The network for a weights file: {@code model} if given, else the one the file's shapes name. */
    static ResNetSpec specFor(StateDict weights, String model) {
        OptionalInt head = weights.headClasses();
        if (model != null) {
            ResNetSpec spec = TrainCommand.usage(() -> ResNet.spec(model));
            if (head.isEmpty()) {
                throw new UsageException(weights.source() + " has no fc.weight: it is not a classifier's state dict");
            }
            int channels = weights.get("conv1.weight") == null ? 3 : (int) weights.get("conv1.weight").shape()[1];
            return spec.withClasses(head.getAsInt()).withInputChannels(channels);
        }
        return weights.guessModel().map(StateDict.Guess::spec).orElseThrow(() -> new UsageException(
                "cannot tell which model " + weights.source() + " is for; name it with --model NAME"));
    }

    /** The training or test images of a data set, folders at {@code imageSize} (bad images: skipped and told, or an error). */
    static ImageSet images(DatasetName dataset, Path dir, boolean train, int imageSize, boolean skipBad) {
        if (dataset != DatasetName.FOLDER) {
            return dataset.load(dir, train);
        }
        ImageFolder folder = ImageFolder.trainOrTest(dir, train, imageSize, skipBad);
        System.out.println(folder);
        for (Path file : folder.skipped()) {
            System.out.println("  skipped (does not decode): " + file);
        }
        return folder.images();
    }

    /** The checkpoint {@code --checkpoint} names: a run's folder (its best.ckpt) or a .ckpt file. */
    static Checkpoint checkpoint(Args a) throws IOException {
        Path path = Path.of(a.string("checkpoint", ""));
        return Checkpoint.read(Files.isDirectory(path) ? path.resolve(Checkpoint.BEST) : path);
    }

    /** The network a checkpoint names, with its input channels and classes. */
    static ResNetSpec spec(Checkpoint.Info info) {
        return ResNet.spec(info.modelName()).withInputChannels((int) info.inputShape()[0]).withClasses(info.classes());
    }

    /** Class names as a checkpoint setting. */
    static String classesSetting(List<String> classes) {
        return GSON.toJson(classes);
    }

    /** Class names back from a checkpoint setting, or null when there is none. */
    static List<String> classesFrom(String setting) {
        if (setting == null) {
            return null;
        }
        String[] names = GSON.fromJson(setting, String[].class);
        return names == null ? null : List.of(names);
    }
}
