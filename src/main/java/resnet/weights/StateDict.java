package resnet.weights;

import resnet.AtomicFile;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import resnet.blocks.BlockKind;
import resnet.blocks.Shortcut;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;
import resnet.models.ResidualNetwork;
import resnet.models.Stem;

/**
 * Named tensors with torchvision's names, as PyTorch's {@code model.state_dict()} holds them: the
 * way weights travel between PyTorch and this library.
 *
 * <pre>{@code
 * ResidualNetwork net = ResNet.resnet50(1000);
 * StateDict.read(Path.of("resnet50-11ad3fa6.pth")).loadInto(net, model.getNDManager());   // strict
 *
 * ResidualNetwork mine = ResNet.resnet50(5);                                  // 5 classes of your own
 * StateDict.read(Path.of("resnet50-11ad3fa6.pth")).loadBackboneInto(mine, model.getNDManager());
 *
 * StateDict.of(net).write(Path.of("resnet50.safetensors"));                  // torchvision reads it back
 * }</pre>
 *
 * <p>Loading is strict, like {@code load_state_dict}: unless every tensor the model needs is in the
 * file with the right shape, and the file has nothing else, nothing is copied and a {@link
 * WeightsMismatchException} lists every difference. {@code num_batches_tracked} is skipped
 * ({@link TorchNames#ignored}). The common exception is a new task: {@link #loadBackboneInto} loads
 * everything but the head {@code fc}, which keeps the shape and the fresh values the model gave it.
 */
public final class StateDict {

    private static final String HEAD = ResidualNetwork.HEAD + ".";
    private static final List<String> WRAPPERS = List.of("state_dict", "model_state_dict", "model", "module", "net");

    private final String source;
    private final Map<String, Tensor> tensors;

