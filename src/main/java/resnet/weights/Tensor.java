package resnet.weights;

import java.util.Arrays;

/**
 * One named array of a weights file, as float32 values in row-major (C) order, whatever type the
 * file stored it in (float16, bfloat16, float64 and integers are converted on reading).
 *
 * @param shape the dimensions; empty for a scalar
 * @param values {@code product(shape)} values
 * @param dtype the type the file stored, for messages (e.g. {@code float32}, {@code int64})
 */
public record Tensor(long[] shape, float[] values, String dtype) {

    public Tensor {
        shape = shape.clone();
        long count = elements(shape);
        if (count != values.length) {
            throw new IllegalArgumentException("a tensor of shape " + Arrays.toString(shape) + " holds " + count
                    + " values, got " + values.length);
        }
    }

    /** A float32 tensor. */
    public static Tensor of(long[] shape, float[] values) {
        return new Tensor(shape, values, "float32");
    }

    /** The number of values a tensor of {@code shape} holds. */
    public static long elements(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("a dimension cannot be negative: " + Arrays.toString(shape));
            }
            count *= d;
        }
        return count;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as PyTorch prints it: {@code (64, 3, 7, 7)}. */
    public String shapeText() {
        return shapeText(shape);
    }

    static String shapeText(long[] shape) {
        StringBuilder text = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            text.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return text.append(shape.length == 1 ? ",)" : ")").toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values)
                && dtype.equals(t.dtype);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return dtype + shapeText();
    }
}
