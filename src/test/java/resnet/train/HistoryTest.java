package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static EpochRecord epoch(int epoch, double validAccuracy) {
        return new EpochRecord(epoch, 1.0 / epoch, 0.5, 0.4, validAccuracy, 0.1, 2, 100);
    }

    @Test
    void bestValidAccuracyIsTheHighestOfAnyEpochNotTheLast() {
        History history = new History(List.of(epoch(1, 0.70), epoch(2, 0.81), epoch(3, 0.78)));
        assertEquals(0.81, history.bestValidAccuracy(), 0);
        assertEquals(0.81, new History(List.of(epoch(1, Double.NaN), epoch(2, 0.81))).bestValidAccuracy(), 0,
                "an epoch without validation does not count");
        assertTrue(Double.isNaN(new History().bestValidAccuracy()), "no epoch, no best");
        assertTrue(Double.isNaN(new History(List.of(epoch(1, Double.NaN))).bestValidAccuracy()));
    }
}