    /**
     * @param source where the tensors come from, for messages (a file name)
     * @param tensors by torchvision name, in order
     */
    public StateDict(String source, Map<String, Tensor> tensors) {
        this.source = source;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * Reads a state dict from PyTorch's {@code .pth}/{@code .pt}, {@code .safetensors} or {@code .npz}
     * (told apart by content, {@link WeightsFormat#detect}). A checkpoint dictionary that holds the
     * state dict under {@code state_dict}, {@code model_state_dict} or {@code model} is opened, and a
     * {@code module.} prefix on every name (left by {@code DataParallel}) is dropped. Values that are
     * not tensors are left out.
     *
     * @throws IOException naming the file when it is missing, cut short, of another kind, or holds no tensors
     */
    public static StateDict read(Path file) throws IOException {
        WeightsFormat format = WeightsFormat.detect(file);
        Map<String, Object> raw = format.read(file);
        if (raw.values().stream().noneMatch(v -> v instanceof Tensor)) {
            for (String key : WRAPPERS) {
                if (raw.get(key) instanceof Map<?, ?> inner && inner.values().stream().anyMatch(v -> v instanceof Tensor)) {
                    raw = new LinkedHashMap<>();
                    for (Map.Entry<?, ?> e : inner.entrySet()) {
                        raw.put(String.valueOf(e.getKey()), e.getValue());
                    }
                    break;
                }
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        raw.forEach((name, value) -> {
            if (value instanceof Tensor t) {
                tensors.put(name, t);
            }
        });
        if (tensors.isEmpty()) {
            throw new IOException(file + " holds no tensors (keys: " + String.join(", ", raw.keySet().stream().limit(10)
                    .toList()) + "): not a state dict; in PyTorch save torch.save(model.state_dict(), 'weights.pth')");
        }
        if (tensors.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            Map<String, Tensor> stripped = new LinkedHashMap<>();
            tensors.forEach((k, v) -> stripped.put(k.substring("module.".length()), v));
            return new StateDict(file.toString(), stripped);
        }
        return new StateDict(file.toString(), tensors);
    }

    /**
     * The weights of {@code block} (its BatchNorm running statistics included) under torchvision's
     * names: what {@code torchvision.models.resnet50().load_state_dict(...)} takes.
     *
     * @throws IllegalStateException when the block has no weights yet (not initialised)
     */
    public static StateDict of(Block block) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> p : TorchNames.parameters(block).entrySet()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException("the model has no weights yet (" + p.getKey() + " is not initialised):"
                        + " train it, load weights into it, or initialise it first");
            }
            NDArray array = p.getValue().getArray();
            float[] values = array.getDataType() == DataType.FLOAT32 ? array.toFloatArray()
                    : array.toType(DataType.FLOAT32, false).toFloatArray();
            tensors.put(p.getKey(), Tensor.of(array.getShape().getShape(), values));
        }
        return new StateDict("the model", tensors);
    }

    /** Where the tensors came from (the file), for messages. */
    public String source() {
        return source;
    }

    /** Every tensor by torchvision name, in the file's order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    /** The tensor called {@code name}, or null. */
    public Tensor get(String name) {
        return tensors.get(name);
    }

    public int size() {
        return tensors.size();
    }

    /** The number of values in all tensors but the skipped ones ({@code num_batches_tracked}). */
    public long values() {
        return tensors.entrySet().stream().filter(e -> !TorchNames.ignored(e.getKey()))
                .mapToLong(e -> e.getValue().values().length).sum();
    }

    /** The head's classes: the rows of {@code fc.weight}, when there is one. */
    public OptionalInt headClasses() {
        Tensor head = tensors.get(HEAD + "weight");
        return head == null || head.shape().length != 2 ? OptionalInt.empty() : OptionalInt.of((int) head.shape()[0]);
    }

    /**
     * Puts every tensor into {@code block}, strictly: the block's parameters and the file's tensors
     * must be the same names with the same shapes. A {@link ResidualNetwork} that is not initialised
     * yet is initialised first (with {@code manager}); any other block must be.
     *
     * @throws WeightsMismatchException listing every missing, unexpected and wrongly shaped tensor;
     *     then nothing was copied
     */
    public void loadInto(Block block, NDManager manager) {
        copyInto(block, manager, false);
    }

    /**
     * Puts every tensor but the head's ({@code fc.*}) into {@code net}: the first step of fine-tuning
     * pretrained weights on a task with another number of classes. The head keeps the shape and the
     * untrained values the network gave it; everything else is as strict as {@link #loadInto}.
     */
    public void loadBackboneInto(ResidualNetwork net, NDManager manager) {
        copyInto(net, manager, true);
    }

    private void copyInto(Block block, NDManager manager, boolean skipHead) {
        initialise(block, manager);
        Map<String, Parameter> parameters = TorchNames.parameters(block);
        List<String> missing = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            if (skipHead && p.getKey().startsWith(HEAD)) {
                continue;
            }
            Tensor t = tensors.get(p.getKey());
            long[] expected = p.getValue().getArray().getShape().getShape();
            if (t == null) {
                missing.add(p.getKey());
            } else if (!Arrays.equals(t.shape(), expected)) {
                wrongShape.add(p.getKey() + ": file " + t.shapeText() + ", model " + Tensor.shapeText(expected));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : tensors.keySet()) {
            if (!parameters.containsKey(name) && !TorchNames.ignored(name) && !(skipHead && name.startsWith(HEAD))) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !wrongShape.isEmpty()) {
            throw new WeightsMismatchException(source, describe(block), missing, unexpected, wrongShape);
        }
        for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
            if (!(skipHead && p.getKey().startsWith(HEAD))) {
                p.getValue().getArray().set(FloatBuffer.wrap(tensors.get(p.getKey()).values()));
            }
        }
    }

    private static void initialise(Block block, NDManager manager) {
        boolean ready = block.getParameters().values().stream().allMatch(Parameter::isInitialized);
        if (ready) {
            return;
        }
        if (!(block instanceof ResidualNetwork net)) {
            throw new IllegalStateException("initialise the block before loading weights into it"
                    + " (block.initialize(manager, DataType.FLOAT32, inputShape))");
        }
        net.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(net.spec().defaultInputShape()));
    }

