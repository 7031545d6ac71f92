package resnet.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The IDX format of MNIST and Fashion-MNIST: a big-endian magic number (0, 0, type 0x08 for unsigned
 * bytes, number of dimensions), one 32-bit size per dimension, then the bytes. Files may be gzipped.
 */
final class Idx {

    /** The sizes and bytes of one IDX file. */
    record Contents(int[] dims, byte[] data) {}

    private Idx() {}

    /**
     * Reads an IDX file of unsigned bytes with {@code expectedDims} dimensions.
     *
     * @param howToGet appended to every error: how to get a good copy of the file
     */
    static Contents read(Path file, int expectedDims, String howToGet) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetException("missing file " + file + "; " + howToGet);
        }
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz")
                        ? new GZIPInputStream(new BufferedInputStream(raw), 1 << 16)
                        : new BufferedInputStream(raw);
                DataInputStream data = new DataInputStream(in)) {
            int magic = data.readInt();
            int type = (magic >>> 8) & 0xFF;
            int dims = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != 0x08 || dims != expectedDims) {
                throw corrupt(file, String.format(
                        "magic number 0x%08X is not an IDX file of unsigned bytes with %d dimensions (expected 0x%08X)",
                        magic, expectedDims, 0x0800 | expectedDims), howToGet);
            }
            int[] sizes = new int[dims];
            long total = 1;
            for (int d = 0; d < dims; d++) {
                sizes[d] = data.readInt();
                if (sizes[d] <= 0) {
                    throw corrupt(file, "dimension " + d + " has size " + sizes[d], howToGet);
                }
                total *= sizes[d];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "sizes multiply to " + total + " bytes, more than an array holds", howToGet);
            }
            byte[] bytes = new byte[(int) total];
            data.readFully(bytes);
            if (data.read() != -1) {
                throw corrupt(file, "more bytes than the header's " + total, howToGet);
            }
            return new Contents(sizes, bytes);
        } catch (EOFException e) {
            throw corrupt(file, "the file ends early (truncated download?)", howToGet);
        } catch (ZipException e) {
            throw corrupt(file, "not a valid gzip file (" + e.getMessage() + ")", howToGet);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage() + "; " + howToGet, e);
        }
    }

    private static DatasetException corrupt(Path file, String what, String howToGet) {
        return new DatasetException("corrupt file " + file + ": " + what + "; " + howToGet);
    }
}
