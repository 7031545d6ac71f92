package resnet.weights;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.IObjectPickler;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Pickler;
import net.razorvine.pickle.Unpickler;

/**
 * PyTorch's own file format, what {@code torch.save} writes (since PyTorch 1.6) and torchvision's
 * download URLs serve: a zip archive with one folder, holding {@code data.pkl} (a pickle of the saved
 * object) and {@code data/0}, {@code data/1}, ... (the raw bytes of each storage).
 *
 * <p>The pickle never holds tensor values. A tensor is pickled as a call {@code
 * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}, and each storage as a
 * persistent id {@code ('storage', torch.FloatStorage, key, location, numel)} that names its file in
 * {@code data/}. So a tensor is read by finding the storage's bytes (little-endian unless the
 * archive's {@code byteorder} says otherwise) and walking them with the stride from the offset; a
 * transposed or sliced tensor then comes out right too.
 *
 * <p>The pickle is read by Razorvine's unpickler ({@code net.razorvine:pickle}), which builds Java
 * values and runs no Python: a global it does not know becomes a plain dictionary, never code. Writing
 * uses its pickler with the same three globals, so that {@code torch.load} reads the file back.
 */
final class TorchArchive {

    private static final Map<String, String> STORAGE_TYPES = Map.of(
            "FloatStorage", "float32", "DoubleStorage", "float64", "HalfStorage", "float16",
            "BFloat16Storage", "bfloat16", "LongStorage", "int64", "IntStorage", "int32", "ShortStorage", "int16",
            "CharStorage", "int8", "ByteStorage", "uint8", "BoolStorage", "bool");

