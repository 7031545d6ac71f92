package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import resnet.inspect.Summary;
import resnet.models.ResNet;

class BenchCommandTest {

    private static String run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args));
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            System.setOut(out);
        }
    }

    private static Map<String, String> fields(String line) {
        Map<String, String> fields = new HashMap<>();
        for (String word : line.trim().split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                fields.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return fields;
    }

    @Test
    void aCaseNamesModelInputModeAndBatchWithDefaultsForWhatIsLeftOut() {
        BenchCommand.Case full = BenchCommand.Case.parse("resnet20:1x28x28:train:64", 0);
        assertEquals(new BenchCommand.Case("resnet20", new Shape(1, 28, 28), true, 64), full);
        BenchCommand.Case bare = BenchCommand.Case.parse("ResNet50", 0);
        assertEquals(new BenchCommand.Case("resnet50", new Shape(3, 224, 224), true, 128), bare);
        BenchCommand.Case infer = BenchCommand.Case.parse("resnet50::infer", 0);
        assertEquals(8, infer.batch());
        assertEquals(16, BenchCommand.Case.parse("resnet50::infer:4", 16).batch()); // --batch overrides
        assertEquals("resnet20:1x28x28:train:64", full.text());
    }

    @Test
    void badCasesAreRejectedWithWhatIsExpected() {
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet20:1x28x28:fit", 0))
                .getMessage().contains("train or infer"));
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet20:1x28x28:train:0", 0))
                .getMessage().contains("positive whole number"));
        assertTrue(assertThrows(UsageException.class, () -> BenchCommand.Case.parse("resnet21", 0))
                .getMessage().contains("known models"));
        assertEquals(2, Main.run(new String[] {"bench", "--steps", "0"}));
    }

    @Test
    void theDefaultCasesAreThePyTorchScriptsToo() throws Exception {
        String script = Files.readString(Path.of("scripts", "bench_torch.py"));
        assertTrue(script.contains("DEFAULT_CASES = \"" + BenchCommand.DEFAULT_CASES + "\""),
                "scripts/bench_torch.py must time the same cases as BenchCommand.DEFAULT_CASES");
    }

    @Test
    void oneTrainingCasePrintsOneLineWithTheLibrarysCounts() {
        String out = run("bench", "--models", "resnet20:1x16x16:train:4", "--steps", "2", "--warmup", "1", "--no-matmul",
                "--threads", "1", "--rss-every", "1");
        String line = out.lines().filter(l -> l.startsWith("bench ")).findFirst().orElseThrow(() -> new AssertionError(out));
        Map<String, String> f = fields(line);
        Summary summary = Summary.of(ResNet.build(ResNet.spec("resnet20").withInputChannels(1)), new Shape(1, 16, 16));
        assertEquals("djl", f.get("side"));
        assertEquals("train", f.get("mode"));
        assertEquals("4", f.get("batch"));
        assertEquals(String.valueOf(summary.parameters()), f.get("params"));
        assertEquals(String.valueOf(summary.macs()), f.get("macs"));
        double median = Double.parseDouble(f.get("img_s_median"));
        assertTrue(Double.parseDouble(f.get("img_s_min")) <= median && median <= Double.parseDouble(f.get("img_s_max")), line);
        assertTrue(Double.parseDouble(f.get("peak_rss_mib")) >= Double.parseDouble(f.get("rss_end_mib")), line);
        assertFalse(out.contains("matmul"), out);
        // one resident-memory line per step, warm-up included
        assertEquals(java.util.List.of("rss step=1", "rss step=2", "rss step=3"), out.lines()
                .filter(l -> l.startsWith("rss ")).map(l -> l.substring(0, l.indexOf(" rss_mib="))).toList());
    }

    @Test
    void theMatmulLineReportsAPositiveRate() {
        String out = run("bench", "--matmul-only", "--threads", "1");
        Map<String, String> f = fields(out.lines().filter(l -> l.startsWith("matmul ")).findFirst().orElseThrow());
        assertEquals("2048", f.get("n"));
        assertTrue(Double.parseDouble(f.get("gflops")) > 0, out);
    }
}
