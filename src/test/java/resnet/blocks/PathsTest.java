package resnet.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class PathsTest {

    private static Op times(float factor) {
        return new Op("x" + factor, x -> x.mul(factor), shape -> shape);
    }

    private static NDArray run(Paths paths, NDManager manager, NDArray x) {
        paths.initialize(manager, DataType.FLOAT32, x.getShape());
        return paths.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    @Test
    void summedPathsAddTheirOutputs() {
        Paths paths = new Paths(Paths.Merge.SUM).add("0", times(1)).add("1", times(2)).add("2", times(-0.5f));
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(8f).reshape(1, 2, 2, 2);
            assertArrayEquals(x.mul(2.5f).toFloatArray(), run(paths, manager, x).toFloatArray(), 1e-6f);
        }
        assertEquals(new Shape(1, 2, 2, 2), paths.getOutputShapes(new Shape[] {new Shape(1, 2, 2, 2)})[0]);
        assertEquals("3 paths, summed", paths.toString());
    }

    @Test
    void concatenatedPathsStackTheirChannelsInOrder() {
        Paths paths = new Paths(Paths.Merge.CONCAT)
                .add("a", Layers.conv1x1(2, 3, 1)).add("b", times(10));
        Shape in = new Shape(1, 2, 4, 4);
        assertEquals(new Shape(1, 5, 4, 4), paths.getOutputShapes(new Shape[] {in})[0]);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(in);
            NDArray y = run(paths, manager, x);
            assertEquals(new Shape(1, 5, 4, 4), y.getShape());
            assertArrayEquals(x.mul(10).toFloatArray(), y.get(":, 3:5").toFloatArray(), 1e-6f);
        }
    }

    @Test
    void pathsThatDoNotFitTogetherAreRejectedNamingThePath() {
        Paths summed = new Paths(Paths.Merge.SUM).add("0", times(1)).add("wide", Layers.conv1x1(2, 4, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> summed.getOutputShapes(new Shape[] {new Shape(1, 2, 4, 4)}));
        assertEquals("path 'wide' puts out (1, 4, 4, 4), the first path (1, 2, 4, 4): paths that are summed must agree"
                + " in every axis", e.getMessage());
        Paths concatenated = new Paths(Paths.Merge.CONCAT).add("0", times(1)).add("strided", Layers.conv1x1(2, 2, 2));
        e = assertThrows(IllegalArgumentException.class,
                () -> concatenated.getOutputShapes(new Shape[] {new Shape(1, 2, 4, 4)}));
        assertTrue(e.getMessage().contains("every axis but the channels"), e.getMessage());
    }

    @Test
    void namesAreCheckedAndLookedUp() {
        Paths paths = new Paths(Paths.Merge.SUM).add("0", times(1));
        assertThrows(IllegalArgumentException.class, () -> paths.add("0", times(2)));
        assertThrows(IllegalArgumentException.class, () -> paths.add("a_b", times(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> paths.get("7"));
        assertEquals("no path named '7'; paths: [0]", e.getMessage());
        IllegalStateException empty = assertThrows(IllegalStateException.class,
                () -> new Paths(Paths.Merge.SUM).getOutputShapes(new Shape[] {new Shape(1, 2, 4, 4)}));
        assertTrue(empty.getMessage().startsWith("no paths yet"), empty.getMessage());
    }
}
