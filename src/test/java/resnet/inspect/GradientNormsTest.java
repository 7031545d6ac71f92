package resnet.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.blocks.Layers;
import resnet.blocks.NamedSequence;
import resnet.blocks.Shortcut;
import resnet.models.ResNet;
import resnet.models.ResidualNetwork;
import tech.tablesaw.api.Table;

class GradientNormsTest {

    /** Half the sum of squared errors: its gradient with respect to a prediction is (prediction − label). */
    private static final Loss HALF_SQUARED_ERROR = new Loss("half squared error") {
        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.singletonOrThrow().sub(labels.singletonOrThrow()).square().sum().mul(0.5);
        }
    };

    @Test
    void linearLayerGradientEqualsTheClosedForm() {
        // y = X Wᵀ, loss ½‖y − t‖², so ∂loss/∂W = (X Wᵀ − t)ᵀ X
        double[][] x = {{1, 2}, {-1, 0.5}, {3, -2}};
        double[][] w = {{0.5, -1}, {2, 0.25}};
        double[][] t = {{1, 0}, {0, 1}, {-1, 2}};
        double[][] expected = new double[2][2];
        for (int n = 0; n < 3; n++) {
            for (int k = 0; k < 2; k++) {
                double error = w[k][0] * x[n][0] + w[k][1] * x[n][1] - t[n][k];
                expected[k][0] += error * x[n][0];
                expected[k][1] += error * x[n][1];
            }
        }
        double expectedNorm = Math.sqrt(expected[0][0] * expected[0][0] + expected[0][1] * expected[0][1]
                + expected[1][0] * expected[1][0] + expected[1][1] * expected[1][1]);
        Linear linear = Linear.builder().setUnits(2).optBias(false).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = manager.create(flatten(x), new Shape(3, 2));
            linear.initialize(manager, DataType.FLOAT32, input.getShape());
            linear.getParameters().get("weight").getArray().set(flatten(w));
            GradientNorms norms = GradientNorms.of(linear, new NDList(input),
                    new NDList(manager.create(flatten(t), new Shape(3, 2))), HALF_SQUARED_ERROR);
            assertEquals(1, norms.layers().size());
            GradientNorms.Layer layer = norms.layers().get(0);
            assertEquals(expectedNorm, layer.gradientNorm(), 1e-5 * expectedNorm);
            assertEquals(Math.sqrt(0.25 + 1 + 4 + 0.0625), layer.weightNorm(), 1e-6);
            assertEquals(1, layer.depth());
        }
    }

    @Test
    void anArrayThatIsBothInputAndLabelIsGivenBackOpen() {
        Linear linear = Linear.builder().setUnits(2).optBias(false).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
            linear.initialize(manager, DataType.FLOAT32, x.getShape());
            GradientNorms.of(linear, new NDList(x), new NDList(x), HALF_SQUARED_ERROR);
            assertSame(manager, x.getManager());
            assertArrayEquals(new float[] {1, 2, 3, 4}, x.toFloatArray());
        }
    }

    @Test
    void convolutionAndLinearGradientsMatchFiniteDifferences() {
        NamedSequence net = new NamedSequence()
                .add("conv", Layers.conv3x3(1, 2, 1))
                .add("bn", Layers.batchNorm())
                .add("relu", Layers.relu())
                .add("pool", Layers.globalAvgPool())
                .add("fc", Layers.linear(2, 3));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(11);
            Shape shape = new Shape(4, 1, 5, 5);
            net.initialize(manager, DataType.FLOAT64, shape); // float64, so that differences of losses are exact enough
            NDArray x = manager.randomNormal(0, 1, shape, DataType.FLOAT64);
            NDArray labels = manager.create(new int[] {0, 2, 1, 2});
            GradientNorms norms = GradientNorms.of(net, x, labels);
            assertEquals(List.of("conv", "fc"), norms.layers().stream().map(GradientNorms.Layer::name).toList());
            for (GradientNorms.Layer layer : norms.layers()) {
                Parameter weight = net.get(layer.name()).getParameters().get("weight");
                double numeric = finiteDifferenceNorm(net, weight.getArray(), x, labels, manager);
                assertEquals(numeric, layer.gradientNorm(), 1e-6 * numeric, layer.name());
            }
        }
    }

    /** The norm of ∂loss/∂weight by central differences, one weight at a time, in training mode. */
    private static double finiteDifferenceNorm(Block net, NDArray weight, NDArray x, NDArray labels, NDManager manager) {
        double h = 1e-6;
        double sum = 0;
        double[] values = weight.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            NDIndex at = at(weight.getShape(), i);
            weight.set(at, values[i] + h);
            double up = loss(net, x, labels, manager);
            weight.set(at, values[i] - h);
            double down = loss(net, x, labels, manager);
            weight.set(at, values[i]);
            double derivative = (up - down) / (2 * h);
            sum += derivative * derivative;
        }
        return Math.sqrt(sum);
    }

    private static NDIndex at(Shape shape, int flat) {
        long[] index = new long[shape.dimension()];
        for (int d = shape.dimension() - 1; d >= 0; d--) {
            index[d] = flat % shape.get(d);
            flat /= (int) shape.get(d);
        }
        return new NDIndex(index);
    }

    private static double loss(Block net, NDArray x, NDArray labels, NDManager manager) {
        try (NDManager step = manager.newSubManager()) {
            NDArray scores = net.forward(new ParameterStore(step, false), new NDList(x), true).singletonOrThrow();
            scores.attach(step);
            NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(scores));
            loss.attach(step);
            return loss.getDouble();
        }
    }

    @Test
    void aMeasurementLeavesWeightsStatisticsGradientsAndManagersAsTheyWere() {
        ResidualNetwork net = ResNet.build(ResNet.cifarSpec(8).withInputChannels(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(5);
            Shape shape = new Shape(4, 1, 8, 8);
            net.initialize(manager, DataType.FLOAT32, shape);
            NDArray x = manager.randomNormal(shape);
            NDArray labels = manager.create(new int[] {1, 0, 3, 9});
            GradientNorms clean = GradientNorms.of(net, x, labels);
            leaveGradientsAndMovedStatistics(net, manager.randomNormal(shape), labels);
            List<float[]> values = snapshot(net, false);
            List<float[]> gradients = snapshot(net, true);
            int arrays = manager.getManagedArrays().size();

            GradientNorms again = GradientNorms.of(net, x, labels);

            assertEquals(arrays, manager.getManagedArrays().size(), "arrays left in the caller's manager");
            assertSameArrays(values, snapshot(net, false));
            assertSameArrays(gradients, snapshot(net, true));
            // the earlier gradients were set aside during the measurement, not added to it
            for (int i = 0; i < clean.layers().size(); i++) {
                assertEquals(clean.layers().get(i).gradientNorm(), again.layers().get(i).gradientNorm(), 1e-6,
                        clean.layers().get(i).name());
            }
        }
    }

    /** A forward pass in training mode and a backward pass without a step, as a Trainer leaves them before step(). */
    private static void leaveGradientsAndMovedStatistics(Block net, NDArray x, NDArray labels) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray scores = net.forward(new ParameterStore(x.getManager(), false), new NDList(x), true).singletonOrThrow();
            collector.backward(Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(scores)));
        }
    }

    private static List<float[]> snapshot(Block net, boolean gradients) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray array = p.getValue().getArray();
            if (!gradients) {
                out.add(array.toFloatArray());
            } else if (array.hasGradient()) {
                try (NDArray gradient = array.getGradient()) {
                    out.add(gradient.toFloatArray());
                }
            }
        }
        return out;
    }

    private static void assertSameArrays(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "array " + i);
        }
    }

    @Test
    void layersAreNamedAndCountedAlongTheMainPathWithShortcutsBesideTheirBlock() {
        ResidualNetwork net = ResNet.build(ResNet.spec("resnet20").withInputChannels(1).withShortcut(Shortcut.PROJECTION));
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 1, 8, 8);
            net.initialize(manager, DataType.FLOAT32, shape);
            GradientNorms norms = GradientNorms.of(net, manager.randomNormal(shape), manager.create(new int[] {0, 1}));
            List<GradientNorms.Layer> main = norms.mainPath();
            assertEquals(20, main.size());
            for (int i = 0; i < main.size(); i++) {
                assertEquals(i + 1, main.get(i).depth(), main.get(i).name());
            }
            assertEquals("stem.conv", main.get(0).name());
            assertEquals("fc", main.get(19).name());
            assertEquals("linear", main.get(19).type());
            GradientNorms.Layer shortcut = norms.get("layer2.0.shortcut.conv");
            assertTrue(shortcut.shortcut());
            assertEquals("conv 1x1/2", shortcut.type());
            assertEquals(norms.get("layer2.0.conv1").depth(), shortcut.depth());
            assertEquals(22, norms.layers().size()); // two projections, at layer2.0 and layer3.0
            assertEquals(16L * 32, shortcut.weights());
            Table table = norms.table();
            assertEquals(22, table.rowCount());
            assertEquals("layer2.0.shortcut.conv", table.stringColumn("layer").get(norms.layers().indexOf(shortcut)));
            assertTrue(norms.toString().contains("layer2.0.shortcut.conv  conv 1x1/2    (8)"), norms.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> norms.get("layer9.0.conv1"));
            assertTrue(e.getMessage().contains("stem.conv"), e.getMessage());
        }
    }

    @Test
    void deepPlainNetworkSpreadsItsGradientsOverThousandsItsResidualTwinOverLittleMore() {
        // Measured on seeds 1..8 at this size: first / last convolution 2,200-12,600 for plain56, 9-14 for resnet56.
        double plain = firstOverLastConvolution("plain56");
        double residual = firstOverLastConvolution("resnet56");
        assertTrue(plain > 500, "plain56: first / last convolution gradient norm " + plain);
        assertTrue(residual < 50, "resnet56: first / last convolution gradient norm " + residual);
    }

    private static double firstOverLastConvolution(String model) {
        ResidualNetwork net = ResNet.build(ResNet.spec(model).withInputChannels(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(1);
            Shape shape = new Shape(4, 1, 8, 8);
            net.initialize(manager, DataType.FLOAT32, shape);
            NDArray x = manager.randomNormal(shape);
            List<GradientNorms.Layer> main = GradientNorms.of(net, x, manager.create(new int[] {3, 1, 4, 1})).mainPath();
            return main.get(0).gradientNorm() / main.get(main.size() - 2).gradientNorm();
        }
    }

    @Test
    void frozenLayersHaveNoGradientToMeasure() {
        ResidualNetwork net = ResNet.build(ResNet.cifarSpec(8).withInputChannels(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 1, 8, 8);
            net.freezeBackbone(true);
            net.initialize(manager, DataType.FLOAT32, shape);
            GradientNorms norms = GradientNorms.of(net, manager.randomNormal(shape), manager.create(new int[] {0, 1}));
            assertTrue(Double.isNaN(norms.get("stem.conv").gradientNorm()));
            assertTrue(norms.get("fc").gradientNorm() > 0);
        }
    }

    @Test
    void badInputIsRejectedWithWhatWasExpected() {
        ResidualNetwork net = ResNet.build(ResNet.cifarSpec(8).withInputChannels(1));
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 1, 8, 8);
            NDArray x = manager.randomNormal(shape);
            IllegalStateException uninitialised = assertThrows(IllegalStateException.class,
                    () -> GradientNorms.of(net, x, manager.create(new int[] {0, 1})));
            assertTrue(uninitialised.getMessage().contains("initialise the block first"), uninitialised.getMessage());
            net.initialize(manager, DataType.FLOAT32, shape);
            IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                    () -> GradientNorms.of(net, x, manager.create(new int[] {0, 1, 2})));
            assertEquals("the batch has 2 examples (input (2, 1, 8, 8)) but 3 labels (labels (3)):"
                    + " give one label per example", mismatch.getMessage());
            IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
                    () -> GradientNorms.of(Layers.relu(), x, manager.create(new int[] {0, 1})));
            assertTrue(nothing.getMessage().startsWith("no weighted layer"), nothing.getMessage());
        }
    }

    private static float[] flatten(double[][] rows) {
        float[] out = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[0].length; j++) {
                out[i * rows[0].length + j] = (float) rows[i][j];
            }
        }
        return out;
    }
}
