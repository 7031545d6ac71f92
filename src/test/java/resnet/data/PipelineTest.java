package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import resnet.TestData;

/** Split, augmentation, normalisation and batches. */
class PipelineTest {

    /** A Random whose draws are fixed: nextInt returns {@code offset}, nextBoolean {@code flip}. */
    private static Random fixed(int offset, boolean flip) {
        return new Random() {
            private static final long serialVersionUID = 1L;

            @Override
            public int nextInt(int bound) {
                return offset;
            }

            @Override
            public boolean nextBoolean() {
                return flip;
            }
        };
    }

    /** A 1x3x4 image with pixels 1..12, row by row. */
    private static byte[] counting() {
        byte[] image = new byte[12];
        for (int i = 0; i < 12; i++) {
            image[i] = (byte) (i + 1);
        }
        return image;
    }

    @Test
    void splitHasTheRightSizesNoOverlapAndDependsOnlyOnTheSeed() {
        ImageSet set = TestData.random(100, 1, 4, 1);
        Split a = Split.of(set, 0.2, 7);
        assertEquals(80, a.train().size());
        assertEquals(20, a.valid().size());
        Set<String> train = new HashSet<>();
        for (int i = 0; i < a.train().size(); i++) {
            train.add(Arrays.toString(a.train().image(i)));
        }
        for (int i = 0; i < a.valid().size(); i++) {
            assertFalse(train.contains(Arrays.toString(a.valid().image(i))), "validation image " + i + " is also in training");
        }
        Split again = Split.of(set, 0.2, 7);
        assertArrayEquals(a.valid().labels(), again.valid().labels());
        assertArrayEquals(a.valid().image(3), again.valid().image(3));
        Split other = Split.of(set, 0.2, 8);
        assertFalse(Arrays.equals(a.valid().image(0), other.valid().image(0)) && Arrays.equals(a.valid().image(1), other.valid().image(1)));
        assertThrows(IllegalArgumentException.class, () -> Split.of(set, 1.0, 7));
    }

