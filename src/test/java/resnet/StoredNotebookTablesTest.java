package resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import resnet.blocks.BasicBlock;
import resnet.blocks.BlockKind;
import resnet.blocks.BlockOptions;
import resnet.blocks.Bottleneck;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;
import resnet.blocks.PreActBlock;
import resnet.blocks.ResNeXtBlock;
import resnet.blocks.Shortcut;
import resnet.blocks.StridePlacement;
import resnet.inspect.CostTable;
import resnet.inspect.Summary;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/**
 * Reads the tables that the stored notebooks 04 and 05 printed (their committed full-mode outputs)
 * and checks every number in a {@code parameters} or {@code MACs} column against a summary computed
 * now, so that a notebook whose stored outputs no longer match the library fails the build.
 *
 * <p>A table is what Tablesaw's {@code print()} writes: a header row of {@code |}-separated column
 * names, a line of dashes, then one {@code |}-separated line per row, its first cell the row's label.
 * Each label means one block or network: a model name ({@code resnet50}: that model at 3x224x224
 * with 1000 classes), a stage of one ({@code resnet50.layer2}), or a label listed below. A row with
 * a label this test does not know fails it, and so does a listed label the notebook never printed.
 * Nothing runs forward; summaries are shape inference.
 */
class StoredNotebookTablesTest {

    /** The stored notebooks; {@code -Dresnet.storedNotebooks=target/notebooks} checks a fresh run's copies. */
    private static final Path NOTEBOOKS = Path.of(System.getProperty("resnet.storedNotebooks", "notebooks"));
    private static final Shape IMAGENET = new Shape(3, 224, 224);
    private static final Shape WIDE = new Shape(256, 56, 56);
    private static final Shape FASHION = new Shape(1, 28, 28);
    private static final BlockOptions X32 = BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(4);
    private static final Pattern STAGE = Pattern.compile("(\\w+)\\.(layer\\d)");

    private final Map<String, Summary> summaries = new HashMap<>();

    /** The rows of notebook 04 that are not named models or their stages. */
    private static Map<String, Supplier<Counts>> notebook04() {
        Map<String, Supplier<Counts>> rows = new LinkedHashMap<>();
        rows.put("BasicBlock 256-256", () -> whole(new BasicBlock(256, 256, 1), WIDE));
        rows.put("Bottleneck 256-64-256", () -> whole(new Bottleneck(256, 64, 1), WIDE));
        rows.put("BasicBlock 64-64", () -> whole(new BasicBlock(64, 64, 1), new Shape(64, 56, 56)));
        for (String conv : List.of("conv1", "conv2")) {
            rows.put("basic." + conv, () -> layer(new BasicBlock(256, 256, 1), WIDE, conv));
        }
        for (String conv : List.of("conv1", "conv2", "conv3")) {
            rows.put("bottleneck." + conv, () -> layer(new Bottleneck(256, 64, 1), WIDE, conv));
        }
        for (int w : new int[] {256, 128, 64, 32, 16}) {
            rows.put("w=" + w, () -> whole(new Bottleneck(256, 64, 1, BlockOptions.DEFAULTS.withWidthPerGroup(w)), WIDE));
        }
        for (String name : List.of("resnet50", "resnet101", "resnet152")) {
            rows.put(name + " (stride on 3x3, v1.5)", () -> network(ResNet.spec(name)));
            rows.put(name + " (stride on 1x1, v1)",
                    () -> network(ResNet.spec(name).withStridePlacement(StridePlacement.ON_FIRST_1X1)));
        }
        return rows;
    }

