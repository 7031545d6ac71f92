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

    @Test
    void aValueIsNeverTakenFromTheNextOptionNorLeftEmpty() {
        UsageException next = assertThrows(UsageException.class,
                () -> Args.parse(new String[] {"--model", "--resume"}, VALUED, FLAGS));
        assertEquals("option --model needs a value, but the next argument is the option --resume; give --model its value"
                + " first", next.getMessage());
        for (String[] line : new String[][] {{"--model", ""}, {"--model="}, {"--model", "  "}}) {
            UsageException empty = assertThrows(UsageException.class, () -> Args.parse(line, VALUED, FLAGS));
            assertEquals("option --model needs a value, got an empty one", empty.getMessage());
        }
        UsageException twice = assertThrows(UsageException.class,
                () -> Args.parse(new String[] {"--lr", "0.1", "--lr=0.2"}, VALUED, FLAGS));
        assertEquals("option --lr is given twice; give it once", twice.getMessage());
        assertEquals(-3, Args.parse(new String[] {"--epochs", "-3"}, VALUED, FLAGS).integer("epochs", 1));
    }

    @Test
    void typedValuesAreCheckedAndTheMessageNamesTheOption() {
        Args args = Args.parse(new String[] {"--epochs", "2.5", "--lr", "NaN", "--model", "x"}, VALUED, FLAGS);
        assertEquals("option --epochs expects a whole number from 1 to 10, got '2.5' (not a whole number)",
                assertThrows(UsageException.class, () -> args.integer("epochs", 1, 1, 10)).getMessage());
        assertEquals("option --lr expects a number above 0, got 'NaN'",
                assertThrows(UsageException.class, () -> args.decimal("lr", 0.1, 0, false, Double.MAX_VALUE, true))
                        .getMessage());
        assertEquals("option --model expects one of a, b, got 'x'",
                assertThrows(UsageException.class, () -> args.choice("model", "a", List.of("a", "b"))).getMessage());
        Args range = Args.parse(new String[] {"--epochs", "0", "--lr", "1"}, VALUED, FLAGS);
        assertEquals("option --epochs must be at least 1, got 0",
                assertThrows(UsageException.class, () -> range.integer("epochs", 1, 1, Integer.MAX_VALUE)).getMessage());
        assertEquals("option --lr must be in [0, 1), got 1",
                assertThrows(UsageException.class, () -> range.decimal("lr", 0.5, 0, true, 1, false)).getMessage());
        assertEquals(0.5, Args.parse(new String[] {"--lr", "5e-1"}, VALUED, FLAGS).decimal("lr", 0.1, 0, 1));
    }
}
