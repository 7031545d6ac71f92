package resnet.cli;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import resnet.data.Cifar10;
import resnet.data.DatasetName;
import resnet.data.FashionMnist;
import resnet.data.Images;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.train.Checkpoint;
import resnet.weights.ImageNetClasses;
import resnet.weights.StateDict;

/**
 * {@code resnet predict --checkpoint DIR|--weights FILE [--model NAME] IMAGE...}: the top classes of
 * each image with their probabilities, from a run of this library or from weights saved by PyTorch
 * (ImageNet's 1000 class names for 1000-class weights).
 */
public final class PredictCommand implements Command {

    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String description() {
        return "the top-5 classes of images, from a checkpoint or a weights file (.pth, .safetensors, .npz)";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet predict (--checkpoint DIR|FILE | --weights FILE [--model NAME]) [options] IMAGE...",
                "",
                "  --checkpoint PATH    a run's --out folder (its best.ckpt) or a .ckpt file: model, classes, image",
                "                       size and normalisation come from it",
                "  --weights FILE       a state dict with torchvision names (.pth/.pt, .safetensors, .npz), e.g.",
                "                       torchvision's ImageNet weights; ImageNet normalisation",
                "  --model NAME         the network of --weights (default: told from the tensors' shapes)",
                "  --image-size N       --weights: the side of the centre crop (default 224)",
                "  --resize N           the shorter side before the crop (default: size x 256/224 for photographs,",
                "                       the size itself for a checkpoint of fashion-mnist or cifar10)",
                "  --top N              classes shown per image (default 5)",
                "",
                "Class names: a folder run's own (kept in its checkpoint); ImageNet's for 1000 classes; else 'class K'.");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args a = Args.parse(args, Set.of("checkpoint", "weights", "model", "image-size", "resize", "top"), Set.of());
        if (a.has("checkpoint") == a.has("weights")) {
            throw new UsageException("give one of --checkpoint and --weights");
        }
        if (a.positional().isEmpty()) {
            throw new UsageException("name at least one image file");
        }
        if (a.has("model") && !a.has("weights")) {
            throw new UsageException("--model goes with --weights; a checkpoint names its model");
        }
        int top = a.integer("top", 5);
        if (top < 1) {
            throw new UsageException("--top must be at least 1, got " + top);
        }
        List<Path> images = new ArrayList<>();
        for (String name : a.positional()) {
            Path file = Path.of(name);
            if (!Files.isRegularFile(file)) {
                throw new UsageException("no image file at " + file);
            }
            images.add(file);
        }
        Source source = a.has("checkpoint") ? fromCheckpoint(a) : fromWeights(a);
        int size = (int) source.input[1];
        int resize = a.integer("resize", source.photographs ? Images.resizeFor(size) : size);
        if (resize < size) {
            throw new UsageException("--resize " + resize + " is smaller than the image size " + size);
        }
        // decode every image before the model runs, so that a bad file stops the command at once
        List<byte[]> pixels = new ArrayList<>();
        for (Path file : images) {
            pixels.add(channels(Images.load(file, size, resize), (int) source.input[0], size));
        }
        System.out.println(source.description);
        try (Model model = Model.newInstance("predict")) {
            ResidualNetwork net = ResNet.build(source.spec);
            model.setBlock(net);
            source.load.accept(net, model.getNDManager());
            try (NDManager manager = model.getNDManager().newSubManager()) {
                int plane = size * size;
                float[] batch = new float[images.size() * (int) source.input[0] * plane];
                for (int i = 0; i < images.size(); i++) {
                    source.normalization.apply(pixels.get(i), 0, size, size, batch, i * (int) source.input[0] * plane);
                }
                NDArray x = manager.create(batch, new Shape(images.size(), source.input[0], size, size));
                NDArray probabilities = net.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow().softmax(1);
                for (int i = 0; i < images.size(); i++) {
                    System.out.println(images.get(i));
                    float[] p = probabilities.get(i).toFloatArray();
                    Integer[] order = new Integer[p.length];
                    Arrays.setAll(order, k -> k);
                    Arrays.sort(order, (u, v) -> Float.compare(p[v], p[u]));
                    for (int k = 0; k < Math.min(top, p.length); k++) {
                        int c = order[k];
                        System.out.println(String.format(Locale.ROOT, "  %d. %6.2f%%  %s", k + 1, 100 * p[c],
                                source.classes.get(c)));
                    }
                }
            }
        }
        return 0;
    }

    /** What the model is and how its images are prepared. */
    private record Source(ResNetSpec spec, long[] input, Normalization normalization, List<String> classes,
            boolean photographs, String description, Loader load) {}

    private interface Loader {
        void accept(ResidualNetwork net, NDManager manager) throws IOException;
    }

    private static Source fromCheckpoint(Args a) throws IOException {
        if (a.has("image-size")) {
            throw new UsageException("--image-size goes with --weights; a checkpoint keeps the size it was trained at");
        }
        Checkpoint checkpoint = Transfer.checkpoint(a);
        Checkpoint.Info info = checkpoint.info();
        Path file = checkpoint.file();
        ResNetSpec spec = Transfer.spec(info);
        List<String> names = Transfer.classesFrom(info.settings().get(Transfer.CLASSES));
        String dataset = info.settings().getOrDefault("dataset", "");
        boolean photographs = dataset.equals(DatasetName.FOLDER.id());
        if (names == null) {
            names = dataset.equals(DatasetName.FASHION_MNIST.id()) ? FashionMnist.CLASSES
                    : dataset.equals(DatasetName.CIFAR10.id()) ? Cifar10.CLASSES : null;
        }
        String description = String.format(Locale.ROOT, "model: %s from %s (epoch %d, %d classes, input %s)",
                info.modelName(), file, info.epoch(), info.classes(), shape(info.inputShape()));
        return new Source(spec, info.inputShape(), info.normalization(), classNames(names, info.classes()), photographs,
                description, (net, manager) -> checkpoint.loadInto(net, manager));
    }

    private static Source fromWeights(Args a) throws IOException {
        StateDict weights = StateDict.read(Path.of(a.string("weights", "")));
        ResNetSpec spec = Transfer.specFor(weights, a.has("model") ? a.string("model", "") : null);
        String name = a.has("model") ? a.string("model", "").trim().toLowerCase(Locale.ROOT)
                : weights.guessModel().orElseThrow().name() + " (told from the shapes)";
        int size = a.integer("image-size", 224);
        if (size < spec.minInputSize()) {
            throw new UsageException("--image-size " + size + " is below this network's minimum, " + spec.minInputSize());
        }
        long[] input = {spec.inputChannels(), size, size};
        String description = String.format(Locale.ROOT, "model: %s from %s (%d classes, input %s, ImageNet"
                + " normalisation)", name, weights.source(), spec.classes(), shape(input));
        Normalization normalization = spec.inputChannels() == 3 ? Normalization.IMAGENET
                : Normalization.none(spec.inputChannels());
        return new Source(spec, input, normalization, classNames(null, spec.classes()), true, description,
                (net, manager) -> weights.loadInto(net, manager));
    }

    private static List<String> classNames(List<String> names, int classes) {
        if (names != null && names.size() == classes) {
            return names;
        }
        if (classes == ImageNetClasses.COUNT) {
            return ImageNetClasses.names();
        }
        List<String> generic = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            generic.add("class " + k);
        }
        return generic;
    }

    /** RGB bytes as the model's channels: kept for 3, luminance (ITU-R 601, as PIL's "L") for 1. */
    private static byte[] channels(byte[] rgb, int channels, int size) {
        if (channels == 3) {
            return rgb;
        }
        if (channels != 1) {
            throw new UsageException("the model takes " + channels + "-channel images; predict reads RGB or grey ones");
        }
        int plane = size * size;
        byte[] grey = new byte[plane];
        for (int k = 0; k < plane; k++) {
            double v = 0.299 * (rgb[k] & 0xFF) + 0.587 * (rgb[plane + k] & 0xFF) + 0.114 * (rgb[2 * plane + k] & 0xFF);
            grey[k] = (byte) Math.round(v);
        }
        return grey;
    }

    private static String shape(long[] s) {
        return s[0] + "x" + s[1] + "x" + s[2];
    }
}
