package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;

class ImageFolderTest {

    @TempDir
    Path dir;

    @Test
    void classesAreTheSortedFolderNamesAndEveryImageIsCroppedToTheSize() throws IOException {
        TestData.imageFolder(dir, List.of("tulip", "daisy", "rose"), 4, 1);
        ImageFolder folder = ImageFolder.builder(dir).optImageSize(32).build();
        ImageSet set = folder.images();
        assertEquals(List.of("daisy", "rose", "tulip"), set.classes());
        assertEquals(12, set.size());
        assertEquals(3, set.channels());
        assertEquals(32, set.height());
        assertEquals(32, set.width());
        assertArrayEquals(new int[] {4, 4, 4}, set.classCounts());
        // daisy is the second folder written (green), tulip the first (red): the label follows the name
        int daisy = 0;
        int tulip = 8;
        assertTrue(set.pixel(daisy, 1, 16, 16) > 150 && set.pixel(daisy, 0, 16, 16) < 90, "daisy is green");
        assertTrue(set.pixel(tulip, 0, 16, 16) > 150 && set.pixel(tulip, 1, 16, 16) < 90, "tulip is red");
        assertTrue(folder.skipped().isEmpty());
    }

    @Test
    void theCentreCropKeepsTheMiddleOfAWideOrTallImage() throws IOException {
        // red, white, blue thirds of 20 pixels: at shorter side 20 nothing is scaled, the crop is the white third
        for (boolean wide : new boolean[] {true, false}) {
            BufferedImage image = new BufferedImage(wide ? 60 : 20, wide ? 20 : 60, BufferedImage.TYPE_INT_RGB);
            for (int a = 0; a < 60; a++) {
                for (int b = 0; b < 20; b++) {
                    int colour = a < 20 ? 0xFF0000 : a < 40 ? 0xFFFFFF : 0x0000FF;
                    image.setRGB(wide ? a : b, wide ? b : a, colour);
                }
            }
            Path file = dir.resolve(wide + ".png");
            ImageIO.write(image, "png", file.toFile());
            byte[] crop = Images.load(file, 20, 20);
            byte[] white = new byte[3 * 20 * 20];
            Arrays.fill(white, (byte) 255);
            assertArrayEquals(white, crop, wide ? "wide" : "tall");
        }
        assertEquals(256, Images.resizeFor(224));
    }

