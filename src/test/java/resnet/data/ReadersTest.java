package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;

class ReadersTest {

    @Test
    void idxFilesReadBackEveryPixelAndLabel(@TempDir Path dir) throws IOException {
        ImageSet train = TestData.random(7, 1, 28, 1);
        ImageSet test = TestData.random(3, 1, 28, 2);
        TestData.fashionMnistFolder(dir, train, test);
        ImageSet read = FashionMnist.load(dir, true);
        assertEquals(7, read.size());
        assertEquals(28, read.height());
        assertEquals(FashionMnist.CLASSES, read.classes());
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(train.image(i), read.image(i), "image " + i);
        }
        assertArrayEquals(train.labels(), read.labels());
        assertArrayEquals(test.labels(), FashionMnist.load(dir, false).labels());
    }

    @Test
    void missingFolderNamesThePathAndTheDebianPackage(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere");
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.load(missing, true));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void truncatedIdxFileIsNamedAsCorrupt(@TempDir Path dir) throws IOException {
        TestData.fashionMnistFolder(dir, TestData.random(5, 1, 28, 1), TestData.random(2, 1, 28, 2));
        Path images = dir.resolve("train-images-idx3-ubyte.gz");
        byte[] raw = new java.util.zip.GZIPInputStream(Files.newInputStream(images)).readAllBytes();
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(images))) {
            out.write(Arrays.copyOf(raw, raw.length - 100));
        }
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, true));
        assertTrue(e.getMessage().contains("corrupt file " + images), e.getMessage());
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
    }

    @Test
    void notGzipOrWrongMagicIsNamedAsCorrupt(@TempDir Path dir) throws IOException {
        TestData.fashionMnistFolder(dir, TestData.random(5, 1, 28, 1), TestData.random(2, 1, 28, 2));
        Path labels = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(labels, "<html>not found</html>".getBytes());
        DatasetException e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, false));
        assertTrue(e.getMessage().contains("corrupt file " + labels) && e.getMessage().contains("gzip"), e.getMessage());
        // an images file where the labels file should be: valid gzip, wrong number of dimensions
        Files.copy(dir.resolve("t10k-images-idx3-ubyte.gz"), labels, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        e = assertThrows(DatasetException.class, () -> FashionMnist.load(dir, false));
        assertTrue(e.getMessage().contains("magic number 0x00000803"), e.getMessage());
    }

    @Test
    void cifarBinaryFilesReadBackEveryPixelAndLabel(@TempDir Path dir) throws IOException {
        ImageSet[] batches = new ImageSet[5];
        for (int b = 0; b < 5; b++) {
            batches[b] = TestData.random(2 + b, 3, 32, 10 + b);
            TestData.writeCifar(dir.resolve("cifar-10-batches-bin/data_batch_" + (b + 1) + ".bin"), batches[b]);
        }
        ImageSet test = TestData.random(4, 3, 32, 99);
        TestData.writeCifar(dir.resolve("cifar-10-batches-bin/test_batch.bin"), test);

        ImageSet read = Cifar10.load(dir, true); // finds the archive's sub-folder
        assertEquals(2 + 3 + 4 + 5 + 6, read.size());
        assertEquals(3, read.channels());
        int i = 0;
        for (ImageSet batch : batches) {
            for (int k = 0; k < batch.size(); k++, i++) {
                assertArrayEquals(batch.image(k), read.image(i), "image " + i);
                assertEquals(batch.label(k), read.label(i));
            }
        }
        // channel planes: red first, as the format stores them
        assertEquals(test.pixel(1, 0, 5, 7), Cifar10.load(dir.resolve("cifar-10-batches-bin"), false).pixel(1, 0, 5, 7));
        assertEquals(Cifar10.CLASSES.get(3), "cat");
    }

    @Test
    void truncatedOrMissingCifarFileIsNamed(@TempDir Path dir) throws IOException {
        TestData.writeCifar(dir.resolve("test_batch.bin"), TestData.random(3, 3, 32, 1));
        Path file = dir.resolve("test_batch.bin");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 1));
        DatasetException e = assertThrows(DatasetException.class, () -> Cifar10.load(dir, false));
        assertTrue(e.getMessage().contains("corrupt file " + file) && e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());

        e = assertThrows(DatasetException.class, () -> Cifar10.load(dir, true));
        assertTrue(e.getMessage().contains("missing file " + dir.resolve("data_batch_1.bin")), e.getMessage());
    }

    @Test
    void djlDownloadGivesTheRealSetOrSaysHowToGetIt() {
        // The tests run with ai.djl.offline=true: without a cached copy DJL must refuse, and the
        // message must name the official archive; with one, the set must be the real test set.
        try {
            ImageSet test = Cifar10.download(false);
            assertEquals(10_000, test.size());
            assertEquals(1000, test.classCounts()[0]);
        } catch (DatasetException e) {
            assertTrue(e.getMessage().contains(Cifar10.URL) && e.getMessage().contains(Cifar10.ENV), e.getMessage());
        }
    }
}
