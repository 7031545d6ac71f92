package resnet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where training runs keep their outputs: {@code runs/NAME} under the project's root folder, so that
 * a notebook (whose working folder is {@code notebooks/}) and the command line (run from the root)
 * find the same checkpoint. Git ignores {@code runs/}.
 *
 * <p>In quick mode the folder is {@code runs/NAME-quick}: a quick test run never overwrites the
 * checkpoint of a real one.
 */
public final class Runs {

    /** The folder under the project root that holds every run. */
    public static final String FOLDER = "runs";

    private Runs() {}

    /** {@code runs/NAME} (or {@code runs/NAME-quick} in quick mode) under {@link #projectRoot()}, absolute. */
    public static Path folder(String name) {
        if (name == null || name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("a run's name must be one non-empty folder name, got '" + name + "'");
        }
        return projectRoot().resolve(FOLDER).resolve(RunMode.quick() ? name + "-quick" : name);
    }

    /**
     * The project's root folder: the nearest folder, from the working folder up, that holds both
     * {@code pom.xml} and {@code notebooks/}; the working folder itself when there is none.
     */
    public static Path projectRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("notebooks"))) {
                return dir;
            }
        }
        return start;
    }
}
