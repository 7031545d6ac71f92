package resnet.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 70,000 grey 28x28 images of ten kinds of clothing, 60,000 for training
 * and 10,000 for testing, read from the four IDX files ({@code train-images-idx3-ubyte.gz},
 * {@code train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz}, {@code t10k-labels-idx1-ubyte.gz}).
 *
 * <p>The folder is, in order: the one passed in, the environment variable {@value #ENV}, Debian's
 * {@value #DEBIAN_DIR} (package {@code dataset-fashion-mnist}).
 */
public final class FashionMnist {

    /** The environment variable naming the folder of the four files. */
    public static final String ENV = "FASHION_MNIST_DIR";
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
    /** Height and width of every image. */
    public static final int SIDE = 28;
    /** Label 0..9 in the order of the data set's documentation. */
    public static final List<String> CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    static final String HOW_TO_GET = "get the four Fashion-MNIST .gz files with 'apt-get install dataset-fashion-mnist'"
            + " (Debian/Ubuntu, into " + DEBIAN_DIR + ") or from https://github.com/zalandoresearch/fashion-mnist,"
            + " and point " + ENV + " (or --data-dir) at their folder";

    private FashionMnist() {}

    /** The folder the files are read from when none is given: {@value #ENV}, else {@value #DEBIAN_DIR}. */
    public static Path defaultDirectory() {
        String env = System.getenv(ENV);
        return Path.of(env != null && !env.isBlank() ? env : DEBIAN_DIR);
    }

    /** The 60,000 training images from the default folder. */
    public static ImageSet train() {
        return load(null, true);
    }

    /** The 10,000 test images from the default folder. */
    public static ImageSet test() {
        return load(null, false);
    }

    /**
     * Reads the training or the test part.
     *
     * @param dir the folder of the four files, or null for {@link #defaultDirectory()}
     * @throws DatasetException naming the folder or file when one is missing or not a valid IDX file
     */
    public static ImageSet load(Path dir, boolean train) {
        Path folder = dir == null ? defaultDirectory() : dir;
        if (!Files.isDirectory(folder)) {
            throw new DatasetException("Fashion-MNIST folder " + folder + " does not exist; " + HOW_TO_GET);
        }
        String prefix = train ? "train" : "t10k";
        Path imageFile = folder.resolve(prefix + "-images-idx3-ubyte.gz");
        Idx.Contents images = Idx.read(imageFile, 3, HOW_TO_GET);
        if (images.dims()[1] != SIDE || images.dims()[2] != SIDE) {
            // A network built for 28x28 would take other sizes without complaint and learn something else.
            throw new DatasetException(String.format("corrupt file %s: its images are %dx%d, Fashion-MNIST's are %dx%d; %s",
                    imageFile, images.dims()[1], images.dims()[2], SIDE, SIDE, HOW_TO_GET));
        }
        Path labelFile = folder.resolve(prefix + "-labels-idx1-ubyte.gz");
        Idx.Contents labels = Idx.read(labelFile, 1, HOW_TO_GET);
        int n = images.dims()[0];
        if (labels.dims()[0] != n) {
            throw new DatasetException(String.format("%s holds %d labels but its images file holds %d images; %s",
                    labelFile, labels.dims()[0], n, HOW_TO_GET));
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.data()[i] & 0xFF;
            if (y[i] >= CLASSES.size()) {
                throw new DatasetException(String.format("corrupt file %s: label %d of image %d is not a class 0..9; %s",
                        labelFile, y[i], i, HOW_TO_GET));
            }
        }
        return new ImageSet("fashion-mnist " + (train ? "train" : "test"), images.data(), y,
                1, images.dims()[1], images.dims()[2], CLASSES);
    }
}
