package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void swaWarmsUpAnnealsToTheAveragingRateAndStaysThere() {
        // 40 epochs, the last quarter averaged: the cosine of epochs 1-30 ends at 0.02, epochs 31-40 run at it
        Schedule.Swa s = Schedule.swa(0.2, 40, 1, 0.25, 0.02);
        assertEquals(30, s.averageFrom());
        assertEquals(0.2 / 25, s.at(0), 1e-12);
        assertEquals(0.2, s.at(1), 1e-12);
        assertEquals(0.11, s.at(15.5), 1e-12, "half way down the cosine: the mean of 0.2 and 0.02");
        assertEquals(0.02, s.at(29.999), 1e-6);
        assertEquals(0.02, s.at(30), 0);
        assertEquals(0.02, s.atEpoch(40), 0);
        assertFalse(s.averages(30));
        assertTrue(s.averages(31));
        assertTrue(s.averages(40));
        assertEquals(Schedule.Swa.averageFrom(8, 1, 0.25), 6);
        assertThrows(IllegalArgumentException.class, () -> Schedule.swa(0.2, 40, 1, 1, 0.02), "nothing before it");
        assertThrows(IllegalArgumentException.class, () -> Schedule.swa(0.2, 40, 1, 0.25, 0.3), "above the peak");
        assertThrows(IllegalArgumentException.class, () -> new Schedule.Swa(0.2, 40, 2, 1, 0.02), "in the warm-up");
    }
}
