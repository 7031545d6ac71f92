package resnet.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The three files a state dict comes in, told apart by their first bytes rather than their names
 * (a {@code .bin} or a renamed download is read all the same):
 *
 * <ul>
 *   <li>{@link #PYTORCH}: {@code torch.save}'s zip archive ({@code .pth}, {@code .pt}), what
 *       torchvision's download URLs serve;
 *   <li>{@link #SAFETENSORS}: an 8-byte header length, a JSON header of names, types, shapes and
 *       offsets, then the raw values (Hugging Face hub, timm); read by DJL's {@code NDList.decode}
 *       after this class has checked the header against the file's length;
 *   <li>{@link #NPZ}: numpy's zip of {@code .npy} files, read by DJL as well.
 * </ul>
 */
public enum WeightsFormat {
    PYTORCH(".pth", ".pt"),
    SAFETENSORS(".safetensors"),
    NPZ(".npz");

    private static final Gson GSON = new Gson();

    private final String[] extensions;

    WeightsFormat(String... extensions) {
        this.extensions = extensions;
    }

    /** The file name endings this format is written for: {@code .pth .pt}, {@code .safetensors}, {@code .npz}. */
    public String[] extensions() {
        return extensions.clone();
    }

    /**
     * The format of an existing file, from its first bytes.
     *
     * @throws IOException naming the file and the formats it could be when it is none of them
     */
    public static WeightsFormat detect(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no weights file at " + file);
        }
        byte[] head = new byte[9];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(head, 0, head.length);
        }
        if (read >= 4 && head[0] == 'P' && head[1] == 'K') {
            return zipKind(file);
        }
        if (read == 9 && head[8] == '{') {
            return SAFETENSORS;
        }
        if (read >= 1 && (head[0] & 0xFF) == 0x80) {
            throw new IOException(file + " is a pickle, not a zip archive: PyTorch's legacy format (torch.save before"
                    + " PyTorch 1.6, or with _use_new_zipfile_serialization=False), which this reader does not read;"
                    + " load it in PyTorch and save it again with torch.save(model.state_dict(), 'weights.pth')");
        }
        throw new IOException(file + " is not a weights file: expected PyTorch's .pth/.pt (a zip archive with"
                + " data.pkl), .safetensors (an 8-byte length, then a JSON header) or numpy's .npz; it starts with "
                + printable(head, read));
    }

    /**
     * The format to write for a file name, from its ending.
     *
     * @throws IllegalArgumentException listing the endings there are
     */
    public static WeightsFormat forName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (WeightsFormat format : values()) {
            for (String extension : format.extensions) {
                if (name.endsWith(extension)) {
                    return format;
                }
            }
        }
        throw new IllegalArgumentException("cannot tell the weights format of '" + file.getFileName() + "': name it "
                + Arrays.stream(values()).flatMap(f -> Arrays.stream(f.extensions)).collect(Collectors.joining(", ")));
    }

    /** PyTorch's archive holds a data.pkl, numpy's only .npy files. */
    private static WeightsFormat zipKind(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean npy = false;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (name.equals("data.pkl") || name.endsWith("/data.pkl")) {
                    return PYTORCH;
                }
                npy |= name.endsWith(".npy");
            }
            if (!npy) {
                throw new IOException(file + " is a zip archive but not a weights file: it has neither PyTorch's"
                        + " data.pkl nor numpy's .npy entries");
            }
            return NPZ;
        } catch (ZipException e) {
            throw new IOException(file + " is not a complete zip archive (" + e.getMessage() + "): a weights file that"
                    + " was cut short, for example by an interrupted download or copy", e);
        }
    }

    private static String printable(byte[] head, int length) {
        StringBuilder text = new StringBuilder("'");
        for (int i = 0; i < length; i++) {
            int c = head[i] & 0xFF;
            text.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return text.append('\'').toString();
    }

    /** The named tensors of {@code file}, in the file's order. */
    Map<String, Object> read(Path file) throws IOException {
        switch (this) {
            case PYTORCH -> {
                Object root = TorchArchive.read(file);
                if (!(root instanceof Map<?, ?> map)) {
                    throw new IOException(file + " holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                            + ", not a state dict (a dictionary of tensors): save model.state_dict(), not the model");
                }
                Map<String, Object> named = new LinkedHashMap<>();
                map.forEach((k, v) -> named.put(String.valueOf(k), v));
                return named;
            }
            case SAFETENSORS -> {
                byte[] bytes = Files.readAllBytes(file);
                checkSafetensors(file, bytes);
                return decode(file, bytes);
            }
            default -> {
                try (ZipFile zip = new ZipFile(file.toFile())) {
                    // opening checks the central directory, which a cut-short file lacks; DJL reads the
                    // entries as a stream and would not notice
                    zip.size();
                } catch (ZipException e) {
                    throw new IOException(file + " is not a complete zip archive (" + e.getMessage() + "): an .npz"
                            + " that was cut short", e);
                }
                return decode(file, Files.readAllBytes(file));
            }
        }
    }

    private static Map<String, Object> decode(Path file, byte[] bytes) throws IOException {
        Map<String, Object> named = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList list;
            try {
                list = NDList.decode(manager, bytes);
            } catch (RuntimeException e) {
                throw new IOException(file + " could not be decoded as " + (bytes[0] == 'P' ? ".npz" : ".safetensors")
                        + " (" + e.getMessage() + ")", e);
            }
            for (NDArray array : list) {
                String name = array.getName();
                if (name == null) {
                    throw new IOException(file + " holds an array without a name; weights need their names");
                }
                float[] values = array.getDataType() == DataType.FLOAT32 ? array.toFloatArray()
                        : array.toType(DataType.FLOAT32, false).toFloatArray();
                named.put(name, new Tensor(array.getShape().getShape(), values,
                        array.getDataType().toString().toLowerCase(Locale.ROOT)));
            }
        }
        return named;
    }

    /** A safetensors header must be JSON and every tensor's offsets must lie inside the file. */
    private static void checkSafetensors(Path file, byte[] bytes) throws IOException {
        if (bytes.length < 8) {
            throw new IOException(file + " is truncated: a safetensors file starts with an 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > bytes.length - 8) {
            throw new IOException(String.format("%s is truncated or not a safetensors file: its header is said to be %d"
                    + " bytes long, the file has %d bytes after the length", file, headerLength, bytes.length - 8));
        }
        JsonObject header;
        try {
            header = GSON.fromJson(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8), JsonObject.class);
        } catch (JsonParseException | ClassCastException e) {
            throw new IOException(file + " has a damaged safetensors header (" + e.getMessage() + ")", e);
        }
        long data = bytes.length - 8 - headerLength;
        long end = 0;
        for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
            if (entry.getKey().equals("__metadata__")) {
                continue;
            }
            try {
                end = Math.max(end, entry.getValue().getAsJsonObject().getAsJsonArray("data_offsets").get(1).getAsLong());
            } catch (RuntimeException e) {
                throw new IOException(file + ": tensor '" + entry.getKey() + "' has no data_offsets in the header", e);
            }
        }
        if (end > data) {
            throw new IOException(String.format("%s is truncated: its header places tensor data up to byte %d, the file"
                    + " holds %d bytes of data", file, end, data));
        }
    }

    /** Writes float32 {@code tensors} in this format. */
    void write(OutputStream out, Map<String, Tensor> tensors) throws IOException {
        switch (this) {
            case PYTORCH -> TorchArchive.write(out, tensors);
            case SAFETENSORS -> writeSafetensors(out, tensors);
            default -> {
                try (NDManager manager = NDManager.newBaseManager()) {
                    NDList list = new NDList();
                    for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
                        NDArray array = manager.create(t.getValue().values(), new ai.djl.ndarray.types.Shape(t.getValue().shape()));
                        array.setName(t.getKey());
                        list.add(array);
                    }
                    list.encode(out, NDList.Encoding.NPZ);
                }
            }
        }
    }

    /**
     * The safetensors layout, written here rather than by DJL so that the header carries Hugging
     * Face's {@code {"__metadata__": {"format": "pt"}}}, which {@code transformers} checks for.
     */
    private static void writeSafetensors(OutputStream out, Map<String, Tensor> tensors) throws IOException {
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        header.add("__metadata__", metadata);
        long offset = 0;
        for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            entry.add("shape", GSON.toJsonTree(t.getValue().shape()));
            long end = offset + 4L * t.getValue().values().length;
            entry.add("data_offsets", GSON.toJsonTree(new long[] {offset, end}));
            header.add(t.getKey(), entry);
            offset = end;
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        // spaces after the JSON start the data 8-byte aligned, as the reference writer pads it
        byte[] headerBytes = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(headerBytes, json.length, headerBytes.length, (byte) ' ');
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
        out.write(length.array());
        out.write(headerBytes);
        for (Tensor t : tensors.values()) {
            float[] values = t.values();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            out.write(bytes.array());
        }
    }
}
