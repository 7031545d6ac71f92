package resnet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import resnet.Platform;
import resnet.viz.Charts;

/**
 * {@code resnet chart RUN... [--out FILE]}: test accuracy against training minutes for finished
 * {@code train} runs (their {@code result.txt}), one series per recipe, with published Fashion-MNIST
 * results as dashed lines; also prints the runs as a Markdown table.
 */
public final class ChartCommand implements Command {

    /** Published results the chart marks (accuracy in %), with where they come from. */
    static final Map<String, Double> REFERENCES = references();

    private static Map<String, Double> references() {
        Map<String, Double> references = new LinkedHashMap<>();
        references.put("ResNet18, Zalando's benchmark (94.9%)", 94.9);
        references.put("ResNet-20, 300 epochs, Zhong et al. (95.6%)", 95.6);
        references.put("ResNet-20 + random erasing, 300 epochs (96.0%)", 96.0);
        references.put("WRN-28-10 + random erasing, Zalando (96.3%)", 96.3);
        return references;
    }

    @Override
    public String name() {
        return "chart";
    }

    @Override
    public String description() {
        return "test accuracy against training minutes of finished train runs, with published results marked";
    }

    @Override
    public String usage() {
        return String.join("\n",
                "usage: resnet chart RUN_DIR... [--out FILE.png]",
                "",
                "  RUN_DIR      a finished train run's --out folder (it holds result.txt)",
                "  --out FILE   where the PNG goes (default accuracy-minutes.png)",
                "",
                "One series per recipe (the runs' --recipe), with another --model, --members or kind of",
                "processor a series of its own.",
                "Prints the runs as a Markdown table: recipe, seed, epochs, minutes, accuracy, peak memory, load.");
    }

    @Override
    public int run(String[] args) throws Exception {
        Args a = Args.parse(args, Set.of("out"), Set.of());
        if (a.positional().isEmpty()) {
            throw new UsageException("give at least one run folder (a train --out folder with result.txt)");
        }
        Path out = a.path("out", Path.of("accuracy-minutes.png"));
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            throw new UsageException("option --out: the chart is a PNG; give a file name ending in .png, got " + out);
        }
        List<Map<String, String>> results = new ArrayList<>();
        for (String dir : a.positional()) {
            Path file = Path.of(dir).resolve(RunResult.FILE);
            if (!Files.isRegularFile(file)) {
                throw new UsageException(dir + " has no " + RunResult.FILE + ": give folders of finished train runs"
                        + " (train writes it after the test accuracy)");
            }
            Map<String, String> result = RunResult.read(file);
            for (String key : List.of("test accuracy", "wall minutes", "seed")) {
                if (!result.containsKey(key)) {
                    throw new IOException(file + " has no '" + key + "' line; it is not a finished run's result");
                }
            }
            results.add(result);
        }
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        System.out.println("| recipe | seed | epochs | wall minutes | test accuracy | peak memory MiB | load average"
                + " | processor |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Map<String, String> result : results) {
            String recipe = result.getOrDefault("recipe", "other");
            // another network under the same recipe is another series (runs before the model line: resnet20)
            String model = result.getOrDefault("model", "resnet20");
            if (!model.equals("resnet20")) {
                recipe += ", " + model;
            }
            // an ensemble's minutes buy several networks: its own series, not a point of the recipe's
            String members = result.getOrDefault("members", "1");
            if (!members.equals("1")) {
                recipe += ", " + members + " members";
            }
            // runs on different kinds of processor are different series: their minutes are not comparable
            String seriesName = result.containsKey("processor")
                    ? recipe + ", " + Platform.shortProcessor(result.get("processor")) : recipe;
            double minutes = number(result, "wall minutes");
            double accuracy = 100 * number(result, "test accuracy");
            series.computeIfAbsent(seriesName, k -> new ArrayList<>()).add(new double[] {minutes, accuracy});
            System.out.println(String.format(Locale.ROOT, "| %s | %s | %s | %.1f | %.2f%% | %s | %s | %s |", recipe,
                    result.get("seed"), result.getOrDefault("epochs run", "?"), minutes, accuracy,
                    result.getOrDefault("peak memory MiB", "?"), result.getOrDefault("load average", "?"),
                    result.getOrDefault("processor", "?")));
        }
        Charts.save(Charts.accuracyAgainstMinutes("Fashion-MNIST: test accuracy against minutes",
                series, REFERENCES), out);
        System.out.println("chart: " + out);
        return 0;
    }

    private static double number(Map<String, String> result, String key) throws IOException {
        try {
            return Double.parseDouble(result.get(key));
        } catch (NumberFormatException e) {
            throw new IOException("result '" + key + "' is not a number: " + result.get(key));
        }
    }
}
