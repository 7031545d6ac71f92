package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void unknownCommandExitsWithUsageStatus() {
        assertEquals(2, Main.run(new String[] {"no-such-command"}));
    }

    @Test
    void helpExitsCleanlyAndNoArgumentsIsAUsageError() {
        assertEquals(0, Main.run(new String[] {"--help"}));
        assertEquals(2, Main.run(new String[] {}));
    }
}
