package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;
import resnet.weights.ImageNetClasses;
import resnet.weights.StateDict;

/**
 * train --dataset folder --weights, predict and export end to end: generated images of three colours,
 * "pretrained" weights generated here (a resnet18 with random weights and 1000 classes, saved as
 * .safetensors), a short fine-tune of the new head, then predictions on new images.
 */
class TransferCommandsTest {

    private static final List<String> CLASSES = List.of("blue", "green", "red");

    @TempDir
    static Path dir;

    private static Path data;
    private static Path weights;
    private static Path run;
    private static CliRun train;

    @BeforeAll
    static void fineTune() throws IOException {
        // class k of TestData.imageFolder has colour k: red, green, blue; the folders sort as blue, green, red
        data = TestData.imageFolder(dir.resolve("colours"), List.of("red", "green", "blue"), 12, 11);
        weights = dir.resolve("resnet18-random.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            ResidualNetwork net = ResNet.build("resnet18", 1000);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
            StateDict.of(net).write(weights);
        }
        run = dir.resolve("run");
        train = CliRun.of("train", "--model", "resnet18", "--dataset", "folder", "--data-dir", data.toString(),
                "--image-size", "32", "--weights", weights.toString(), "--freeze", "backbone", "--epochs", "4",
                "--batch", "8", "--lr", "0.05", "--out", run.toString());
        System.out.println(train.out());
    }

    private static Path image(int colour, String name) throws IOException {
        Path file = dir.resolve(name);
        ImageIO.write(TestData.noisy(colour, 70, 50, new Random(name.hashCode())), "png", file.toFile());
        return file;
    }

    @Test
    void aFineTuneFromPretrainedWeightsReplacesTheHeadAndLearnsTheFolder() {
        assertEquals(0, train.status(), train.out() + train.err());
        assertTrue(train.out().contains("weights: " + weights + ", all but the head; a new head of 3 classes"
                + " (the file's has 1000)"), train.out());
        assertTrue(train.out().contains("folder colours (rest): 29 images of 3x32x32, 3 classes"), train.out());
        // the settings are printed in aligned columns, whose width follows the longest setting's name
        assertTrue(train.out().matches("(?s).*\\nclasses: +\\[\"blue\",\"green\",\"red\"\\].*"), train.out());
        assertEquals("test accuracy: 1.0000", train.lastLine(), train.out());
    }

    @Test
    void predictPrintsTheFoldersClassForAKnownImage() throws IOException {
        Path red = image(TestData.CLASS_COLOURS[0], "a-red-one.png");
        Path blue = image(TestData.CLASS_COLOURS[2], "a-blue-one.png");
        CliRun predict = CliRun.of("predict", "--checkpoint", run.toString(), red.toString(), blue.toString());
        assertEquals(0, predict.status(), predict.out() + predict.err());
        System.out.println(predict.out());
        List<String> lines = Arrays.asList(predict.lines());
        assertTrue(lines.get(0).startsWith("model: resnet18 from " + run.resolve("best.ckpt")), lines.get(0));
        assertEquals(red.toString(), lines.get(1));
        assertTrue(lines.get(2).matches("  1\\. +\\d+\\.\\d\\d%  red"), lines.get(2));
        assertEquals(1 + 1 + 3, lines.indexOf(blue.toString()), "three classes, so three lines each");
        assertTrue(lines.get(6).matches("  1\\. +\\d+\\.\\d\\d%  blue"), lines.get(6));
    }

