package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.TestData;

/** The few-shot and transfer helpers of ImageSet, and Augmentation.applyTo. */
class ImageSetTest {

    /** One 2x3 image: 0 1 2 / 3 4 5. */
    private static ImageSet twoByThree() {
        return new ImageSet("tiny", new byte[] {0, 1, 2, 3, 4, 5}, new int[] {1}, 1, 2, 3, List.of("a", "b"));
    }

    private static byte[] pixels(ImageSet set) {
        return set.image(0);
    }

    @Test
    void aQuarterTurnClockwiseMovesTheTopRowToTheRightColumn() {
        ImageSet turned = twoByThree().rotated(1);
        assertEquals(3, turned.height());
        assertEquals(2, turned.width());
        // 0 1 2 / 3 4 5 turned clockwise is 3 0 / 4 1 / 5 2
        assertArrayEquals(new byte[] {3, 0, 4, 1, 5, 2}, pixels(turned));
        assertArrayEquals(new byte[] {5, 4, 3, 2, 1, 0}, pixels(twoByThree().rotated(2)));
        assertArrayEquals(pixels(twoByThree().rotated(-1)), pixels(twoByThree().rotated(3)));
        assertArrayEquals(pixels(twoByThree()), pixels(twoByThree().rotated(1).rotated(1).rotated(1).rotated(1)));
        assertEquals(1, turned.label(0));
    }

    @Test
    void perClassDrawsTheSameNumberOfEveryClassReproducibly() {
        ImageSet set = TestData.random(500, 1, 4, 1);
        ImageSet few = set.perClass(7, 3);
        assertEquals(70, few.size());
        for (int count : few.classCounts()) {
            assertEquals(7, count);
        }
        assertArrayEquals(few.labels(), set.perClass(7, 3).labels());
        assertArrayEquals(pixels(few), pixels(set.perClass(7, 3)));
        assertNotEquals(java.util.Arrays.toString(set.perClass(7, 4).image(0)), java.util.Arrays.toString(few.image(0)),
                "another seed draws other images");
    }

    @Test
    void perClassNamesTheClassThatIsShort() {
        ImageSet set = TestData.brightness(10, 1, 4, 1); // 5 dark, 5 bright
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> set.perClass(6, 1));
        assertTrue(e.getMessage().contains("class 0 (dark)"), e.getMessage());
    }

    @Test
    void rangeKeepsOrderAndRejectsAnEmptyOrOutsidePart() {
        ImageSet set = TestData.random(20, 1, 4, 2);
        ImageSet part = set.range(5, 8);
        assertEquals(3, part.size());
        assertArrayEquals(set.image(5), part.image(0));
        assertEquals(set.label(7), part.label(2));
        assertThrows(IllegalArgumentException.class, () -> set.range(8, 8));
        assertThrows(IllegalArgumentException.class, () -> set.range(15, 21));
    }

    @Test
    void augmentedCopiesAreReproducibleAndNoneChangesNothing() {
        ImageSet set = TestData.random(6, 1, 8, 5);
        assertArrayEquals(pixels(set), pixels(Augmentation.NONE.applyTo(set, 1)));
        ImageSet a = Augmentation.standard().applyTo(set, 9);
        ImageSet b = Augmentation.standard().applyTo(set, 9);
        for (int i = 0; i < set.size(); i++) {
            assertArrayEquals(a.image(i), b.image(i));
        }
        boolean changed = false;
        for (int i = 0; i < set.size(); i++) {
            changed |= !java.util.Arrays.equals(set.image(i), a.image(i));
        }
        assertTrue(changed, "crop and flip change at least one of six images");
        assertArrayEquals(set.labels(), a.labels());
    }
}