    /** The rows of notebook 05 that are not named models or their stages. */
    private static Map<String, Supplier<Counts>> notebook05() {
        Map<String, Supplier<Counts>> rows = new LinkedHashMap<>();
        for (int g : new int[] {1, 2, 4, 8, 16, 32, 128}) {
            rows.put("g=" + g, () -> whole(Layers.conv3x3(128, 128, 1, g), new Shape(128, 28, 28)));
        }
        rows.put("(a) 32 paths summed",
                () -> whole(new ResNeXtBlock(ResNeXtBlock.Form.SUMMED_PATHS, 256, 64, 1, X32), WIDE));
        rows.put("(b) 32 paths concatenated, 1x1",
                () -> whole(new ResNeXtBlock(ResNeXtBlock.Form.CONCATENATED_PATHS, 256, 64, 1, X32), WIDE));
        rows.put("(c) grouped 3x3", () -> whole(new Bottleneck(256, 64, 1, X32), WIDE));
        ResNetSpec resnext = ResNet.spec("resnext50_32x4d");
        rows.put("32x4d: groups=32, widthPerGroup=4", () -> network(resnext));
        rows.put("swapped: groups=4, widthPerGroup=32",
                () -> network(ResNet.spec("resnet50").withGroups(4).withWidthPerGroup(32)));
        rows.put("layers [3, 4, 6, 3]", () -> network(resnext));
        rows.put("layers [3, 4, 6, 4]", () -> network(resnext.withLayers(3, 4, 6, 4)));
        rows.put("1x64d", () -> whole(ResNet.build(smallNext(1, 64)), FASHION));
        rows.put("4x24d", () -> whole(ResNet.build(smallNext(4, 24)), FASHION));
        rows.put("8x14d", () -> whole(ResNet.build(smallNext(8, 14)), FASHION));
        return rows;
    }

    /** Notebook 05's equal-cost variants for Fashion-MNIST: one bottleneck per stage, 32, 64, 128 planes. */
    private static ResNetSpec smallNext(int groups, int widthPerGroup) {
        return ResNet.spec("resnet20").withBlock(BlockKind.BOTTLENECK).withShortcut(Shortcut.PROJECTION)
                .withLayers(1, 1, 1).withWidths(32, 64, 128).withInputChannels(1)
                .withGroups(groups).withWidthPerGroup(widthPerGroup);
    }

