package resnet.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The data sets the command line and the notebooks name: {@code fashion-mnist}, {@code cifar10}, and
 * {@code folder}, your own images in a folder per class ({@link ImageFolder}; 224x224 unless asked otherwise).
 */
public enum DatasetName {
    FASHION_MNIST("fashion-mnist", 1, 28),
    CIFAR10("cifar10", 3, 32),
    FOLDER("folder", 3, 224);

    private final String id;
    private final int channels;
    private final int side;

    DatasetName(String id, int channels, int side) {
        this.id = id;
        this.channels = channels;
        this.side = side;
    }

    /** The name on the command line. */
    public String id() {
        return id;
    }

    /** Channels of one image: 1 (grey) or 3 (RGB); a model for this data set is built with as many inputs. */
    public int channels() {
        return channels;
    }

    /** Height and width of one image. */
    public int side() {
        return side;
    }

    /**
     * The training or test part.
     *
     * @param dir the folder of the files, or null for the data set's default: {@code
     *     FASHION_MNIST_DIR}, else Debian's folder, for Fashion-MNIST; {@code CIFAR10_DIR}, else
     *     DJL's download (network needed once), for CIFAR-10; no default for a folder
     *     ({@link ImageFolder#trainOrTest}: {@code dir/train} and {@code dir/test}, or one folder split)
     */
    public ImageSet load(Path dir, boolean train) {
        if (this == FOLDER) {
            return ImageFolder.trainOrTest(dir, train, side, false).images();
        }
        if (this == FASHION_MNIST) {
            return FashionMnist.load(dir, train);
        }
        return dir == null && Cifar10.defaultDirectory() == null ? Cifar10.download(train) : Cifar10.load(dir, train);
    }

    /**
     * The data set called {@code name} ({@code fashion-mnist}, {@code cifar10}, {@code folder}; case and {@code -}/{@code _} ignored).
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static DatasetName of(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (DatasetName d : values()) {
            if (d.id.equals(key) || d.id.replace("-", "").equals(key.replace("-", ""))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown data set '" + name + "'; known: "
                + Arrays.stream(values()).map(DatasetName::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
