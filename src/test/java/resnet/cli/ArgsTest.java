package resnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {

    private static final Set<String> VALUED = Set.of("epochs", "lr", "model");
    private static final Set<String> FLAGS = Set.of("resume");

    @Test
    void readsPositionalsOptionsAndFlagsInAnyOrder() {
        Args args = Args.parse(new String[] {"resnet20", "--epochs", "3", "--lr=0.1", "--resume", "extra"}, VALUED, FLAGS);
        assertEquals(List.of("resnet20", "extra"), args.positional());
        assertEquals(3, args.integer("epochs", 1));
        assertEquals(0.1, args.decimal("lr", 1.0));
        assertTrue(args.flag("resume"));
        assertEquals("x", args.string("model", "x"));
        assertFalse(args.has("model"));
    }

    @Test
    void unknownOptionNamesItselfAndListsTheKnownOnes() {
        UsageException e = assertThrows(UsageException.class,
                () -> Args.parse(new String[] {"--epoch", "3"}, VALUED, FLAGS));
        assertTrue(e.getMessage().contains("--epoch") && e.getMessage().contains("--epochs"), e.getMessage());
    }

    @Test
    void badNumbersAndMissingValuesAreUsageErrors() {
        Args args = Args.parse(new String[] {"--epochs", "three"}, VALUED, FLAGS);
        UsageException e = assertThrows(UsageException.class, () -> args.integer("epochs", 1));
        assertTrue(e.getMessage().contains("three"), e.getMessage());
        assertThrows(UsageException.class, () -> Args.parse(new String[] {"--lr"}, VALUED, FLAGS));
        assertThrows(UsageException.class, () -> Args.parse(new String[] {"--resume=yes"}, VALUED, FLAGS));
    }
}
