package resnet.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;

/** The library side of weights files: names, formats written and read back, and every error. */
class StateDictTest {

    @TempDir
    Path dir;

    private static NDManager manager;
    private static StateDict resnet18;
    private static StateDict small;

    @BeforeAll
    static void weights() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(3);
        ResidualNetwork net = ResNet.build("resnet18", 1000);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        resnet18 = StateDict.of(net);
        ResidualNetwork cifar = ResNet.build("resnet20", 10);
        cifar.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        small = StateDict.of(cifar);
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void namesMapBothWaysForEveryParameter() {
        for (String model : List.of("resnet50", "resnet20", "plain18")) {
            ResidualNetwork net = ResNet.build(ResNet.spec(model).withBatchNorm(!model.equals("plain18")));
            for (Pair<String, Parameter> p : net.getParameters()) {
                String torch = TorchNames.torchName(p.getKey());
                assertEquals(p.getKey(), TorchNames.libraryName(torch), torch);
                assertFalse(torch.contains("_") && !torch.contains("running_"), torch);
            }
        }
        // DESIGN.md's facts: stem, shortcut, BatchNorm's four arrays, '.' for '_'
        assertEquals("conv1.weight", TorchNames.torchName("stem_conv_weight"));
        assertEquals("bn1.running_var", TorchNames.torchName("stem_bn_runningVar"));
        assertEquals("layer2.0.downsample.0.weight", TorchNames.torchName("layer2_0_shortcut_conv_weight"));
        assertEquals("layer2.0.downsample.1.bias", TorchNames.torchName("layer2_0_shortcut_bn_beta"));
        assertEquals("layer3.1.bn2.weight", TorchNames.torchName("layer3_1_bn2_gamma"));
        assertEquals("layer1.0.conv1.bias", TorchNames.torchName("layer1_0_conv1_bias"));
        assertEquals("fc.weight", TorchNames.torchName("fc_weight"));
        assertTrue(TorchNames.ignored("layer1.0.bn1.num_batches_tracked"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"w.safetensors", "w.pth", "w.pt", "w.npz"})
    void everyFormatReadsBackWhatWasWritten(String name) throws IOException {
        Path file = dir.resolve(name);
        small.write(file);
        StateDict back = StateDict.read(file);
        assertEquals(small.names().stream().toList(), back.names().stream().toList(), "same names, same order");
        for (String key : small.names()) {
            assertArrayEquals(small.get(key).shape(), back.get(key).shape(), key);
            assertArrayEquals(small.get(key).values(), back.get(key).values(), key);
        }
    }

    @Test
    void loadingPutsTheValuesIntoTheModel() {
        ResidualNetwork net = ResNet.build("resnet18", 1000);
        resnet18.loadInto(net, manager);
        assertEquals(resnet18.tensors(), StateDict.of(net).tensors());
    }

    @Test
    void theBackboneLoadsIntoANetworkWithAnotherHead() {
        ResidualNetwork net = ResNet.build("resnet18", 5);
        WeightsMismatchException strict = assertThrows(WeightsMismatchException.class, () -> resnet18.loadInto(net, manager));
        assertEquals(List.of("fc.weight: file (1000, 512), model (5, 512)", "fc.bias: file (1000,), model (5,)"),
                strict.wrongShape());
        resnet18.loadBackboneInto(net, manager);
        StateDict loaded = StateDict.of(net);
        for (String key : resnet18.names()) {
            if (key.startsWith("fc.")) {
                assertEquals(5, loaded.get(key).shape()[0], key);
            } else {
                assertArrayEquals(resnet18.get(key).values(), loaded.get(key).values(), key);
            }
        }
    }

    @Test
    void aMissingTensorIsNamedAndNothingIsCopied() {
        Map<String, Tensor> fewer = new LinkedHashMap<>(resnet18.tensors());
        fewer.remove("layer3.1.bn2.running_var");
        fewer.put("layer3.1.bn2.num_batches_tracked", Tensor.of(new long[0], new float[] {5}));
        fewer.put("extra.weight", Tensor.of(new long[] {2}, new float[2]));
        ResidualNetwork net = ResNet.build("resnet18", 1000);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        StateDict before = StateDict.of(net);
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class,
                () -> new StateDict("fewer.pth", fewer).loadInto(net, manager));
        assertEquals(List.of("layer3.1.bn2.running_var"), e.missing());
        assertEquals(List.of("extra.weight"), e.unexpected(), "num_batches_tracked is ignored");
        assertTrue(e.getMessage().startsWith("the weights in fewer.pth do not fit resnet18 (1000 classes): 1 missing,"
                + " 1 unexpected, 0 of the wrong shape"), e.getMessage());
        assertEquals(before.tensors(), StateDict.of(net).tensors(), "nothing copied");
    }

    @ParameterizedTest
    @ValueSource(strings = {"w.pth", "w.safetensors", "w.npz"})
    void aTruncatedFileIsAnErrorNamingIt(String name) throws IOException {
        Path file = dir.resolve(name);
        small.write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> StateDict.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(name.endsWith("safetensors") ? "is truncated" : "not a complete zip archive"),
                e.getMessage());
    }

    @Test
    void aFileThatHoldsNoWeightsIsAnErrorNamingWhatItIs() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.pth"), "these are not weights\n");
        IOException e = assertThrows(IOException.class, () -> StateDict.read(text));
        assertTrue(e.getMessage().startsWith(text + " is not a weights file: expected PyTorch's .pth/.pt"), e.getMessage());

        Path zip = dir.resolve("photos.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("cat.jpg"));
            out.write(new byte[] {1, 2, 3});
        }
        e = assertThrows(IOException.class, () -> StateDict.read(zip));
        assertTrue(e.getMessage().contains("a zip archive but not a weights file"), e.getMessage());

        Path legacy = Files.write(dir.resolve("old.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10});
        e = assertThrows(IOException.class, () -> StateDict.read(legacy));
        assertTrue(e.getMessage().contains("PyTorch's legacy format"), e.getMessage());

        e = assertThrows(IOException.class, () -> StateDict.read(dir.resolve("absent.pth")));
        assertEquals("no weights file at " + dir.resolve("absent.pth"), e.getMessage());

        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> resnet18.write(dir.resolve("weights.bin")));
        assertEquals("cannot tell the weights format of 'weights.bin': name it .pth, .pt, .safetensors, .npz",
                name.getMessage());
    }

    @Test
    void theModelIsGuessedFromNamesAndShapes() {
        assertEquals("resnet18", resnet18.guessModel().orElseThrow().name());
        ResidualNetwork cifar = ResNet.build(ResNet.spec("resnet20").withInputChannels(1).withClasses(7));
        cifar.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        StateDict.Guess guess = StateDict.of(cifar).guessModel().orElseThrow();
        assertEquals("resnet20", guess.name());
        assertEquals(cifar.spec(), guess.spec(), "classes and input channels from the head and the stem");
        assertTrue(new StateDict("x", Map.of("w", Tensor.of(new long[] {1}, new float[1]))).guessModel().isEmpty());
    }
}
