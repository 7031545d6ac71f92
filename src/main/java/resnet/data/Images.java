package resnet.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Image files to the bytes a network is fed: decoded with {@code javax.imageio} (JPEG, PNG, BMP,
 * GIF, TIFF), made RGB, resized so that the shorter side is {@code resize} pixels and cropped to the
 * central {@code size x size} square: torchvision's evaluation transform {@code Resize(256),
 * CenterCrop(224)}, which is what ImageNet weights expect.
 *
 * <p>Shrinking goes by halves before the last bilinear step, so that a photograph several times the
 * target size is averaged rather than sampled (a single bilinear step reads only 4 source pixels for
 * each output pixel and aliases).
 */
public final class Images {

    /** torchvision's ratio of the resize to the crop for ImageNet evaluation: 256 / 224. */
    public static final double RESIZE_RATIO = 256.0 / 224.0;

    private Images() {}

    /**
     * Decodes {@code file} into an RGB image.
     *
     * @throws IOException naming the file when it cannot be read or is not an image javax.imageio decodes
     */
    public static BufferedImage read(Path file) throws IOException {
        BufferedImage image;
        try (InputStream in = Files.newInputStream(file)) {
            image = ImageIO.read(in);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " could not be decoded as an image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new IOException(file + " is not an image this reader decodes (JPEG, PNG, BMP, GIF, TIFF)");
        }
        return image;
    }

    /**
     * {@code image} resized (shorter side {@code resize}) and centre-cropped to {@code size x size},
     * as {@code 3 · size · size} bytes, channels first (R, G, B planes). Alpha is dropped, as PIL's
     * {@code convert("RGB")} drops it.
     */
    public static byte[] centreCrop(BufferedImage image, int size, int resize) {
        if (size <= 0 || resize < size) {
            throw new IllegalArgumentException("the crop must be positive and no larger than the resize, got crop "
                    + size + ", resize " + resize);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        double scale = (double) resize / Math.min(w, h);
        int newW = Math.max(size, (int) Math.round(w * scale));
        int newH = Math.max(size, (int) Math.round(h * scale));
        BufferedImage resized = resize(rgb(image), newW, newH);
        int x0 = (newW - size) / 2;
        int y0 = (newH - size) / 2;
        byte[] out = new byte[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int argb = resized.getRGB(x0 + x, y0 + y);
                int k = y * size + x;
                out[k] = (byte) (argb >> 16);
                out[plane + k] = (byte) (argb >> 8);
                out[2 * plane + k] = (byte) argb;
            }
        }
        return out;
    }

    /** Decodes and centre-crops one file: {@link #read} then {@link #centreCrop}. */
    public static byte[] load(Path file, int size, int resize) throws IOException {
        return centreCrop(read(file), size, resize);
    }

    /** The resize for a crop at torchvision's ratio: 256 for 224. */
    public static int resizeFor(int size) {
        return (int) Math.round(size * RESIZE_RATIO);
    }

    private static BufferedImage rgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                out.setRGB(x, y, image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return out;
    }

    private static BufferedImage resize(BufferedImage image, int w, int h) {
        BufferedImage current = image;
        while (current.getWidth() >= 2 * w && current.getHeight() >= 2 * h) {
            current = draw(current, current.getWidth() / 2, current.getHeight() / 2);
        }
        return current.getWidth() == w && current.getHeight() == h ? current : draw(current, w, h);
    }

    private static BufferedImage draw(BufferedImage image, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(image, 0, 0, w, h, null);
        g.dispose();
        return out;
    }
}
