package resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunModeTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(RunMode.PROPERTY);
    }

    @Test
    void quickModeAcceptsTheUsualSpellingsOfTrue() {
        for (String value : new String[] {"1", "true", "TRUE", " yes ", "on"}) {
            assertTrue(RunMode.isTrue(value), value);
        }
        for (String value : new String[] {null, "", "0", "false", "no", "quick"}) {
            assertFalse(RunMode.isTrue(value), String.valueOf(value));
        }
    }

    @Test
    void pickReturnsTheQuickSizeOnlyInQuickMode() {
        System.setProperty(RunMode.PROPERTY, "1");
        assertEquals(2, RunMode.pick(30, 2));
        assertEquals(0.5, RunMode.pick(1.0, 0.5));
        assertTrue(RunMode.describe().startsWith("quick mode"));
        System.setProperty(RunMode.PROPERTY, "0");
        assertEquals(30, RunMode.pick(30, 2));
        assertEquals(1000L, RunMode.pick(1000L, 10L));
        assertTrue(RunMode.describe().startsWith("full mode"));
    }
}