    @Test
    void exportedWeightsPredictAsTheCheckpointDoes() throws IOException {
        Path green = image(TestData.CLASS_COLOURS[1], "a-green-one.jpg");
        Path out = dir.resolve("exported.safetensors");
        CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--to", out.toString());
        assertEquals(0, export.status(), export.out() + export.err());
        // torchvision's resnet18 state dict: 122 tensors, 20 of them num_batches_tracked, which is left out
        assertTrue(export.out().startsWith("wrote " + out + ": resnet18 (102 tensors"), export.out());
        assertTrue(export.out().contains("torchvision.models.resnet18(num_classes=3)"), export.out());

        CliRun fromCheckpoint = CliRun.of("predict", "--checkpoint", run.toString(), green.toString());
        CliRun fromWeights = CliRun.of("predict", "--weights", out.toString(), "--image-size", "32", green.toString());
        assertEquals(0, fromWeights.status(), fromWeights.out() + fromWeights.err());
        assertTrue(fromWeights.lines()[0].startsWith("model: resnet18 (told from the shapes) from " + out), fromWeights.out());
        String[] a = fromCheckpoint.lines();
        String[] b = fromWeights.lines();
        for (int k = 2; k < 5; k++) {
            // same probabilities; the class names are the folder's in the checkpoint, numbers in the weights file
            assertEquals(a[k].replaceAll("%.*", ""), b[k].replaceAll("%.*", ""), fromCheckpoint.out() + fromWeights.out());
        }
        assertTrue(a[2].endsWith("green") && b[2].endsWith("class 1"), a[2] + " / " + b[2]);
    }

    @Test
    void imageNetWeightsPredictWithImageNetsClassNames() throws IOException {
        Path red = image(TestData.CLASS_COLOURS[0], "red-for-imagenet.png");
        CliRun predict = CliRun.of("predict", "--weights", weights.toString(), "--image-size", "64", red.toString());
        assertEquals(0, predict.status(), predict.out() + predict.err());
        String[] lines = predict.lines();
        assertTrue(lines[0].contains("(1000 classes, input 3x64x64, ImageNet normalisation)"), lines[0]);
        assertEquals(7, lines.length, predict.out());
        for (int k = 2; k < 7; k++) {
            String name = lines[k].replaceFirst("^  \\d\\. +\\d+\\.\\d\\d%  ", "");
            assertTrue(ImageNetClasses.names().contains(name), lines[k]);
        }
        assertEquals("tench", ImageNetClasses.names().get(0));
        assertEquals("toilet tissue", ImageNetClasses.names().get(999));
    }

    @Test
    void weightsOfAnotherArchitectureAndBadOptionsAreNamed() throws IOException {
        CliRun wrong = CliRun.of("train", "--model", "resnet34", "--dataset", "folder", "--data-dir", data.toString(),
                "--image-size", "32", "--weights", weights.toString(), "--epochs", "1", "--out", dir.resolve("w").toString());
        assertEquals(1, wrong.status(), wrong.out());
        // resnet34 has 8 basic blocks more than resnet18 ([3, 4, 6, 3] against [2, 2, 2, 2]), 10 tensors each
        assertTrue(wrong.err().contains("do not fit resnet34 (3 classes): 80 missing, 0 unexpected, 0 of the wrong shape"),
                wrong.err());

        CliRun freeze = CliRun.of("train", "--dataset", "folder", "--freeze", "layer3");
        assertEquals(2, freeze.status());
        assertTrue(freeze.err().contains("--freeze takes none, backbone or upto:PART"), freeze.err());
        CliRun stage = CliRun.of("train", "--model", "resnet20", "--dataset", "folder", "--freeze", "upto:layer4");
        assertEquals(2, stage.status());
        assertTrue(stage.err().contains("--freeze upto:layer4: this network's parts before the head are [stem, layer1,"
                + " layer2, layer3, pool]"), stage.err());

        Path notes = Files.writeString(dir.resolve("notes.txt"), "hello");
        CliRun notWeights = CliRun.of("predict", "--weights", notes.toString(), notes.toString());
        assertEquals(1, notWeights.status());
        assertTrue(notWeights.err().contains(notes + " is not a weights file"), notWeights.err());

        CliRun notImage = CliRun.of("predict", "--weights", weights.toString(), notes.toString());
        assertEquals(1, notImage.status());
        assertTrue(notImage.err().contains(notes + " is not an image"), notImage.err());

        CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--to", dir.resolve("w.bin").toString());
        assertEquals(2, export.status());
        assertTrue(export.err().contains("cannot tell the weights format of 'w.bin'"), export.err());
    }
}
