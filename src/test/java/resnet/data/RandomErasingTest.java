package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random erasing: one rectangle of the paper's size range, or nothing; and nothing else changes. */
class RandomErasingTest {

    private static final int H = 28;
    private static final int W = 28;

    /** A 2-channel image with a marker value (never drawn as noise is 0..255, so compare positions). */
    private static byte[] constant(int c, byte value) {
        byte[] image = new byte[c * H * W];
        java.util.Arrays.fill(image, value);
        return image;
    }

    @Test
    void erasingAlwaysChangesOneRectangleOfTheAllowedSizeInEveryChannel() {
        Augmentation always = new Augmentation(0, false, false, 1);
        Random random = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            byte[] src = constant(2, (byte) 7);
            byte[] out = new byte[src.length];
            always.apply(src, 0, 2, H, W, out, random);
            int top = H;
            int bottom = -1;
            int left = W;
            int right = -1;
            int changed = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    boolean differs = out[y * W + x] != 7;
                    if (differs) {
                        changed++;
                        top = Math.min(top, y);
                        bottom = Math.max(bottom, y);
                        left = Math.min(left, x);
                        right = Math.max(right, x);
                    }
                }
            }
            assertTrue(changed > 0, "trial " + trial + ": nothing erased");
            int area = (bottom - top + 1) * (right - left + 1);
            // random values may hit 7 by chance: the bounding box is the rectangle, at most 1/256 of it unchanged
            assertTrue(changed >= area * 0.9, "trial " + trial + ": the changed pixels are not one rectangle");
            double share = (double) area / (H * W);
            assertTrue(share <= Augmentation.ERASE_MAX_AREA + 0.05, "trial " + trial + ": area share " + share);
            // outside the rectangle nothing changed, in both channels; inside, both channels are noise
            for (int ch = 0; ch < 2; ch++) {
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        boolean inside = y >= top && y <= bottom && x >= left && x <= right;
                        if (!inside) {
                            assertEquals(7, out[ch * H * W + y * W + x], "trial " + trial + " channel " + ch);
                        }
                    }
                }
            }
        }
    }

    @Test
    void probabilityHalfErasesAboutHalfTheImages() {
        Augmentation half = new Augmentation(0, false).withErasing(0.5);
        Random random = new Random(11);
        int erased = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] src = constant(1, (byte) 7);
            byte[] out = new byte[src.length];
            half.apply(src, 0, 1, H, W, out, random);
            if (!java.util.Arrays.equals(src, out)) {
                erased++;
            }
        }
        assertTrue(erased > 440 && erased < 560, erased + " of 1000 erased");
    }

    @Test
    void withoutErasingTheDrawsAndImagesAreTheOldOnes() {
        byte[] src = TestData.randomImage(1, H, W, 3);
        byte[] a = new byte[src.length];
        byte[] b = new byte[src.length];
        Random r1 = new Random(9);
        Random r2 = new Random(9);
        for (int i = 0; i < 20; i++) {
            new Augmentation(4, true).apply(src, 0, 1, H, W, a, r1);
            new Augmentation(4, true, false, 0).apply(src, 0, 1, H, W, b, r2);
            assertArrayEquals(a, b);
        }
        assertEquals(r1.nextLong(), r2.nextLong());
        assertFalse(new Augmentation(0, false, false, 0.5).isNone());
        assertTrue(new Augmentation(0, true).withErasing(0.5).toString().endsWith("random erasing (p 0.5)"));
    }

    @Test
    void theSameSeedErasesTheSameRectangle() {
        byte[] src = TestData.randomImage(1, H, W, 4);
        byte[] a = new byte[src.length];
        byte[] b = new byte[src.length];
        Augmentation.standard().withErasing(1).apply(src, 0, 1, H, W, a, new Random(3));
        Augmentation.standard().withErasing(1).apply(src, 0, 1, H, W, b, new Random(3));
        assertArrayEquals(a, b);
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, true, false, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, true, false, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(0, true, false, Double.NaN));
    }

    /** Small local helper so the test does not depend on the shared test data's shapes. */
    private static final class TestData {
        static byte[] randomImage(int c, int h, int w, long seed) {
            byte[] image = new byte[c * h * w];
            new Random(seed).nextBytes(image);
            return image;
        }
    }
}
