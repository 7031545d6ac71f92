package resnet.data;

import java.util.Arrays;

/**
 * Per-channel standardisation {@code (pixel / 255 − mean[c]) / std[c]}, with mean and standard
 * deviation measured on the training part only (the validation and test images must not leak into
 * what the network is fed). Centred inputs of unit scale keep the first layer's outputs in the range
 * its initialisation assumes.
 *
 * @param mean per channel, in [0, 1] units
 * @param std per channel, positive
 */
public record Normalization(float[] mean, float[] std) {

    /**
     * ImageNet's RGB mean and std, which every torchvision ImageNet weight was trained with: images
     * for pretrained weights must be normalised with these, not with their own statistics.
     */
    public static final Normalization IMAGENET =
            new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});

    public Normalization {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("every std must be positive, got " + Arrays.toString(std));
            }
        }
    }

    /** Mean and standard deviation of each channel over every pixel of {@code set}. */
    public static Normalization of(ImageSet set) {
        int c = set.channels();
        int plane = set.height() * set.width();
        double[] sum = new double[c];
        double[] squares = new double[c];
        byte[] pixels = set.pixelArray();
        for (int i = 0; i < set.size(); i++) {
            for (int ch = 0; ch < c; ch++) {
                int start = (i * c + ch) * plane;
                long s = 0;
                long q = 0;
                for (int k = start; k < start + plane; k++) {
                    int v = pixels[k] & 0xFF;
                    s += v;
                    q += (long) v * v;
                }
                sum[ch] += s;
                squares[ch] += q;
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double count = (double) set.size() * plane;
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / count;
            double variance = Math.max(squares[ch] / count - m * m, 0);
            mean[ch] = (float) (m / 255);
            std[ch] = (float) Math.max(Math.sqrt(variance) / 255, 1e-6);
        }
        return new Normalization(mean, std);
    }

    /** Mean 0 and std 1: pixels only scaled to [0, 1]. */
    public static Normalization none(int channels) {
        float[] ones = new float[channels];
        Arrays.fill(ones, 1f);
        return new Normalization(new float[channels], ones);
    }

    public int channels() {
        return mean.length;
    }

    /** Converts one channels-first image of bytes into {@code dst} from {@code dstOffset}. */
    /**
     * Like {@link #apply}, but writes the image pixel by pixel, its channels side by side (height,
     * width, channels): the order of a channels-last batch ({@link BatchLoader}).
     */
    public void applyChannelsLast(byte[] src, int srcOffset, int h, int w, float[] dst, int dstOffset) {
        int plane = h * w;
        int c = mean.length;
        for (int ch = 0; ch < c; ch++) {
            float scale = 1f / (255f * std[ch]);
            float shift = mean[ch] / std[ch];
            int s = srcOffset + ch * plane;
            for (int k = 0; k < plane; k++) {
                dst[dstOffset + k * c + ch] = (src[s + k] & 0xFF) * scale - shift;
            }
        }
    }

    public void apply(byte[] src, int srcOffset, int h, int w, float[] dst, int dstOffset) {
        int plane = h * w;
        for (int ch = 0; ch < mean.length; ch++) {
            float scale = 1f / (255f * std[ch]);
            float shift = mean[ch] / std[ch];
            int s = srcOffset + ch * plane;
            int d = dstOffset + ch * plane;
            for (int k = 0; k < plane; k++) {
                dst[d + k] = (src[s + k] & 0xFF) * scale - shift;
            }
        }
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
