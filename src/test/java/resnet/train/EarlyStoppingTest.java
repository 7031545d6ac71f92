package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

    private static EpochRecord epoch(int e, double validLoss, double validAccuracy) {
        return new EpochRecord(e, 1, 0.5, validLoss, validAccuracy, 0.1, 1, 1);
    }

    @Test
    void stopsAfterPatienceEpochsWithoutBetterAccuracy() {
        EarlyStopping stopping = new EarlyStopping(2, EarlyStopping.Monitor.VALID_ACCURACY);
        assertTrue(stopping.update(epoch(1, 1.0, 0.50)));
        assertTrue(stopping.update(epoch(2, 0.9, 0.60)));
        assertFalse(stopping.update(epoch(3, 0.8, 0.60))); // equal is not better
        assertFalse(stopping.shouldStop());
        assertFalse(stopping.update(epoch(4, 0.7, 0.55)));
        assertTrue(stopping.shouldStop());
        assertEquals(new EarlyStopping.State(2, 0.60, 2), stopping.state());
    }

    @Test
    void lossMonitorPrefersLowerAndPatienceZeroNeverStops() {
        EarlyStopping stopping = new EarlyStopping(0, EarlyStopping.Monitor.VALID_LOSS);
        stopping.update(epoch(1, 1.0, 0.5));
        stopping.update(epoch(2, 0.5, 0.4));
        for (int e = 3; e < 20; e++) {
            stopping.update(epoch(e, 2.0, 0.9));
        }
        assertEquals(2, stopping.state().bestEpoch());
        assertFalse(stopping.shouldStop());
    }
}
