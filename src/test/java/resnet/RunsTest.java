package resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunsTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(RunMode.PROPERTY);
    }

    @Test
    void aRunFolderSitsUnderTheProjectRootAndQuickRunsGetTheirOwn() {
        Path root = Runs.projectRoot();
        assertTrue(Files.isRegularFile(root.resolve("pom.xml")), root + " should be the project root (tests run there)");
        System.setProperty(RunMode.PROPERTY, "0");
        assertEquals(root.resolve("runs/06-training"), Runs.folder("06-training"));
        System.setProperty(RunMode.PROPERTY, "1");
        assertEquals(root.resolve("runs/06-training-quick"), Runs.folder("06-training"));
    }

    @Test
    void aRunNameIsOneFolderName() {
        for (String bad : new String[] {"", " ", "a/b", "..\\x"}) {
            assertThrows(IllegalArgumentException.class, () -> Runs.folder(bad), bad);
        }
    }
}
