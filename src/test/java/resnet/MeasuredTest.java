package resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MeasuredTest {

    @Test
    void quantitiesAreAlignedLeftAndValuesRightUnderARule() {
        Measured measured = new Measured()
                .add("max |by hand - DJL|", "%.2e", 1.1920929e-6)
                .add("ResNet-18 parameters", "%,d", 11_689_512L)
                .add("formula agrees", "true");
        assertEquals("""
                quantity                this run
                --------------------  ----------
                max |by hand - DJL|     1.19e-06
                ResNet-18 parameters  11,689,512
                formula agrees              true
                """, measured.toString());
        assertEquals(List.of("max |by hand - DJL|", "ResNet-18 parameters", "formula agrees"),
                measured.rows().stream().map(Measured.Row::quantity).toList());
    }

    @Test
    void numbersUseADecimalPointWhateverTheDefaultLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("0.500", new Measured().add("half", "%.3f", 0.5).rows().get(0).value());
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void aRowWithoutQuantityOrValueIsRejected() {
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> new Measured().add(" ", "1"));
        assertEquals("a measured row needs a quantity, got ' '", blank.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new Measured().add("steps", (String) null));
        assertEquals("the measured row 'steps' has no value", none.getMessage());
    }
}
