package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void stepLrDropsByGammaEveryStepEpochs() {
        // PyTorch's StepLR(step_size=30, gamma=0.1) from lr 0.1: epochs 0-29 at 0.1, 30-59 at 0.01, 60.. at 0.001
        Schedule s = Schedule.step(0.1, 30, 0.1);
        assertEquals(0.1, s.at(0), 1e-12);
        assertEquals(0.1, s.at(29), 1e-12);
        assertEquals(0.1, s.at(29.99), 1e-12);
        assertEquals(0.01, s.at(30), 1e-12);
        assertEquals(0.001, s.at(60), 1e-12);
        assertEquals(0.01, s.atEpoch(31), 1e-12); // the history counts epochs from 1
    }

    @Test
    void cosineGoesFromTheRateToZeroThroughHalf() {
        Schedule s = Schedule.cosine(0.2, 10);
        assertEquals(0.2, s.at(0), 1e-12);
        assertEquals(0.1, s.at(5), 1e-12);
        assertEquals(0.0, s.at(10), 1e-12);
        assertEquals(0.2 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(2.5), 1e-12);
    }

    @Test
    void oneCycleWarmsUpLinearlyThenAnnealsToAFraction() {
        Schedule s = Schedule.oneCycle(0.1, 6, 1);
        assertEquals(0.1 / 25, s.at(0), 1e-12);
        assertEquals((0.1 / 25 + 0.1) / 2, s.at(0.5), 1e-12);
        assertEquals(0.1, s.at(1), 1e-12);
        assertEquals(0.1 / 25 / 1e4, s.at(6), 1e-15);
        double end = 0.1 / 25 / 1e4;
        assertEquals(end + (0.1 - end) / 2, s.at(3.5), 1e-12); // half way through the cosine
    }

    @Test
    void namedSchedulesAndBadValues() {
        assertEquals(Schedule.step(0.1, 30, 0.1), Schedule.named("step", 0.1, 90, 30, 0.1, 0));
        assertEquals(Schedule.oneCycle(0.1, 6, 1), Schedule.named("onecycle", 0.1, 6, 30, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.named("linear", 0.1, 6, 30, 0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> Schedule.step(0.1, 30, 2));
        assertThrows(IllegalArgumentException.class, () -> Schedule.oneCycle(0.1, 6, 6));
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(-1));
    }
}
