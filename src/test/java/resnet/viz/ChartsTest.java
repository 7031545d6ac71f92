package resnet.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.data.ImageSet;
import resnet.train.EpochRecord;
import resnet.train.History;
import resnet.train.Schedule;
import resnet.train.Spread;

class ChartsTest {

    private static History history() {
        History h = new History();
        for (int e = 1; e <= 4; e++) {
            h.add(new EpochRecord(e, 1.0 / e, 0.5 + 0.1 * e, 1.2 / e, 0.45 + 0.1 * e, 0.1, 10, 100));
        }
        return h;
    }

    @Test
    void compareDrawsOneLinePerRunInTwoPanels() {
        Map<String, History> runs = new java.util.LinkedHashMap<>();
        runs.put("step", history());
        runs.put("cosine", history());
        runs.put("not run", new History());
        BufferedImage image = Charts.compare(runs, "schedules");
        assertEquals(1040, image.getWidth(), "loss and validation accuracy side by side");
    }

    @Test
    void curvesAndLearningRateRenderAndSaveAsPng(@TempDir Path dir) throws Exception {
        BufferedImage curves = Charts.curves(history(), "test");
        assertEquals(1040, curves.getWidth(), "two panels side by side");
        Charts.save(curves, dir.resolve("curves.png"));
        assertTrue(Files.size(dir.resolve("curves.png")) > 1000);
        assertTrue(Charts.learningRate(history()).getWidth() > 0);
        assertTrue(Charts.schedules(Map.of("step", Schedule.step(0.1, 2, 0.1)), 4, 10).getHeight() > 0);
        assertTrue(Charts.curves(new History()).getWidth() > 0, "an empty history draws empty axes (the live chart's start)");
    }

    @Test
    void imageGridFramesWrongPredictionsInRed() {
        ImageSet set = TestData.random(4, 1, 28, 1);
        int[] indices = {0, 1, 2, 3};
        int[] predicted = {set.label(0), (set.label(1) + 1) % 10, set.label(2), set.label(3)};
        BufferedImage grid = Charts.imageGrid(set, indices, predicted, 2);
        int scale = 96 / 28;
        int cellW = Math.max(28 * scale, 110) + 10;
        int x0 = cellW + (cellW - 28 * scale) / 2; // image 1: first row, second column
        java.awt.Color frame = new java.awt.Color(grid.getRGB(x0 - 2, 5 + 10));
        assertTrue(frame.getRed() > 200 && frame.getGreen() < 80, "red frame on the wrong one: " + frame);
        java.awt.Color noFrame = new java.awt.Color(grid.getRGB((cellW - 28 * scale) / 2 - 2, 5 + 10));
        assertEquals(java.awt.Color.WHITE, noFrame, "no frame on a right one");
        assertThrows(IllegalArgumentException.class, () -> Charts.imageGrid(set, indices, new int[] {1}, 2));
    }

    @Test
    void confusionMatrixShadesTheDiagonalByItsShare() {
        List<String> classes = new ArrayList<>(List.of("a", "b"));
        BufferedImage image = Charts.confusionMatrix(new int[][] {{9, 1}, {5, 5}}, classes);
        int left = 110;
        int top = 40;
        java.awt.Color strong = new java.awt.Color(image.getRGB(left + 3, top + 3));
        java.awt.Color half = new java.awt.Color(image.getRGB(left + 52 + 52 + 3 - 52, top + 52 + 3 + 0));
        assertNotEquals(strong, half);
        assertTrue(strong.getRed() < half.getRed(), "90% is darker than 50%");
        assertThrows(IllegalArgumentException.class, () -> Charts.confusionMatrix(new int[][] {{1, 2}}, classes));
    }

    @Test
    void errorBarsDrawOneSeriesPerSetupAndRefuseAMissingPoint() {
        Map<String, List<Spread>> series = new java.util.LinkedHashMap<>();
        series.put("plain", List.of(Spread.of(0.1, 0.12, 0.11), Spread.of(0.2, 0.25, 0.22)));
        series.put("residual", List.of(Spread.of(0.08, 0.09, 0.1), Spread.of(Double.NaN)));
        BufferedImage image = Charts.errorBars("depth", "layers", "training error (%)", List.of(20, 56), series, 100);
        assertEquals(520, image.getWidth());
        series.put("short", List.of(Spread.of(0.1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.errorBars("depth", "layers", "error", List.of(20, 56), series, 1));
        assertTrue(e.getMessage().contains("'short' has 1 points for 2 x values"), e.getMessage());
    }
}
