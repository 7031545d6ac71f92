package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.blocks.BasicBlock;

class StepTimeTest {

    @Test
    void medianMinMaxAndPerImageComeFromTheTimedSteps() {
        StepTime t = new StepTime(4, new Shape(3, 8, 8), 9.0, List.of(2.0, 1.0, 5.0, 3.0));
        assertEquals(2.5, t.medianSeconds());
        assertEquals(1.0, t.minSeconds());
        assertEquals(5.0, t.maxSeconds());
        assertEquals(0.625, t.secondsPerImage());
        assertEquals(1.6, t.imagesPerSecond(), 1e-12);
        assertEquals("batch 4 of 3x8x8: 0.625 s per image (median of 4 steps of 2.50 s, min 1.00, max 5.00;"
                + " first step 9.00 s)", t.toString());
        assertEquals(3.0, new StepTime(1, new Shape(1, 1, 1), 1, List.of(3.0, 1.0, 4.0)).medianSeconds());
    }

    @Test
    void timesTheRequestedStepsAndGivesABorrowedBlockBackWithoutArrays() {
        BasicBlock block = new BasicBlock(4, 4, 1);
        StepTime t = StepTime.forwardBackward(block, new Shape(4, 6, 6), 2, 1, 3);
        assertEquals(3, t.seconds().size());
        assertTrue(t.seconds().stream().allMatch(s -> s > 0));
        assertTrue(t.firstSeconds() > 0);
        assertFalse(block.isInitialized());
        assertTrue(block.getParameters().values().stream().noneMatch(Parameter::isInitialized));
    }

    @Test
    void badSizesAndInputsAreRejectedBeforeAnythingRuns() {
        BasicBlock block = new BasicBlock(4, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StepTime.forwardBackward(block, new Shape(4, 6, 6), 2, 0, 0));
        assertEquals("need batch >= 1, warmup >= 0 and steps >= 1, got batch 2, warmup 0, steps 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StepTime.forwardBackward(block, new Shape(3, 6, 6), 2, 0, 1));
        assertEquals("BasicBlock expects input (batch, 4, height, width), got (2, 3, 6, 6)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> StepTime.forwardBackward(block, new Shape(2, 4, 6, 6), 2, 0, 1));
        assertTrue(e.getMessage().startsWith("give one image's shape"), e.getMessage());
    }
}
