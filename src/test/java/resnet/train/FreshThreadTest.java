package resnet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import resnet.GradientMode;
import resnet.TestData;
import resnet.data.ImageSet;
import resnet.data.Normalization;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/**
 * PyTorch's gradient mode belongs to a thread and starts on in every new one; DJL turns it off only on
 * the thread that loads the engine. A notebook kernel runs each cell on a pooled thread, and a new one
 * whenever none is idle (a reader who paused a minute, or a cell sent before the last one's thread was
 * back): the library's steps must train there as on the thread that loaded the engine.
 */
class FreshThreadTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(3);

    /** Runs the body on a new thread, as a kernel's pool does, and rethrows what it threw. */
    private static void onNewThread(Runnable body) throws Throwable {
        Engine.getInstance(); // loaded here, on the test's own thread
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "fresh");
        thread.start();
        thread.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    @Test
    void aNewThreadStartsWithGradientsOnWhichIsWhyTheStepMustTurnThemOff() throws Throwable {
        boolean[] mode = new boolean[1];
        onNewThread(() -> mode[0] = GradientMode.recording());
        assertTrue(mode[0], "PyTorch's default on a new thread; if this changes, the guard is moot");
    }

    @Test
    void aTrainingStepOnANewThreadUpdatesTheWeights() throws Throwable {
        onNewThread(() -> {
            Engine.getInstance().setRandomSeed(5);
            try (Model model = Model.newInstance("tiny");
                    NDManager manager = NDManager.newBaseManager()) {
                model.setBlock(ResNet.build(TINY));
                try (TrainingStep step = TrainingStep.open(model, OptimizerSettings.sgd(0.9, 5e-4, true),
                        new Shape(1, 8, 8))) {
                    float before = model.getBlock().getParameters().valueAt(0).getArray().toFloatArray()[0];
                    NDArray images = manager.randomNormal(new Shape(6, 1, 8, 8));
                    NDArray labels = manager.create(new long[] {0, 1, 2, 0, 1, 2});
                    TrainingStep.Result result = step.run(images, labels, 0.1);
                    assertTrue(result.finite());
                    float after = model.getBlock().getParameters().valueAt(0).getArray().toFloatArray()[0];
                    assertNotEquals(before, after, "the step updated the first convolution");
                    assertFalse(GradientMode.recording(), "and left recording off on this thread");
                }
            }
        });
    }

    @Test
    void anEvaluationOnANewThreadRecordsNoGraphAndGivesTheSameAnswer() throws Throwable {
        ImageSet set = TestData.random(12, 1, 8, 3);
        Normalization normalization = Normalization.of(set);
        Engine.getInstance().setRandomSeed(7);
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY.withClasses(set.classes().size())));
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 8, 8));
            Evaluation here = Evaluation.of(model, set, normalization, 5);
            Evaluation[] there = new Evaluation[1];
            boolean[] recording = new boolean[1];
            onNewThread(() -> {
                there[0] = Evaluation.of(model, set, normalization, 5);
                recording[0] = GradientMode.recording();
            });
            assertFalse(recording[0], "the evaluation turned recording off on its thread");
            assertArrayEquals(here.predictions(), there[0].predictions());
            assertEquals(here.loss(), there[0].loss(), 1e-6);
        }
    }
}