    @Test
    void aBadImageIsAnErrorNamingItOrSkippedAndCounted() throws IOException {
        TestData.imageFolder(dir, List.of("a", "b"), 3, 2);
        Path broken = Files.write(dir.resolve("b/broken.jpg"), "not a jpeg".getBytes());
        Files.writeString(dir.resolve("a/README.txt"), "notes");
        DatasetException e = assertThrows(DatasetException.class, () -> ImageFolder.builder(dir).optImageSize(16).build());
        assertTrue(e.getMessage().startsWith("bad image " + broken.toAbsolutePath() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("--skip-bad-images"), e.getMessage());

        ImageFolder skipping = ImageFolder.builder(dir).optImageSize(16).optSkipBadImages(true).build();
        assertEquals(List.of(broken), skipping.skipped());
        assertEquals(1, skipping.ignored(), "README.txt is not an image");
        assertEquals(6, skipping.images().size());
        assertTrue(skipping.toString().endsWith("; 1 bad images skipped; 1 files that are not images left out"),
                skipping.toString());
    }

    @Test
    void aMissingOrEmptyFolderIsNamed() throws IOException {
        DatasetException missing = assertThrows(DatasetException.class,
                () -> ImageFolder.builder(dir.resolve("nowhere")).build());
        assertTrue(missing.getMessage().startsWith("no image folder at " + dir.resolve("nowhere").toAbsolutePath()),
                missing.getMessage());
        DatasetException flat = assertThrows(DatasetException.class, () -> ImageFolder.builder(dir).build());
        assertTrue(flat.getMessage().contains("has no class folders"), flat.getMessage());
        Files.createDirectories(dir.resolve("cats"));
        DatasetException empty = assertThrows(DatasetException.class, () -> ImageFolder.builder(dir).build());
        assertTrue(empty.getMessage().startsWith("class folder " + dir.resolve("cats").toAbsolutePath()
                + " holds no images"), empty.getMessage());
    }

    @Test
    void oneFolderIsSplitIntoDisjointTrainingAndTestParts() throws IOException {
        TestData.imageFolder(dir, List.of("x", "y"), 10, 3);
        ImageSet train = ImageFolder.trainOrTest(dir, true, 16, false).images();
        ImageSet test = ImageFolder.trainOrTest(dir, false, 16, false).images();
        assertEquals(16, train.size());
        assertEquals(4, test.size(), "a fifth of 20 images");
        Set<String> seen = new HashSet<>();
        for (ImageSet part : List.of(train, test)) {
            for (int i = 0; i < part.size(); i++) {
                assertTrue(seen.add(Arrays.toString(part.image(i))), "an image in both parts");
            }
        }
    }

    @Test
    void trainAndTestFoldersAreUsedWhenThere() throws IOException {
        TestData.imageFolder(dir.resolve("train"), List.of("x", "y"), 3, 4);
        DatasetException noTest = assertThrows(DatasetException.class, () -> ImageFolder.trainOrTest(dir, false, 16, false));
        assertTrue(noTest.getMessage().contains("has a train folder but neither test nor val"), noTest.getMessage());
        TestData.imageFolder(dir.resolve("val"), List.of("x", "y"), 2, 5);
        assertEquals(6, ImageFolder.trainOrTest(dir, true, 16, false).images().size());
        assertEquals(4, ImageFolder.trainOrTest(dir, false, 16, false).images().size());
        assertEquals(4, DatasetName.FOLDER.load(dir, false).size());
    }

    @Test
    void aRandomResizedCropIsSeededKeepsTheSizeAndChangesTheImage() throws IOException {
        TestData.imageFolder(dir, List.of("x"), 1, 6);
        ImageSet set = ImageFolder.builder(dir).optImageSize(24).build().images();
        Augmentation rrc = Augmentation.randomResizedCrop();
        assertFalse(rrc.isNone());
        assertEquals("random resized crop (8-100% of the area) + horizontal flip", rrc.toString());
        ImageSet once = rrc.applyTo(set, 9);
        assertArrayEquals(once.image(0), rrc.applyTo(set, 9).image(0), "same seed, same crop");
        assertFalse(Arrays.equals(once.image(0), set.image(0)), "the crop changes the image");
        assertEquals(24, once.height());

        // a solid image stays that colour whatever the crop
        byte[] solid = new byte[3 * 8 * 8];
        Arrays.fill(solid, 0, 64, (byte) 200);
        byte[] out = new byte[solid.length];
        Random random = new Random(1);
        for (int k = 0; k < 20; k++) {
            rrc.apply(solid, 0, 3, 8, 8, out, random);
            assertEquals(200, out[27] & 0xFF);
            assertEquals(0, out[64 + 27] & 0xFF);
        }
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(4, true, true));
    }

    @Test
    void folderImagesGoThroughTheBackgroundLoaderWithImageNetNormalisation() throws IOException {
        TestData.imageFolder(dir, List.of("x", "y"), 5, 7);
        ImageSet all = ImageFolder.builder(dir).optImageSize(16).build().images();
        TrainingData data = TrainingData.split(all, 0.2, 42, Augmentation.randomResizedCrop(), Normalization.IMAGENET);
        assertEquals(8, data.train().size());
        assertEquals(Normalization.IMAGENET, data.normalization());
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
                BatchLoader loader = data.trainBatches(4, 42, 1);
                ai.djl.training.dataset.Batch batch = loader.next(manager)) {
            assertEquals(new ai.djl.ndarray.types.Shape(4, 3, 16, 16), batch.getData().head().getShape());
        }
    }
}
