package resnet.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;

/**
 * The library's models against torchvision's with the same weights, both ways: files that {@code
 * torch.save} writes at test time (random weights, random BatchNorm statistics) loaded here give
 * torchvision's logits, and weights exported here give torchvision the library's logits. float32,
 * inference mode; the tolerance is relative to the largest logit.
 */
class TorchvisionWeightsTest {

    private static final double TOLERANCE = 1e-5;

    @TempDir
    static Path dir;

    private static NDManager manager;

    @BeforeAll
    static void makeReferenceFiles() throws Exception {
        TorchReference.run("make", "--out", dir, "--models", "resnet18,resnet50,resnext50_32x4d",
                "--all-formats", "resnet18", "--size", 64, "--batch", 2, "--seed", 0);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private static NDList io(String model) throws Exception {
        return NDList.decode(manager, Files.readAllBytes(dir.resolve(model + "-io.npz")));
    }

    static NDArray logits(ResidualNetwork net, NDArray input) {
        return net.forward(new ParameterStore(manager, false), new NDList(input), false).singletonOrThrow();
    }

    static double relativeDifference(NDArray actual, NDArray expected) {
        return actual.sub(expected).abs().max().getFloat() / expected.abs().max().getFloat();
    }

    private static double loadAndCompare(String model, Path file) throws Exception {
        NDList io = io(model);
        ResidualNetwork net = ResNet.build(model, 1000);
        StateDict.read(file).loadInto(net, manager);
        double difference = relativeDifference(logits(net, io.get("input")), io.get("logits"));
        System.out.println(String.format(Locale.ROOT, "%s from %s: largest logit difference %.2e of the largest logit",
                model, file.getFileName(), difference));
        return difference;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50", "resnext50_32x4d"})
    void torchSavedWeightsGiveTorchvisionsLogits(String model) throws Exception {
        double difference = loadAndCompare(model, dir.resolve(model + ".pth"));
        assertTrue(difference < TOLERANCE, model + ": relative difference " + difference);
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18.safetensors", "resnet18.npz", "resnet18-checkpoint.pth"})
    void theOtherFilesOfTheSameWeightsGiveTheSameLogits(String file) throws Exception {
        double difference = loadAndCompare("resnet18", dir.resolve(file));
        assertTrue(difference < TOLERANCE, file + ": relative difference " + difference);
    }

    @Test
    void halfPrecisionWeightsAreWidenedToFloat() throws Exception {
        StateDict full = StateDict.read(dir.resolve("resnet18.pth"));
        StateDict half = StateDict.read(dir.resolve("resnet18-half.pth"));
        assertEquals("float16", half.get("conv1.weight").dtype());
        for (Map.Entry<String, Tensor> t : full.tensors().entrySet()) {
            float[] expected = t.getValue().values();
            float[] actual = half.get(t.getKey()).values();
            for (int i = 0; i < expected.length; i++) {
                // float16 keeps 11 significant bits: a relative error of at most 2^-11
                assertEquals(expected[i], actual[i], Math.abs(expected[i]) * 0x1p-11 + 1e-7, t.getKey() + "[" + i + "]");
            }
        }
    }

    /** A library model, random weights and BatchNorm statistics, exported and run by torchvision. */
    @ParameterizedTest
    @ValueSource(strings = {"safetensors", "pth"})
    void exportedWeightsGiveTorchvisionTheLibrarysLogits(String extension) throws Exception {
        ResidualNetwork net = ResNet.build("resnet18", 10);
        Engine.getInstance().setRandomSeed(7);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        randomiseBatchNorm(net, new Random(7));
        NDArray input = io("resnet18").get("input");
        NDArray mine = logits(net, input);
        Path file = dir.resolve("exported-resnet18." + extension);
        StateDict.of(net).write(file);
        Path inputFile = dir.resolve("exported-input.npz");
        NDArray named = input.duplicate();
        named.setName("input");
        Files.write(inputFile, new NDList(named).encode(NDList.Encoding.NPZ));
        Path out = dir.resolve("exported-logits-" + extension + ".npz");
        TorchReference.run("check", "--model", "resnet18", "--classes", 10, "--weights", file, "--input", inputFile,
                "--out", out);
        NDArray theirs = NDList.decode(manager, Files.readAllBytes(out)).get("logits");
        double difference = relativeDifference(mine, theirs);
        System.out.println(String.format(Locale.ROOT, "library resnet18 exported as .%s, run by torchvision:"
                + " largest logit difference %.2e of the largest logit", extension, difference));
        assertTrue(difference < TOLERANCE, "relative difference " + difference);
    }

    static void randomiseBatchNorm(ResidualNetwork net, Random random) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            Parameter.Type type = p.getValue().getType();
            NDArray array = p.getValue().getArray();
            float[] values = new float[(int) array.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (type) {
                    case RUNNING_MEAN, BETA -> (float) (random.nextGaussian() * 0.1);
                    case RUNNING_VAR, GAMMA -> 0.5f + random.nextFloat();
                    default -> Float.NaN;
                };
            }
            if (!Float.isNaN(values[0])) {
                array.set(FloatBuffer.wrap(values));
            }
        }
    }

    @Test
    void resnet50WeightsIntoResnet18ListEveryMismatch() {
        ResidualNetwork net = ResNet.build("resnet18", 1000);
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class,
                () -> StateDict.read(dir.resolve("resnet50.pth")).loadInto(net, manager));
        assertTrue(e.missing().isEmpty(), e.missing().toString());
        // resnet50's state dict has 267 tensors besides num_batches_tracked, resnet18's 102, all of them
        // also in resnet50's (torchvision's resnet.py): 165 are extra
        assertEquals(267 - 102, e.unexpected().size(), e.unexpected().toString());
        assertEquals("layer1.0.conv3.weight", e.unexpected().get(0), "listed in the file's order");
        assertTrue(e.unexpected().contains("layer1.0.conv3.weight"));
        assertTrue(e.unexpected().contains("layer1.0.downsample.0.weight"));
        assertTrue(e.wrongShape().contains("layer1.0.conv1.weight: file (64, 64, 1, 1), model (64, 64, 3, 3)"),
                e.wrongShape().toString());
        assertTrue(e.wrongShape().contains("fc.weight: file (1000, 2048), model (1000, 512)"), e.wrongShape().toString());
        assertTrue(e.getMessage().startsWith("the weights in " + dir.resolve("resnet50.pth") + " do not fit resnet18"
                + " (1000 classes): 0 missing, 165 unexpected, "), e.getMessage());
        System.out.println("resnet50 weights into resnet18: " + e.getMessage().lines().findFirst().orElseThrow());
    }

    @Test
    void theModelIsGuessedFromTheFile() throws Exception {
        for (String model : new String[] {"resnet18", "resnet50", "resnext50_32x4d"}) {
            StateDict.Guess guess = StateDict.read(dir.resolve(model + ".pth")).guessModel().orElseThrow();
            assertEquals(model, guess.name());
            assertEquals(ResNet.spec(model), guess.spec());
        }
    }
}