    @Test
    void notebook04TablesAgreeWithTheLibrary() throws IOException {
        check("04-bottleneck.ipynb", notebook04(), List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152"));
    }

    @Test
    void notebook05TablesAgreeWithTheLibrary() throws IOException {
        check("05-group-convolution.ipynb", notebook05(), List.of("resnet50", "resnext50_32x4d", "resnext101_32x8d",
                "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2", "resnet50.layer1", "resnext50_32x4d.layer4"));
    }

    /** The blocks notebook 02 builds by hand and checks against the library, as the library names them. */
    private static final List<String> NOTEBOOK02_CHECKS = List.of(
            new BasicBlock(64, 128, 2).toString(), new BasicBlock(64, 64, 1).toString(), "ResNet-18 logits",
            new PreActBlock(16, 32, 2).toString(), new PreActBlock(16, 16, 1).toString());
    private static final Pattern EQUALITY = Pattern.compile(
            "^reader = library: (.+), (training|inference) mode, max \\|difference\\| = (\\S+)$", Pattern.MULTILINE);

    /**
     * Notebook 02 proves that the reader's blocks and ResNet-18 are the library's; its stored run must
     * show every one of those checks, in both BatchNorm modes, within the notebook's limit of 1e-6, under
     * the names the library gives the blocks today.
     */
    @Test
    void notebook02StoredEqualityChecksAreAllThereAndWithinTheLimit() throws IOException {
        String text = outputText(NOTEBOOKS.resolve("02-residual-block.ipynb"));
        assertTrue(text.startsWith("full mode"), "02 must be stored from a full-mode run, it begins: "
                + text.lines().findFirst().orElse(""));
        Map<String, Double> printed = new LinkedHashMap<>();
        Matcher m = EQUALITY.matcher(text);
        while (m.find()) {
            printed.put(m.group(1) + ", " + m.group(2), Double.parseDouble(m.group(3)));
        }
        for (String check : NOTEBOOK02_CHECKS) {
            for (String mode : List.of("training", "inference")) {
                Double gap = printed.get(check + ", " + mode);
                assertTrue(gap != null, "02 printed no equality line for '" + check + "' in " + mode + " mode; it printed "
                        + printed.keySet());
                assertTrue(gap <= 1e-6, "02 printed a difference of " + gap + " for " + check + ", " + mode);
            }
        }
        assertEquals(2 * NOTEBOOK02_CHECKS.size(), printed.size(), "unexpected equality lines: " + printed.keySet());
    }

    /** The counts notebook 02 printed: ResNet-18's parameters, and ResNet-20's with the shortcut options A, B, C. */
    @Test
    void notebook02StoredCountsAgreeWithTheLibrary() throws IOException {
        String text = outputText(NOTEBOOKS.resolve("02-residual-block.ipynb"));
        long resnet18 = Summary.of(ResNet.resnet18(1000), IMAGENET).parameters();
        assertTrue(text.contains(String.format("ResNet-18 by the reader: %,d learnable parameters; library: %,d",
                resnet18, resnet18)), "02's ResNet-18 parameter line does not show " + resnet18 + " for both");
        Shape digit = new Shape(1, 28, 28);
        ResNetSpec resnet20 = ResNet.spec("resnet20").withInputChannels(1);
        Map<String, Shortcut> options = new LinkedHashMap<>();
        options.put("A: zero-padding", Shortcut.ZERO_PAD);
        options.put("B: proj. on change", Shortcut.PROJECTION);
        options.put("C: proj. everywhere", Shortcut.PROJECTION_ALWAYS);
        int[] projections = {0, 2, 9};
        int i = 0;
        for (var option : options.entrySet()) {
            Summary s = Summary.of(ResNet.build(resnet20.withShortcut(option.getValue())), digit);
            String row = String.format("%-20s %12d %,12d %,14d", option.getKey(), projections[i++], s.parameters(), s.macs());
            assertTrue(text.contains(row), "02 is stale: expected the option row '" + row + "'");
        }
        for (String name : List.of("plain20", "resnet20", "plain56", "resnet56", "preact_resnet56", "resnet110",
                "preact_resnet110")) {
            long parameters = Summary.of(ResNet.build(ResNet.spec(name).withInputChannels(1)), digit).parameters();
            assertTrue(text.contains(String.format("%-17s %,11d ", name, parameters)),
                    "02 is stale: no gradient-table row for " + name + " with " + parameters + " parameters");
        }
    }

    /**
     * The lines of notebook 04 that state what the reader's code was checked against: the
     * differences from the library (at most 1e-5, as the notebook's cells demand), the parameter
     * count and the shape after every stage of the reader's ResNet-50 (the library's, now).
     */
    @Test
    void notebook04EqualityAndParameterLinesAgreeWithTheLibrary() throws IOException {
        String text = outputText(NOTEBOOKS.resolve("04-bottleneck.ipynb"));
        List<String> block = groups(text, "your bottleneck vs the library's: max \\|difference\\| = (\\S+)"
                + " \\(inference\\), (\\S+) \\(training\\)");
        List<String> net = groups(text, "your ResNet-50 vs the library's: max \\|difference\\| of the logits"
                + " = (\\S+)");
        for (String difference : List.of(block.get(0), block.get(1), net.get(0))) {
            assertTrue(Double.parseDouble(difference) <= 1e-5, "04 stored a difference of " + difference);
        }
        Summary resnet50 = summary("resnet50");
        assertEquals(resnet50.parameters(), count(groups(text, "learnable parameters: ([0-9,]+)").get(0)));
        for (int i = 1; i <= 4; i++) {
            String layer = "layer" + i;
            Shape stored = parseShape(groups(text, "after " + layer + " +(\\([0-9, ]+\\))").get(0));
            Shape library = resnet50.rows().stream().filter(r -> r.name().equals(layer)).findFirst()
                    .orElseThrow().output();
            assertEquals(new Shape(1).addAll(library), stored, "04's shape after " + layer);
        }
    }

    /**
     * The same for notebook 05: the grouped convolution by hand and DJL's, the reader's ResNeXt-50
     * 32x4d (count and logits), the three forms of the block (at most 1e-4, as the cell demands),
     * the equal-cost variants' spread of costs, and the first stage with and without widthPerGroup.
     */
    @Test
    void notebook05EqualityAndParameterLinesAgreeWithTheLibrary() throws IOException {
        String text = outputText(NOTEBOOKS.resolve("05-group-convolution.ipynb"));
        double byHand = Double.parseDouble(groups(text, "max \\|by hand - DJL\\| = (\\S+)").get(0));
        double logits = Double.parseDouble(groups(text, "max \\|difference\\| of the logits vs the library's"
                + " = (\\S+)").get(0));
        assertTrue(byHand <= 1e-5 && logits <= 1e-5, "05 stored differences " + byHand + " and " + logits);
        for (String mode : List.of("inference \\(running statistics\\)", "training \\(batch statistics\\)")) {
            List<String> forms = groups(text, mode + ": +max \\|a - c\\| = (\\S+), max \\|b - c\\| = (\\S+)");
            for (String difference : forms) {
                assertTrue(Double.parseDouble(difference) <= 1e-4, "05 stored a form difference of " + difference);
            }
        }
        assertEquals(summary("resnext50_32x4d").parameters(),
                count(groups(text, "your ResNeXt-50 32x4d: ([0-9,]+) learnable parameters").get(0)));

        List<Long> parameters = new ArrayList<>();
        List<Long> macs = new ArrayList<>();
        for (int[] variant : new int[][] {{1, 64}, {4, 24}, {8, 14}}) {
            Summary s = Summary.of(ResNet.build(smallNext(variant[0], variant[1])), FASHION);
            parameters.add(s.parameters());
            macs.add(s.macs());
        }
        List<String> ranges = groups(text, "largest / smallest: parameters x (\\S+), MACs x (\\S+)");
        assertEquals(String.format(java.util.Locale.ROOT, "%.3f", ratio(parameters)), ranges.get(0));
        assertEquals(String.format(java.util.Locale.ROOT, "%.3f", ratio(macs)), ranges.get(1));

        Shape stemOut = new Shape(64, 56, 56);
        assertEquals(Summary.of(stage1(4), stemOut).parameters(),
                count(groups(text, "stage 1, widthPerGroup passed: +([0-9,]+) parameters").get(0)));
        assertEquals(Summary.of(stage1(64), stemOut).parameters(),
                count(groups(text, "stage 1, widthPerGroup forgotten: ([0-9,]+) parameters").get(0)));
    }

    /** ResNeXt-50's first stage (32 groups) with the given width per group. */
    private static NamedSequence stage1(int widthPerGroup) {
        BlockOptions options = BlockOptions.DEFAULTS.withGroups(32).withWidthPerGroup(widthPerGroup);
        return new NamedSequence().add("0", new Bottleneck(64, 64, 1, options))
                .add("1", new Bottleneck(256, 64, 1, options)).add("2", new Bottleneck(256, 64, 1, options));
    }

    private static double ratio(List<Long> values) {
        return (double) values.stream().mapToLong(Long::longValue).max().orElseThrow()
                / values.stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    /** The groups of the first line of {@code text} that {@code regex} finds; fails when none does. */
    private static List<String> groups(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("the stored notebook printed no line matching '" + regex + "' (not run, or the cell changed"
                    + " without this test)");
        }
        List<String> found = new ArrayList<>();
        for (int i = 1; i <= m.groupCount(); i++) {
            found.add(m.group(i));
        }
        return found;
    }

    private static long count(String printed) {
        return Long.parseLong(printed.replace(",", ""));
    }

    private static Shape parseShape(String printed) {
        return new Shape(Arrays.stream(printed.replaceAll("[()\\s]", "").split(","))
                .mapToLong(Long::parseLong).toArray());
    }

    @Test
    void theParserReadsATablesawTable() {
        String printed = """
                 title
                 block  |  parameters  |     MACs      |
                --------------------------------------
                     b  |      70,400  |  218,365,952  |
                done
                """;
        List<TableRow> rows = parse(printed);
        assertEquals(1, rows.size());
        assertEquals("b", rows.get(0).label());
        assertEquals(70_400L, rows.get(0).counts().get(CostTable.PARAMETERS));
        assertEquals(218_365_952L, rows.get(0).counts().get(CostTable.MACS));
    }

    private void check(String notebook, Map<String, Supplier<Counts>> listed, List<String> alsoExpected)
            throws IOException {
        List<TableRow> rows = parse(outputText(NOTEBOOKS.resolve(notebook)));
        Set<String> seen = new LinkedHashSet<>();
        List<String> wrong = new ArrayList<>();
        for (TableRow row : rows) {
            Counts expected = expected(row.label(), listed);
            seen.add(row.label());
            Long parameters = row.counts().get(CostTable.PARAMETERS);
            Long macs = row.counts().get(CostTable.MACS);
            if ((parameters != null && parameters != expected.parameters()) || (macs != null && macs != expected.macs())) {
                wrong.add(String.format("'%s': printed parameters %s, MACs %s; the library now says %d and %d",
                        row.label(), parameters, macs, expected.parameters(), expected.macs()));
            }
        }
        if (!wrong.isEmpty()) {
            fail(notebook + " is stale, rerun it in full mode (scripts/run_notebooks.py --out notebooks):\n"
                    + String.join("\n", wrong));
        }
        List<String> missing = new ArrayList<>(listed.keySet());
        missing.addAll(alsoExpected);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), notebook + " printed no table row for " + missing
                + " (not run, or a table was changed without this test)");
    }

    private Counts expected(String label, Map<String, Supplier<Counts>> listed) {
        if (listed.containsKey(label)) {
            return listed.get(label).get();
        }
        if (ResNet.names().contains(label)) {
            Summary s = summary(label);
            return new Counts(s.parameters(), s.macs());
        }
        Matcher stage = STAGE.matcher(label);
        if (stage.matches() && ResNet.names().contains(stage.group(1))) {
            Summary.Row row = summary(stage.group(1)).rows().stream()
                    .filter(r -> r.name().equals(stage.group(2))).findFirst().orElseThrow();
            return new Counts(row.parameters(), row.macs());
        }
        throw new AssertionError("a table row labelled '" + label + "' is not known to this test: add how to"
                + " build it to StoredNotebookTablesTest");
    }

    private Summary summary(String model) {
        return summaries.computeIfAbsent(model, name -> Summary.of(ResNet.build(name, 1000), IMAGENET));
    }

    private record Counts(long parameters, long macs) {}

    private static Counts whole(Block block, Shape input) {
        Summary s = Summary.of(block, input);
        return new Counts(s.parameters(), s.macs());
    }

    private static Counts layer(Block block, Shape input, String name) {
        Summary.Row row = Summary.of(block, input, 1).rows().stream()
                .filter(r -> r.name().equals(name)).findFirst().orElseThrow();
        return new Counts(row.parameters(), row.macs());
    }

    private static Counts network(ResNetSpec spec) {
        return whole(ResNet.build(spec), IMAGENET);
    }

    /** A printed row: its label and the counts in its {@code parameters} and {@code MACs} columns. */
    private record TableRow(String label, Map<String, Long> counts) {}

    /** Every row of every printed table that has a parameters or a MACs column. */
    static List<TableRow> parse(String text) {
        List<String> lines = text.lines().toList();
        List<TableRow> rows = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            List<String> header = cells(lines.get(i));
            boolean costs = header.contains(CostTable.PARAMETERS) || header.contains(CostTable.MACS);
            if (!costs || !lines.get(i + 1).matches("-+")) {
                continue;
            }
            int j = i + 2;
            for (; j < lines.size() && lines.get(j).contains("|"); j++) {
                List<String> cells = cells(lines.get(j));
                Map<String, Long> counts = new HashMap<>();
                for (String column : List.of(CostTable.PARAMETERS, CostTable.MACS)) {
                    int k = header.indexOf(column);
                    if (k >= 0) {
                        counts.put(column, Long.parseLong(cells.get(k).replaceAll("[^0-9]", "")));
                    }
                }
                rows.add(new TableRow(cells.get(0), counts));
            }
            i = j - 1;
        }
        return rows;
    }

    private static List<String> cells(String line) {
        if (!line.contains("|")) {
            return List.of();
        }
        return Arrays.stream(line.split("\\|")).map(String::strip).toList(); // split drops the empty tail
    }

    /** The stdout text of every code cell of a stored notebook, in order. */
    private static String outputText(Path notebook) throws IOException {
        JsonObject json = JsonParser.parseString(Files.readString(notebook, StandardCharsets.UTF_8)).getAsJsonObject();
        StringBuilder text = new StringBuilder();
        for (JsonElement cell : json.getAsJsonArray("cells")) {
            JsonArray outputs = cell.getAsJsonObject().getAsJsonArray("outputs");
            if (outputs == null) {
                continue;
            }
            for (JsonElement output : outputs) {
                JsonObject o = output.getAsJsonObject();
                if ("stream".equals(o.get("output_type").getAsString()) && o.has("text")) {
                    JsonElement t = o.get("text");
                    if (t.isJsonArray()) {
                        t.getAsJsonArray().forEach(part -> text.append(part.getAsString()));
                    } else {
                        text.append(t.getAsString());
                    }
                    text.append('\n');
                }
            }
        }
        return text.toString();
    }
}