    @Test
    void flipMirrorsEachRow() {
        byte[] out = new byte[12];
        new Augmentation(0, true).apply(counting(), 0, 1, 3, 4, out, fixed(0, true));
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9}, out);
        new Augmentation(0, true).apply(counting(), 0, 1, 3, 4, out, fixed(0, false));
        assertArrayEquals(counting(), out);
    }

    @Test
    void cropKeepsTheSizeAndFillsThePaddingWithZeros() {
        byte[] out = new byte[12];
        // offset 0 of 2·2+1 positions = shift by −2 rows and −2 columns: the image moves down-right
        new Augmentation(2, false).apply(counting(), 0, 1, 3, 4, out, fixed(0, false));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, out);
        // the middle offset is the image itself
        new Augmentation(2, false).apply(counting(), 0, 1, 3, 4, out, fixed(2, false));
        assertArrayEquals(counting(), out);
    }

    @Test
    void normalisationUsesTheTrainingPixels() {
        byte[] pixels = {0, (byte) 255, 0, (byte) 255};
        ImageSet set = new ImageSet("two", pixels, new int[] {0, 1}, 1, 1, 2, List.of("a", "b"));
        Normalization n = Normalization.of(set);
        assertEquals(0.5f, n.mean()[0], 1e-6);
        assertEquals(0.5f, n.std()[0], 1e-6);
        float[] out = new float[2];
        n.apply(pixels, 0, 1, 2, out, 0);
        assertArrayEquals(new float[] {-1f, 1f}, out, 1e-6f);
    }

    @Test
    void channelsLastNormalisationWritesEachPixelsChannelsSideBySide() {
        // 2 channels of 1x2 pixels: channel 0 is 0, 255; channel 1 is 255, 0
        byte[] pixels = {0, (byte) 255, (byte) 255, 0};
        ImageSet set = new ImageSet("two", pixels, new int[] {0}, 2, 1, 2, List.of("a"));
        Normalization n = Normalization.of(set);
        float[] planes = new float[4];
        n.apply(pixels, 0, 1, 2, planes, 0);
        float[] pixelwise = new float[4];
        n.applyChannelsLast(pixels, 0, 1, 2, pixelwise, 0);
        assertArrayEquals(new float[] {-1f, 1f, 1f, -1f}, planes, 1e-6f);
        assertArrayEquals(new float[] {planes[0], planes[2], planes[1], planes[3]}, pixelwise, 0f);
    }

    @Test
    void aBatchHoldsTheImagesInOrderWhateverItsMemoryLayout() {
        // the loader stores a batch channels last; read back as (n, C, H, W), it is each image's planes
        ImageSet set = TestData.random(5, 3, 4, 2);
        Normalization norm = Normalization.of(set);
        float[] expected = new float[5 * set.imageBytes()];
        for (int i = 0; i < 5; i++) {
            norm.apply(set.image(i), 0, 4, 4, expected, i * set.imageBytes());
        }
        try (NDManager manager = NDManager.newBaseManager();
                BatchLoader loader = BatchLoader.inOrder(set, 5, norm);
                Batch batch = loader.next(manager)) {
            NDArray x = batch.getData().head();
            assertEquals(new Shape(5, 3, 4, 4), x.getShape());
            assertArrayEquals(expected, x.toFloatArray(), 0f);
            // the same values as a batch made (n, C, H, W): a convolution sees no difference
            NDArray planes = manager.create(expected, new Shape(5, 3, 4, 4));
            NDArray weight = manager.randomNormal(new Shape(6, 3, 3, 3));
            NDArray bias = manager.zeros(new Shape(6));
            NDArray a = ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(1, 1),
                    new Shape(1, 1), new Shape(1, 1), 1).head();
            NDArray b = ai.djl.nn.convolutional.Conv2d.conv2d(planes, weight, bias, new Shape(1, 1),
                    new Shape(1, 1), new Shape(1, 1), 1).head();
            assertEquals(new Shape(5, 6, 4, 4), a.getShape());
            assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 1e-4f);
        }
        assertThrows(IllegalArgumentException.class, () -> {
            try (NDManager manager = NDManager.newBaseManager()) {
                BatchLoader.channelsLast(manager.zeros(new Shape(2, 3)));
            }
        });
    }

    @Test
    void batchesHaveTheImageShapeAndAreFreedWhenClosed() {
        ImageSet set = TestData.random(10, 3, 8, 1);
        try (NDManager manager = NDManager.newBaseManager();
                BatchLoader loader = BatchLoader.training(set, 4, Normalization.of(set), Augmentation.standard(), 1, 1)) {
            assertEquals(3, loader.batches());
            NDArray last = null;
            int images = 0;
            while (loader.hasNext()) {
                try (Batch batch = loader.next(manager)) {
                    NDArray x = batch.getData().head();
                    assertEquals(new Shape(batch.getSize(), 3, 8, 8), x.getShape());
                    assertEquals(new Shape(batch.getSize()), batch.getLabels().head().getShape());
                    images += batch.getSize();
                    last = x;
                }
                assertTrue(last.isReleased(), "the batch's arrays are freed when it closes");
            }
            assertEquals(10, images);
        }
    }

    @Test
    void orderAndAugmentationDependOnSeedAndEpochOnly() {
        ImageSet set = TestData.random(12, 1, 6, 3);
        Normalization norm = Normalization.of(set);
        float[] first = firstBatch(set, norm, 5, 2);
        assertArrayEquals(first, firstBatch(set, norm, 5, 2));
        assertFalse(Arrays.equals(first, firstBatch(set, norm, 5, 3)), "another epoch, another order");
        assertFalse(Arrays.equals(first, firstBatch(set, norm, 6, 2)), "another seed, another order");
    }

    private static float[] firstBatch(ImageSet set, Normalization norm, long seed, int epoch) {
        try (NDManager manager = NDManager.newBaseManager();
                BatchLoader loader = BatchLoader.training(set, 4, norm, Augmentation.standard(), seed, epoch);
                Batch batch = loader.next(manager)) {
            return batch.getData().head().toFloatArray();
        }
    }
}