    static {
        for (Map.Entry<String, String> type : STORAGE_TYPES.entrySet()) {
            Unpickler.registerConstructor("torch", type.getKey(), new StorageType(type.getValue()));
        }
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", TorchArchive::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", TorchArchive::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", args -> args[0]);
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new PickledDict());
        Pickler.registerCustomPickler(PickledDict.class, TorchArchive::pickleDict);
        Pickler.registerCustomPickler(SavedTensor.class, TorchArchive::pickleTensor);
        Pickler.registerCustomPickler(Global.class, TorchArchive::pickleGlobal);
    }

    private TorchArchive() {}

    /** A storage type global such as {@code torch.FloatStorage}: only its element type is used. */
    private record StorageType(String dtype) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("a storage type is only expected inside a persistent id");
        }
    }

    /** One storage's bytes. */
    private record Storage(String key, String dtype, ByteBuffer bytes, long numel) {
        float get(long index) {
            int i = (int) index;
            return switch (dtype) {
                case "float32" -> bytes.getFloat(i * 4);
                case "float64" -> (float) bytes.getDouble(i * 8);
                case "float16" -> halfToFloat(bytes.getShort(i * 2));
                case "bfloat16" -> Float.intBitsToFloat((bytes.getShort(i * 2) & 0xFFFF) << 16);
                case "int64" -> bytes.getLong(i * 8);
                case "int32" -> bytes.getInt(i * 4);
                case "int16" -> bytes.getShort(i * 2);
                case "int8" -> bytes.get(i);
                case "uint8", "bool" -> bytes.get(i) & 0xFF;
                default -> throw new IllegalStateException("unknown element type " + dtype);
            };
        }
    }

    /** An {@code OrderedDict}: a map that keeps its order. */
    static final class PickledDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    private static Tensor rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage storage)) {
            throw new PickleException("a tensor's rebuild call lacks its storage, offset, size and stride");
        }
        long offset = ((Number) args[1]).longValue();
        long[] size = longs(args[2]);
        long[] stride = longs(args[3]);
        if (size.length != stride.length) {
            throw new PickleException("a tensor has " + size.length + " sizes and " + stride.length + " strides");
        }
        long count = Tensor.elements(size);
        long last = offset;
        for (int d = 0; d < size.length; d++) {
            last += (size[d] - 1) * stride[d];
        }
        if (count > 0 && (offset < 0 || last >= storage.numel())) {
            throw new PickleException(String.format("a tensor of size %s (offset %d, stride %s) reaches past the %d"
                    + " values of storage %s", Tensor.shapeText(size), offset, Tensor.shapeText(stride),
                    storage.numel(), storage.key()));
        }
        if (count > Integer.MAX_VALUE) {
            throw new PickleException("a tensor of " + count + " values is too large for one Java array");
        }
        float[] values = new float[(int) count];
        long[] index = new long[size.length];
        long position = offset;
        for (int k = 0; k < count; k++) {
            values[k] = storage.get(position);
            for (int d = size.length - 1; d >= 0; d--) {
                index[d]++;
                position += stride[d];
                if (index[d] < size[d]) {
                    break;
                }
                position -= stride[d] * size[d];
                index[d] = 0;
            }
        }
        return new Tensor(size, values, storage.dtype());
    }

    private static long[] longs(Object tuple) {
        if (!(tuple instanceof Object[] items)) {
            throw new PickleException("expected a tuple of integers, got " + tuple);
        }
        long[] out = new long[items.length];
        for (int i = 0; i < items.length; i++) {
            out[i] = ((Number) items[i]).longValue();
        }
        return out;
    }

    /** IEEE half precision bits to a float. */
    static float halfToFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * The object {@code torch.save} pickled into {@code file}: maps stay maps, tensors become
     * {@link Tensor}s, other values what Razorvine makes of them.
     *
     * @throws IOException naming the file when it is not a complete archive of this format
     */
    static Object read(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements();) {
                String name = e.nextElement().getName();
                if (name.endsWith("data.pkl") && (name.equals("data.pkl") || name.endsWith("/data.pkl"))) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                    break;
                }
            }
            if (prefix == null) {
                throw new IOException(file + " is a zip archive but not a PyTorch file: it has no data.pkl");
            }
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
            if (byteorder != null) {
                String text = new String(readEntry(zip, byteorder, file), StandardCharsets.US_ASCII).trim();
                order = text.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            }
            ArchiveUnpickler unpickler = new ArchiveUnpickler(zip, prefix, order, file);
            try (InputStream pickle = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                return unpickler.load(pickle);
            } catch (PickleException | ClassCastException | IllegalArgumentException e) {
                throw new IOException(file + ": its data.pkl is not a PyTorch pickle this reader understands ("
                        + e.getMessage() + ")", e);
            } finally {
                unpickler.close();
            }
        } catch (ZipException e) {
            throw new IOException(file + " is not a complete zip archive (" + e.getMessage() + "): a PyTorch file"
                    + " that was cut short, for example by an interrupted download or copy", e);
        }
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw new IOException(file + ": entry " + entry.getName() + " is damaged or cut short (" + e.getMessage() + ")", e);
        }
    }

    /** Reads each storage's bytes from the archive when the pickle names it, and keeps the order of dictionaries. */
    private static final class ArchiveUnpickler extends Unpickler {
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;
        private final Path file;
        private final Map<String, Storage> storages = new HashMap<>();

        ArchiveUnpickler(ZipFile zip, String prefix, ByteOrder order, Path file) {
            this.zip = zip;
            this.prefix = prefix;
            this.order = order;
            this.file = file;
        }

        /**
         * A state dict's {@code OrderedDict} carries {@code _metadata} (each module's version) as its
         * pickled state; DJL's layers have one version only, so the state is dropped.
         */
        @Override
        protected Object dispatch(short key) throws IOException {
            if (key == SETITEMS) {
                // Razorvine gathers the items in a HashMap first, which loses the file's order
                List<Object> items = stack.pop_all_since_marker();
                @SuppressWarnings("unchecked")
                Map<Object, Object> dict = (Map<Object, Object>) stack.peek();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(items.get(i), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            if (key == BUILD && stack.size() >= 2) {
                Object state = stack.pop();
                if (stack.peek() instanceof PickledDict) {
                    return NO_RETURN_VALUE;
                }
                stack.add(state);
            }
            return super.dispatch(key);
        }

        @Override
        protected Object persistentLoad(Object pid) {
            if (!(pid instanceof Object[] id) || id.length < 5 || !"storage".equals(id[0])) {
                throw new PickleException("unknown persistent id " + describe(pid) + "; expected ('storage', type, key,"
                        + " location, numel)");
            }
            if (!(id[1] instanceof StorageType type)) {
                throw new PickleException("storage " + id[2] + " has a type this reader does not know; known: "
                        + String.join(", ", STORAGE_TYPES.keySet()));
            }
            String key = String.valueOf(id[2]);
            long numel = ((Number) id[4]).longValue();
            Storage known = storages.get(key);
            if (known != null) {
                return known;
            }
            ZipEntry entry = zip.getEntry(prefix + "data/" + key);
            if (entry == null) {
                throw new PickleException("the archive lacks " + prefix + "data/" + key + ", the bytes of storage " + key);
            }
            byte[] bytes;
            try {
                bytes = readEntry(zip, entry, file);
            } catch (IOException e) {
                throw new PickleException(e.getMessage());
            }
            long needed = numel * elementSize(type.dtype());
            if (bytes.length < needed) {
                throw new PickleException(String.format("storage %s holds %d bytes, its %d %s values need %d", key,
                        bytes.length, numel, type.dtype(), needed));
            }
            Storage storage = new Storage(key, type.dtype(), ByteBuffer.wrap(bytes).order(order), numel);
            storages.put(key, storage);
            return storage;
        }
    }

    private static String describe(Object pid) {
        return pid instanceof Object[] items ? java.util.Arrays.deepToString(items) : String.valueOf(pid);
    }

    private static int elementSize(String dtype) {
        return switch (dtype) {
            case "float64", "int64" -> 8;
            case "float32", "int32" -> 4;
            case "float16", "bfloat16", "int16" -> 2;
            default -> 1;
        };
    }

    // ---- writing ----

    /** A global reference, pickled as {@code GLOBAL module name}. */
    private record Global(String module, String name) {}

    /** A tensor to pickle: its storage key and shape (contiguous, offset 0). */
    private record SavedTensor(String key, long[] shape) {}

    private static final int BUILD = 'b';
    private static final int GLOBAL = 'c';
    private static final int REDUCE = 'R';
    private static final int MARK = '(';
    private static final int EMPTY_TUPLE = ')';
    private static final int SETITEMS = 'u';

    private static void pickleGlobal(Object o, OutputStream out, Pickler pickler) throws IOException {
        Global g = (Global) o;
        out.write(GLOBAL);
        out.write((g.module() + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void pickleDict(Object o, OutputStream out, Pickler pickler) throws IOException {
        pickleGlobal(new Global("collections", "OrderedDict"), out, pickler);
        out.write(EMPTY_TUPLE);
        out.write(REDUCE);
        Map<?, ?> items = (Map<?, ?>) o;
        if (!items.isEmpty()) {
            out.write(MARK);
            for (Map.Entry<?, ?> item : items.entrySet()) {
                pickler.save(item.getKey());
                pickler.save(item.getValue());
            }
            out.write(SETITEMS);
        }
    }

    private static void pickleTensor(Object o, OutputStream out, Pickler pickler) throws IOException {
        SavedTensor t = (SavedTensor) o;
        long[] stride = new long[t.shape().length];
        long step = 1;
        for (int d = stride.length - 1; d >= 0; d--) {
            stride[d] = step;
            step *= Math.max(t.shape()[d], 1);
        }
        pickleGlobal(new Global("torch._utils", "_rebuild_tensor_v2"), out, pickler);
        Object storage = new Object[] {"storage", new Global("torch", "FloatStorage"), t.key(), "cpu",
            Tensor.elements(t.shape())};
        pickler.save(new Object[] {new StorageId(storage), 0, boxed(t.shape()), boxed(stride), false, new PickledDict()});
        out.write(REDUCE);
    }

    /** Pickled by {@link TensorPickler#persistentId} as a persistent id, never as an object. */
    private record StorageId(Object id) {}

    private static Object[] boxed(long[] values) {
        Object[] out = new Object[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static final class TensorPickler extends Pickler {
        TensorPickler() {
            super(false);
        }

        @Override
        protected Object persistentId(Object obj) {
            return obj instanceof StorageId id ? id.id() : null;
        }
    }

    /**
     * Writes {@code tensors} as {@code torch.save(OrderedDict)} would: one float32 storage per tensor,
     * stored (not compressed), each storage's bytes aligned to 64 as PyTorch aligns them.
     */
    static void write(OutputStream target, Map<String, Tensor> tensors) throws IOException {
        PickledDict dict = new PickledDict();
        List<byte[]> storages = new ArrayList<>();
        for (Map.Entry<String, Tensor> t : tensors.entrySet()) {
            String key = String.valueOf(storages.size());
            dict.put(t.getKey(), new SavedTensor(key, t.getValue().shape()));
            float[] values = t.getValue().values();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            storages.add(bytes.array());
        }
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        new TensorPickler().dump(dict, pickle);
        CountingStream counted = new CountingStream(target);
        try (ZipOutputStream zip = new ZipOutputStream(counted)) {
            String folder = "archive/";
            addStored(zip, counted, folder + "data.pkl", pickle.toByteArray());
            addStored(zip, counted, folder + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < storages.size(); i++) {
                addStored(zip, counted, folder + "data/" + i, storages.get(i));
            }
            addStored(zip, counted, folder + "version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void addStored(ZipOutputStream zip, CountingStream counted, String name, byte[] bytes)
            throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.flush();
        // local header: 30 bytes, the name, then the extra field; pad it so the data starts at a multiple of 64
        long dataStart = counted.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
        int padding = (int) ((64 - dataStart % 64) % 64);
        byte[] extra = new byte[4 + padding];
        extra[0] = 'F';
        extra[1] = 'B';
        extra[2] = (byte) padding;
        extra[3] = (byte) (padding >>> 8);
        entry.setExtra(extra);
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
