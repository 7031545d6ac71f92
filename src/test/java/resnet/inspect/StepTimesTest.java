package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import resnet.blocks.BasicBlock;
import resnet.blocks.Bottleneck;

class StepTimesTest {

    private static final StepTimes TIMES = new StepTimes(List.of("a", "b"), 2,
            List.of(List.of(2.0, 1.0), List.of(4.0, 1.0), List.of(3.0, 2.0)), 1.5, 2.25);

    @Test
    void mediansRangesAndPerImageTimesComeFromTheRounds() {
        assertEquals(List.of(2.0, 4.0, 3.0), TIMES.seconds("a"));
        assertEquals(3.0, TIMES.medianSeconds("a"));
        assertEquals(2.0, TIMES.minSeconds("a"));
        assertEquals(4.0, TIMES.maxSeconds("a"));
        assertEquals(1.5, TIMES.secondsPerImage("a"));
        assertEquals(0.5, TIMES.secondsPerImage("b"));
        assertEquals(2.5, StepTimes.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void ratiosAreTakenRoundByRoundAndDecidedOnlyWhenEveryRoundAgrees() {
        StepTimes.Ratio ab = TIMES.ratio("a", "b");
        assertEquals(List.of(2.0, 4.0, 1.5), ab.perRound());
        assertEquals(2.0, ab.median());
        assertEquals(1.5, ab.min());
        assertEquals(4.0, ab.max());
        assertTrue(ab.decided());
        assertEquals("a / b: x 2.00 (rounds 1.50..4.00): slower in all 3 rounds", ab.describe());
        assertTrue(TIMES.ratio("b", "a").describe().endsWith("faster in all 3 rounds"));

        StepTimes mixed = new StepTimes(List.of("a", "b"), 1, List.of(List.of(1.0, 2.0), List.of(3.0, 1.0)), -1, -1);
        assertFalse(mixed.ratio("a", "b").decided());
        assertEquals("a / b: x 1.75 (rounds 0.50..3.00): the rounds disagree: not told apart",
                mixed.ratio("a", "b").describe());
    }

    @Test
    void theTablePrintsPerImageMediansRangesSpreadAndLoad() {
        String expected = """
                step  s per image  range over rounds  spread
                ----  -----------  -----------------  ------
                a          1.5000     1.0000..2.0000     67%%
                b          0.5000     0.5000..1.0000    100%%
                3 interleaved rounds, batch 2; load average 1.50 before, 2.25 after, on %d processors"""
                .formatted(Runtime.getRuntime().availableProcessors());
        assertEquals(expected, TIMES.toString());
    }

    @Test
    void roundsAlternateTheOrderAndWarmUpRoundsAreNotRecorded() {
        List<String> ran = new ArrayList<>();
        Map<String, Runnable> steps = new LinkedHashMap<>();
        for (String name : List.of("a", "b", "c")) {
            steps.put(name, () -> ran.add(name));
        }
        StepTimes t = StepTimes.interleaved(steps, 4, 1, 2);
        assertEquals(List.of("a", "b", "c", "c", "b", "a", "a", "b", "c"), ran);
        assertEquals(2, t.rounds().size());
        assertEquals(List.of("a", "b", "c"), t.names());
        assertTrue(t.rounds().stream().allMatch(round -> round.size() == 3 && round.stream().allMatch(s -> s >= 0)));
    }

    @Test
    void forwardBackwardTimesEachBlockOnItsOwnShapeAndGivesBorrowedBlocksBack() {
        BasicBlock basic = new BasicBlock(4, 4, 1);
        Bottleneck bottleneck = new Bottleneck(16, 4, 1);
        StepTimes t = StepTimes.forwardBackward(List.of(new StepTimes.Entry("basic", basic, new Shape(4, 6, 6)),
                new StepTimes.Entry("bottleneck", bottleneck, new Shape(16, 6, 6))), 2, 1, 3);
        assertEquals(3, t.seconds("bottleneck").size());
        assertTrue(t.seconds("basic").stream().allMatch(s -> s > 0));
        assertFalse(basic.isInitialized());
        assertTrue(bottleneck.getParameters().values().stream().noneMatch(Parameter::isInitialized));
    }

    @Test
    void badInputIsRejectedWithWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepTimes.forwardBackward(Map.of("basic", new BasicBlock(4, 4, 1)), new Shape(3, 6, 6), 2, 0, 1));
        assertEquals("BasicBlock expects input (batch, 4, height, width), got (2, 3, 6, 6)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StepTimes.interleaved(Map.of("a", () -> {}), 1, 0, 0));
        assertEquals("need at least one step, imagesPerStep >= 1, warmup >= 0 and rounds >= 1, got 1 steps,"
                + " imagesPerStep 1, warmup 0, rounds 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new StepTimes(List.of("a", "a"), 1, List.of(List.of(1.0, 1.0)), 0, 0));
        assertEquals("step names must differ, got [a, a]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new StepTimes(List.of("a", "b"), 1, List.of(List.of(1.0)), 0, 0));
        assertEquals("each round needs one time per step [a, b], got [1.0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TIMES.ratio("a", "c"));
        assertEquals("no step called 'c'; steps: [a, b]", e.getMessage());
    }
}
