package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import resnet.inspect.Summary;
import resnet.models.ResNet;

class SummaryCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void outputEndsWithParametersAndMacsAsPlainIntegers() {
        CliRun result = run("summary", "resnet20");
        assertEquals(0, result.status(), result.err());
        String[] lines = result.lines();
        Summary library = Summary.of(ResNet.resnet20(10), new Shape(3, 32, 32));
        assertEquals("parameters: " + library.parameters(), lines[lines.length - 2]);
        assertEquals("macs: " + library.macs(), lines[lines.length - 1]);
        assertEquals("parameters: 269722", lines[lines.length - 2]);
        assertTrue(result.out().contains("layer3"), result.out());
    }

    @Test
    void inputAndClassesChangeTheModel() {
        CliRun result = run("summary", "resnet18_cifar", "--input", "1x28x28", "--classes", "5", "--per-block");
        assertEquals(0, result.status(), result.err());
        long expected = Summary.of(ResNet.build(ResNet.spec("resnet18_cifar").withInputChannels(1).withClasses(5)),
                new Shape(1, 28, 28)).parameters();
        String[] lines = result.lines();
        assertEquals("parameters: " + expected, lines[lines.length - 2]);
        assertTrue(result.out().contains("layer4.1"), result.out());
    }

    @Test
    void unknownModelIsAUsageErrorListingTheKnownOnes() {
        CliRun result = run("summary", "resnet51");
        assertEquals(2, result.status());
        assertTrue(result.err().contains("unknown model 'resnet51'; known models: resnet18"), result.err());
        assertTrue(result.err().contains("wide_resnet101_2"), result.err());
    }

    @Test
    void badInputsAreUsageErrorsThatSayWhy() {
        CliRun shape = run("summary", "resnet18", "--input", "224x224");
        assertEquals(2, shape.status());
        assertTrue(shape.err().contains("--input expects CxHxW, e.g. 3x224x224, got '224x224'"), shape.err());
        CliRun small = run("summary", "resnet18", "--input", "3x16x16");
        assertEquals(2, small.status());
        assertTrue(small.err().contains("the minimum is 32x32"), small.err());
        CliRun classes = run("summary", "resnet18", "--classes", "0");
        assertEquals(2, classes.status());
        assertTrue(classes.err().contains("option --classes must be at least 1, got 0"), classes.err());
    }
}
