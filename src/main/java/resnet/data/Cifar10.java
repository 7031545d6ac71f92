package resnet.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.Pipeline;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10: 60,000 colour 32x32 images of ten classes, 50,000 for training and 10,000 for testing.
 *
 * <p>Two ways in: the official binary version in a local folder ({@link #load(Path, boolean)}:
 * {@code data_batch_1.bin} .. {@code data_batch_5.bin} and {@code test_batch.bin}, each record one
 * label byte then 1024 red, 1024 green and 1024 blue bytes, row by row), or DJL's download
 * ({@link #download(boolean)}, which needs the network once and caches in {@code ~/.djl.ai}).
 */
public final class Cifar10 {

    /** The environment variable naming the folder of the binary files. */
    public static final String ENV = "CIFAR10_DIR";
    /** Label 0..9 as {@code batches.meta.txt} lists them. */
    public static final List<String> CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    static final int SIDE = 32;
    static final int IMAGE_BYTES = 3 * SIDE * SIDE;
    static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    static final String URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
    static final String HOW_TO_GET = "download the binary version from " + URL + ", unpack it and point "
            + ENV + " (or --data-dir) at its folder cifar-10-batches-bin; or let DJL download it"
            + " (Cifar10.download, needs the network)";

    private Cifar10() {}

    /** The folder from {@value #ENV}, or null when it is not set. */
    public static Path defaultDirectory() {
        String env = System.getenv(ENV);
        return env == null || env.isBlank() ? null : Path.of(env);
    }

    /** The names of the files of one part, in reading order. */
    static List<String> files(boolean train) {
        if (!train) {
            return List.of("test_batch.bin");
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add("data_batch_" + i + ".bin");
        }
        return names;
    }

    /**
     * Reads the training or the test part from the binary files in {@code dir} (or in its
     * sub-folder {@code cifar-10-batches-bin}, as the archive unpacks).
     *
     * @param dir the folder, or null for {@value #ENV}
     * @throws DatasetException naming the folder or file when one is missing, truncated or holds a
     *     label outside 0..9
     */
    public static ImageSet load(Path dir, boolean train) {
        Path folder = dir == null ? defaultDirectory() : dir;
        if (folder == null) {
            throw new DatasetException("no CIFAR-10 folder given and " + ENV + " is not set; " + HOW_TO_GET);
        }
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("CIFAR-10 folder " + folder + " does not exist; " + HOW_TO_GET);
        }
        if (!Files.exists(folder.resolve(files(train).get(0))) && Files.isDirectory(folder.resolve("cifar-10-batches-bin"))) {
            folder = folder.resolve("cifar-10-batches-bin");
        }
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (String name : files(train)) {
            Path file = folder.resolve(name);
            byte[] bytes = readFile(file);
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
                throw new DatasetException(String.format(
                        "corrupt file %s: %d bytes is not a whole number of %d-byte records (truncated download?); %s",
                        file, bytes.length, RECORD_BYTES, HOW_TO_GET));
            }
            parts.add(bytes);
            total += bytes.length / RECORD_BYTES;
        }
        int n = (int) total;
        byte[] pixels = new byte[n * IMAGE_BYTES];
        int[] labels = new int[n];
        int i = 0;
        for (int p = 0; p < parts.size(); p++) {
            byte[] bytes = parts.get(p);
            for (int offset = 0; offset < bytes.length; offset += RECORD_BYTES, i++) {
                labels[i] = bytes[offset] & 0xFF;
                if (labels[i] >= CLASSES.size()) {
                    throw new DatasetException(String.format("corrupt file %s: record %d has label %d, not a class 0..9; %s",
                            folder.resolve(files(train).get(p)), offset / RECORD_BYTES, labels[i], HOW_TO_GET));
                }
                System.arraycopy(bytes, offset + 1, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new ImageSet("cifar10 " + (train ? "train" : "test"), pixels, labels, 3, SIDE, SIDE, CLASSES);
    }

    private static byte[] readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("missing file " + file + "; " + HOW_TO_GET);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage() + "; " + HOW_TO_GET, e);
        }
    }

    /**
     * The training or test part through DJL's {@code Cifar10} data set, which downloads the binary
     * version once into {@code ~/.djl.ai/cache}. Needs the network (and {@code ai.djl.offline} not set).
     *
     * @throws DatasetException when the download or the cache fails, with DJL's reason
     */
    public static ImageSet download(boolean train) {
        try (NDManager manager = NDManager.newBaseManager()) {
            ai.djl.basicdataset.cv.classification.Cifar10 cifar = ai.djl.basicdataset.cv.classification.Cifar10.builder()
                    .optUsage(train ? Dataset.Usage.TRAIN : Dataset.Usage.TEST)
                    .optPipeline(new Pipeline()) // raw 0..255 values, height x width x channels
                    .optManager(manager)
                    .setSampling(1000, false)
                    .build();
            cifar.prepare();
            int n = (int) cifar.size();
            byte[] pixels = new byte[n * IMAGE_BYTES];
            int[] labels = new int[n];
            int i = 0;
            for (Batch batch : cifar.getData(manager)) {
                try (batch) {
                    NDArray chw = batch.getData().head().transpose(0, 3, 1, 2).toType(ai.djl.ndarray.types.DataType.UINT8, false);
                    byte[] bytes = chw.toByteArray();
                    float[] y = batch.getLabels().head().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                    System.arraycopy(bytes, 0, pixels, i * IMAGE_BYTES, bytes.length);
                    for (float label : y) {
                        labels[i++] = (int) label;
                    }
                }
            }
            return new ImageSet("cifar10 " + (train ? "train" : "test"), pixels, labels, 3, SIDE, SIDE, CLASSES);
        } catch (IOException | TranslateException | RuntimeException e) {
            throw new DatasetException("DJL could not download or read CIFAR-10 (" + e.getMessage() + "); without the network,"
                    + " download the binary version from " + URL + " elsewhere, unpack it and point " + ENV
                    + " (or --data-dir) at its folder cifar-10-batches-bin", e);
        }
    }
}
