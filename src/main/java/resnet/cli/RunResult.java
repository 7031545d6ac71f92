package resnet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import resnet.AtomicFile;

/**
 * {@code result.txt} of a training run: one {@code key: value} per line (command, seed, minutes,
 * accuracies, peak memory, load average), written once at the end of {@code train} and read by
 * {@code resnet chart}.
 */
final class RunResult {

    static final String FILE = "result.txt";

    private RunResult() {}

    static void write(Path file, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append(": ").append(v.replace('\n', ' ')).append('\n'));
        AtomicFile.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @throws IOException when the file is missing, or a line is not {@code key: value}
     */
    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        int number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(": ");
            if (colon <= 0) {
                throw new IOException(file + " line " + number + " is not 'key: value': " + line);
            }
            values.put(line.substring(0, colon), line.substring(colon + 2));
        }
        return values;
    }
}