    /** The library's name of the network, when its spec is a named one ("resnet18 with 10 classes"). */
    static String describe(Block block) {
        if (block instanceof ResidualNetwork net) {
            ResNetSpec spec = net.spec();
            for (String name : ResNet.names()) {
                if (ResNet.spec(name).withClasses(spec.classes()).withInputChannels(spec.inputChannels()).equals(spec)) {
                    return name + " (" + spec.classes() + " classes)";
                }
            }
            return "this " + spec.depth() + "-layer network";
        }
        return "this " + block.getClass().getSimpleName();
    }

    /**
     * Writes the tensors in the format the file name asks for ({@code .safetensors}, {@code .pth} or
     * {@code .pt}, {@code .npz}; float32), through a temporary file renamed into place, so a failed
     * write leaves no half file.
     */
    public void write(Path file) throws IOException {
        WeightsFormat format = WeightsFormat.forName(file);
        Map<String, Tensor> tensors = exportable();
        AtomicFile.write(file, out -> format.write(out, tensors));
    }

    private Map<String, Tensor> exportable() {
        Map<String, Tensor> out = new LinkedHashMap<>(tensors);
        out.keySet().removeIf(TorchNames::ignored);
        return out;
    }

    /** A network and its name, guessed from the tensors' names and shapes ({@link #guessModel()}). */
    public record Guess(String name, ResNetSpec spec) {}

    /**
     * The named model these weights fit, judged from their names and shapes: the stem's kernel, the
     * blocks per stage, bottleneck or basic, the widths, the 3x3's groups, projection shortcuts or
     * none, the head's classes and the input channels. Several models can have the same tensors (a
     * CIFAR ResNet with zero-padding shortcuts and its plain twin); the first in {@link ResNet#names()}
     * is taken. Loading the weights then checks every tensor.
     */
    public Optional<Guess> guessModel() {
        Tensor stem = tensors.get("conv1.weight");
        OptionalInt classes = headClasses();
        if (stem == null || stem.shape().length != 4 || classes.isEmpty()) {
            return Optional.empty();
        }
        Stem stemKind = stem.shape()[2] == 7 ? Stem.IMAGENET : Stem.CIFAR;
        boolean bottleneck = tensors.containsKey("layer1.0.conv3.weight");
        List<Integer> layers = new ArrayList<>();
        List<Integer> widths = new ArrayList<>();
        for (int stage = 1; tensors.containsKey("layer" + stage + ".0.conv1.weight"); stage++) {
            int blocks = 0;
            while (tensors.containsKey("layer" + stage + "." + blocks + ".conv1.weight")) {
                blocks++;
            }
            layers.add(blocks);
            String prefix = "layer" + stage + ".0.";
            widths.add((int) (bottleneck ? tensors.get(prefix + "conv3.weight").shape()[0] / BlockKind.BOTTLENECK.expansion()
                    : tensors.get(prefix + "conv1.weight").shape()[0]));
        }
        if (layers.isEmpty()) {
            return Optional.empty();
        }
        int groups = 1;
        int widthPerGroup = 64;
        if (bottleneck) {
            long[] conv2 = tensors.get("layer1.0.conv2.weight").shape();
            groups = (int) (conv2[0] / conv2[1]);
            widthPerGroup = (int) (conv2[0] * 64 / ((long) widths.get(0) * groups));
        }
        boolean projection = tensors.keySet().stream().anyMatch(k -> k.contains(".downsample."));
        boolean batchNorm = tensors.containsKey("bn1.weight");
        for (String name : ResNet.names()) {
            ResNetSpec spec = ResNet.spec(name);
            boolean sameShortcut = projection == (spec.options().shortcut() == Shortcut.PROJECTION);
            if (spec.stem() == stemKind && spec.layers().equals(layers) && spec.widths().equals(widths)
                    && (spec.block() == BlockKind.BOTTLENECK) == bottleneck && spec.options().groups() == groups
                    && spec.options().widthPerGroup() == widthPerGroup && sameShortcut
                    && spec.hasBatchNorm() == batchNorm) {
                return Optional.of(new Guess(name, spec.withClasses(classes.getAsInt())
                        .withInputChannels((int) stem.shape()[1])));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("%s: %d tensors, %,d values", source, size(), values());
    }
}
