package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.data.Augmentation;
import resnet.data.ImageSet;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** Trials of a two-stage ResNet of widths 4 and 8 on 8x8 images that are bright or dark. */
class TrialTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static TrainingData data() {
        return TrainingData.split(TestData.brightness(48, 1, 8, 1), 0.0, 3, Augmentation.NONE);
    }

    private static FitConfig config(int epochs) {
        return FitConfig.of(epochs, Schedule.oneCycle(0.05, epochs, 0.5)).withBatchSize(16).withSeed(11);
    }

    @Test
    void evaluatesTheFinalWeightsOnEveryTrainingAndTestImage() {
        ImageSet test = TestData.brightness(20, 1, 8, 9);
        List<Integer> epochsSeen = new ArrayList<>();
        Trial trial = Trial.run("tiny", ResNet.build(TINY), data(), config(3), test, (r, h) -> epochsSeen.add(r.epoch()));
        assertFalse(trial.diverged());
        assertEquals(List.of(1, 2, 3), epochsSeen, "the caller's listener hears every epoch");
        assertEquals(3, trial.history().size());
        assertEquals(48, trial.train().predictions().length);
        assertEquals(20, trial.test().predictions().length);
        assertEquals(1 - trial.train().accuracy(), trial.trainError(), 1e-12);
        assertTrue(trial.trainError() < 0.1 && trial.testError() < 0.1, trial.outcome() + ", test " + trial.testError());
        assertEquals(trial.history().last().trainLoss(), trial.runningLoss(), 0);
        assertTrue(trial.outcome().startsWith("training loss "), trial.outcome());
    }

    @Test
    void aLossThatBlowsUpIsRecordedWithItsEpochAndBatchInsteadOfThrown() {
        boolean[] poison = {false};
        SequentialBlock net = new SequentialBlock().add(ResNet.build(TINY))
                .add(new LambdaBlock(list -> new NDList(poison[0] ? list.head().mul(Float.NaN) : list.head()), "poison"));
        Trial trial = Trial.run("poisoned", net, data(), config(3), null, (record, history) -> poison[0] = true);
        assertTrue(trial.diverged());
        assertEquals("diverged at epoch 2, batch 1", trial.outcome());
        assertEquals(1, trial.history().size(), "the epoch before the blow-up is kept");
        assertNull(trial.train());
        assertTrue(Double.isNaN(trial.trainError()) && Double.isNaN(trial.testError()));

        Trial fine = Trial.run("tiny", ResNet.build(TINY), data(), config(1), null);
        String table = Trial.table(List.of(fine, trial));
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table); // header, rule, two trials
        assertTrue(lines.get(3).startsWith("poisoned") && lines.get(3).contains("diverged at epoch 2, batch 1"), table);
        assertTrue(lines.get(2).startsWith("tiny") && lines.get(2).contains("%"), table);
    }
}
