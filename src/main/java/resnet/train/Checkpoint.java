package resnet.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import resnet.data.Normalization;
import resnet.models.ResidualNetwork;

/**
 * One file that holds everything needed to continue or to evaluate a run: the weights (BatchNorm
 * running statistics included), the optimiser's state, the history so far, the early-stopping
 * state, and what the model and its input were (name, input shape, classes, normalisation).
 *
 * <p>A run keeps two in its folder: {@value #LAST} (after every epoch) and {@value #BEST} (the best
 * epoch so far). Files are written to a temporary file and then moved over the old one in one
 * atomic rename, so an interrupted run (an exception, Ctrl-C, a power cut) leaves the previous
 * checkpoint intact, never half a file.
 *
 * <p>Layout: the magic {@value #MAGIC}, a JSON header ({@link Info}), the block's parameters as
 * {@code Block.saveParameters} writes them, and the optimiser's arrays as an encoded {@code NDList}.
 */
public final class Checkpoint {

    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";
    public static final String HISTORY = "history.csv";
    static final String MAGIC = "resnet-java checkpoint v1";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting().create();

    /**
     * The header of a checkpoint.
     *
     * @param modelName what {@code ResNet.spec(name)} rebuilds (with {@code inputShape[0]} channels and {@code classes})
     * @param inputShape one image: channels, height, width
     * @param classes outputs of the model
     * @param mean per-channel mean of the normalisation the model was trained with
     * @param std per-channel std of that normalisation
     * @param epoch the last completed epoch
     * @param settings {@link FitConfig#settings()} of the run
     * @param stopping early stopping's state after {@code epoch}
     * @param optimizerSteps updates per parameter name
     * @param history every epoch up to {@code epoch}
     */
    public record Info(String modelName, long[] inputShape, int classes, float[] mean, float[] std, int epoch,
            Map<String, String> settings, EarlyStopping.State stopping, Map<String, Integer> optimizerSteps,
            List<EpochRecord> history) {

        public Normalization normalization() {
            return new Normalization(mean, std);
        }
    }

    private final Path file;
    private final Info info;
    private final byte[] parameters;
    private final byte[] optimizerState;

    private Checkpoint(Path file, Info info, byte[] parameters, byte[] optimizerState) {
        this.file = file;
        this.info = info;
        this.parameters = parameters;
        this.optimizerState = optimizerState;
    }

    public Path file() {
        return file;
    }

    public Info info() {
        return info;
    }

    public History history() {
        return new History(info.history());
    }

    /** The block's parameters as saved (what {@link #loadParameters(Block, NDManager, byte[])} reads). */
    byte[] parameterBytes() {
        return parameters.clone();
    }

    /** The optimiser's arrays, made in {@code manager}. */
    public NDList optimizerState(NDManager manager) {
        return NDList.decode(manager, optimizerState);
    }

    /**
     * Puts the saved weights into {@code block} (built from the same spec), replacing and freeing
     * its current arrays.
     *
     * @throws IllegalStateException naming the network the checkpoint needs, when the weights do not
     *     fit {@code block}; a {@link ResidualNetwork} is checked for its input channels and classes
     *     first, since DJL would load a mismatched stem into a block that is not initialised yet and
     *     fail only at the first forward pass
     */
    public void loadInto(Block block, NDManager manager) {
        if (block instanceof ResidualNetwork net
                && (net.spec().inputChannels() != info.inputShape()[0] || net.spec().classes() != info.classes())) {
            throw new IllegalStateException(String.format("the weights in %s do not fit this model: they are for %d input"
                    + " channel(s) and %d classes, the network has %d and %d; build the model the checkpoint names: %s"
                    + " with input %s and %d classes", file, info.inputShape()[0], info.classes(), net.spec().inputChannels(),
                    net.spec().classes(), info.modelName(), Arrays.toString(info.inputShape()), info.classes()));
        }
        try {
            loadParameters(block, manager, parameters);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw new IllegalStateException("the weights in " + file + " do not fit this model (" + e.getMessage()
                    + "); build the model the checkpoint names: " + info.modelName() + " with input "
                    + Arrays.toString(info.inputShape()) + " and " + info.classes() + " classes", e);
        }
    }

    /** Every parameter of {@code block} as bytes. */
    static byte[] saveParameters(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new IllegalStateException("could not serialise the parameters: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Loads parameters saved by {@link #saveParameters(Block)}, closing the arrays they replace. */
    static void loadParameters(Block block, NDManager manager, byte[] bytes) throws IOException, MalformedModelException {
        List<NDArray> old = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().isInitialized()) {
                old.add(p.getValue().getArray());
            }
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            block.loadParameters(manager, in);
        }
        old.forEach(NDArray::close);
    }

    /** Writes a checkpoint of {@code block} atomically. */
    public static void write(Path file, Info info, Block block, NDList optimizerState) throws IOException {
        write(file, info, saveParameters(block), optimizerState.encode());
    }

    static void write(Path file, Info info, byte[] parameters, byte[] optimizerState) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(parameters.length + optimizerState.length + 65536);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            writeBlock(out, GSON.toJson(info).getBytes(StandardCharsets.UTF_8));
            writeBlock(out, parameters);
            writeBlock(out, optimizerState);
        }
        writeAtomically(file, bytes.toByteArray());
    }

    private static void writeBlock(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBlock(DataInputStream in, String what) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            throw new IOException(what + " has a negative length");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * Reads a checkpoint.
     *
     * @throws IOException naming the file when it is missing or not a complete checkpoint
     */
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint at " + file + " (a run writes " + LAST + " and " + BEST
                    + " into its --out folder)");
        }
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            String magic;
            try {
                magic = in.readUTF();
            } catch (IOException e) {
                magic = "";
            }
            if (!MAGIC.equals(magic)) {
                throw new IOException(file + " is not a checkpoint of this library (it does not start with '" + MAGIC + "')");
            }
            Info info = GSON.fromJson(new String(readBlock(in, "the header"), StandardCharsets.UTF_8), Info.class);
            if (info == null || info.modelName() == null || info.inputShape() == null || info.mean() == null) {
                throw new IOException(file + " has an incomplete header");
            }
            byte[] parameters = readBlock(in, "the parameters");
            byte[] optimizer = readBlock(in, "the optimizer state");
            return new Checkpoint(file, info, parameters, optimizer);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: the checkpoint ends early", e);
        } catch (JsonParseException e) {
            throw new IOException(file + " has a corrupt header: " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code bytes} in one move: the bytes go to a temporary file in the
     * same folder, are forced to disk, and the temporary file is renamed over {@code file}.
     */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, file.getFileName().toString() + ".", ".tmp");
        try {
            if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                // a temporary file is private (rw-------); the result is an ordinary file that others may read
                Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
