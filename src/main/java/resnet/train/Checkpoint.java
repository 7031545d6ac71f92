package resnet.train;

import resnet.AtomicFile;

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
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 * <p>Every read checks the whole file against a SHA-256 checksum written when it was saved, so a
 * damaged checkpoint (a flipped bit on disk, a partial copy, a file edited by hand) is refused with
 * an error that names it; it never loads as weights that merely look plausible.
 *
 * <p>Layout: the magic {@value #MAGIC}; the length of the content (8 bytes) and its SHA-256 (32
 * bytes); then the content: a JSON header ({@link Info}), the block's parameters as {@code
 * Block.saveParameters} writes them, and the optimiser's arrays as an encoded {@code NDList}, each
 * behind its length. Files of the first layout ({@value #MAGIC_V1}, no checksum) are refused with a
 * message that says so: they cannot be verified.
 */
public final class Checkpoint {

    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";
    public static final String HISTORY = "history.csv";
    static final String MAGIC = "resnet-java checkpoint v2";
    static final String MAGIC_V1 = "resnet-java checkpoint v1";
    private static final String DIGEST = "SHA-256";
    private static final int DIGEST_BYTES = 32;

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
     *     fail only at the first forward pass; and when the weights hold NaN or infinity (a run that
     *     diverged): such a network predicts nothing, and evaluating or resuming it would only hide that
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
        String bad = nonFiniteWeights(block);
        if (bad != null) {
            throw new IllegalStateException("the weights in " + file + " hold NaN or infinite values (" + bad
                    + "): the run that wrote it had diverged, so it can be neither evaluated nor resumed;"
                    + " train again, with a lower learning rate");
        }
    }

    /**
     * Where {@code block}'s weights stop being finite: {@code "layer1.0.conv1_weight: 12 of 2304
     * values"} for the first parameter that holds NaN or infinity, or null when all are finite (or
     * not yet made). Copies each parameter to the Java heap once, so it makes no engine array.
     */
    public static String nonFiniteWeights(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter parameter = p.getValue();
            if (!parameter.isInitialized()) {
                continue;
            }
            NDArray array = parameter.getArray();
            long bad = 0;
            long total;
            if (array.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64) {
                double[] values = array.toDoubleArray();
                total = values.length;
                for (double v : values) {
                    bad += Double.isFinite(v) ? 0 : 1;
                }
            } else if (array.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                float[] values = array.toFloatArray();
                total = values.length;
                for (float v : values) {
                    bad += Float.isFinite(v) ? 0 : 1;
                }
            } else {
                continue;
            }
            if (bad > 0) {
                return p.getKey() + ": " + bad + " of " + total + " values";
            }
        }
        return null;
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
        ByteArrayOutputStream content = new ByteArrayOutputStream(parameters.length + optimizerState.length + 65536);
        try (DataOutputStream out = new DataOutputStream(content)) {
            writeBlock(out, GSON.toJson(info).getBytes(StandardCharsets.UTF_8));
            writeBlock(out, parameters);
            writeBlock(out, optimizerState);
        }
        byte[] body = content.toByteArray();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            out.writeLong(body.length);
            out.write(digest().digest(body));
            out.write(body);
        }
        writeAtomically(file, bytes.toByteArray());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance(DIGEST);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(DIGEST + " is missing from this Java runtime", e);
        }
    }

    private static void writeBlock(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBlock(DataInputStream in, String what, long contentLength) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > contentLength) {
            throw new DamagedBlockException(what + " has an impossible length (" + length + " bytes)");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /**
     * Reads a checkpoint and verifies its checksum.
     *
     * @throws IOException naming the file when it is missing, not a checkpoint of this library,
     *     truncated, or damaged (its content does not match the checksum it was written with)
     */
    public static Checkpoint read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint at " + file + " (a run writes " + LAST + " and " + BEST
                    + " into its --out folder)");
        }
        long size = Files.size(file);
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                DataInputStream in = new DataInputStream(raw)) {
            String magic;
            try {
                magic = in.readUTF();
            } catch (IOException e) {
                magic = "";
            }
            if (MAGIC_V1.equals(magic)) {
                throw new IOException(file + " was written by an earlier version of this library, without a checksum,"
                        + " so it cannot be verified; train again to get a checkpoint of the current format");
            }
            if (!MAGIC.equals(magic)) {
                throw new IOException(file + " is not a checkpoint of this library, or its first bytes are damaged"
                        + " (it does not start with '" + MAGIC + "')");
            }
            long length = in.readLong();
            byte[] expected = new byte[DIGEST_BYTES];
            in.readFully(expected);
            long headerBytes = 2 + MAGIC.length() + 8 + DIGEST_BYTES;
            if (length != size - headerBytes) {
                throw new IOException(size - headerBytes < length
                        ? String.format("%s is truncated: the checkpoint ends early (%d of its %d bytes are there)",
                                file, size, length + headerBytes)
                        : String.format("%s is damaged: it is %d bytes long, its header says %d; the checkpoint cannot"
                                + " be trusted (use the other checkpoint of the run, or train again)", file, size,
                                length + headerBytes));
            }
            MessageDigest digest = digest();
            DataInputStream body = new DataInputStream(new DigestInputStream(in, digest));
            byte[] header;
            byte[] parameters;
            byte[] optimizer;
            try {
                header = readBlock(body, "the header", length);
                parameters = readBlock(body, "the parameters", length);
                optimizer = readBlock(body, "the optimizer state", length);
            } catch (EOFException e) {
                // the file has the length its header gives, so a part that runs past the end has a damaged length
                throw new DamagedBlockException("the lengths of its parts do not add up to its size");
            }
            if (!MessageDigest.isEqual(expected, digest.digest()) || in.read() != -1) {
                throw new IOException(file + " is damaged: its content does not match the " + DIGEST + " checksum"
                        + " written with it; the checkpoint cannot be trusted (use the other checkpoint of the run,"
                        + " or train again)");
            }
            Info info;
            try {
                info = GSON.fromJson(new String(header, StandardCharsets.UTF_8), Info.class);
            } catch (JsonParseException e) {
                throw new IOException(file + " has a corrupt header: " + e.getMessage(), e);
            }
            if (info == null || info.modelName() == null || info.inputShape() == null || info.mean() == null) {
                throw new IOException(file + " has an incomplete header");
            }
            return new Checkpoint(file, info, parameters, optimizer);
        } catch (EOFException e) {
            throw new IOException(file + " is truncated: the checkpoint ends early", e);
        } catch (DamagedBlockException e) {
            throw new IOException(file + " is damaged: " + e.getMessage() + "; the checkpoint cannot be trusted"
                    + " (use the other checkpoint of the run, or train again)", e);
        }
    }

    /** A block length that cannot be right: the checksum would fail too, but reading on would not get there. */
    private static final class DamagedBlockException extends IOException {
        private static final long serialVersionUID = 1L;

        DamagedBlockException(String message) {
            super(message);
        }
    }

    /** Replaces {@code file} with {@code bytes} in one move ({@link AtomicFile}). */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        AtomicFile.write(file, bytes);
    }
}
