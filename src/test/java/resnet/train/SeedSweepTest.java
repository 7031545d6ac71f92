package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import resnet.TestData;
import resnet.data.Augmentation;
import resnet.data.ImageSet;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** Sweeps of a two-stage ResNet of widths 4 and 8 on 8x8 images that are bright or dark. */
class SeedSweepTest {

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static final TrainingData DATA =
            TrainingData.split(TestData.brightness(48, 1, 8, 1), 0.25, 3, new Augmentation(0, true));

    private static final FitConfig CONFIG = FitConfig.of(2, Schedule.oneCycle(0.05, 2, 0.5)).withBatchSize(16);

    @Test
    void spreadIsTheMeanSampleStandardDeviationAndRangeOfTheFiniteValues() {
        Spread s = Spread.of(0.1, 0.2, 0.6, Double.NaN, Double.POSITIVE_INFINITY);
        assertEquals(3, s.n(), "a diverged seed (NaN, infinity) is not counted");
        assertEquals(0.3, s.mean(), 1e-15);
        // deviations -0.2, -0.1, 0.3: squares sum to 0.14, over n - 1 = 2
        assertEquals(Math.sqrt(0.07), s.sd(), 1e-15);
        assertEquals(0.1, s.min(), 0);
        assertEquals(0.6, s.max(), 0);
        assertEquals("30.00 ± 26.46%", s.percent());
        assertEquals("10.0..60.0", s.range("%.1f", 100));
        assertEquals("0.300 ± 0.265", s.format("%.3f", 1));

        assertEquals(0, Spread.of(0.25).sd(), 0, "one value has no spread");
        Spread none = Spread.of(Double.NaN);
        assertEquals(0, none.n());
        assertTrue(Double.isNaN(none.mean()));
        assertEquals("n/a", none.percent());
        assertEquals(Spread.of(1, 2, 3), Spread.of(List.of(1.0, 2.0, 3.0)));
    }

    @Test
    void separatedOnlyWhenTheRangesDoNotOverlap() {
        Spread low = Spread.of(0.10, 0.12, 0.11);
        Spread high = Spread.of(0.13, 0.15, 0.20);
        Spread overlapping = Spread.of(0.115, 0.30, 0.25);
        assertTrue(low.separatedFrom(high) && high.separatedFrom(low));
        assertFalse(low.separatedFrom(overlapping));
        assertFalse(high.separatedFrom(overlapping));
        assertFalse(low.separatedFrom(Spread.of(Double.NaN)), "nothing to compare with");
    }

    @Test
    void aSeedGivesTheSameRunTwiceAndDifferentSeedsGiveDifferentRuns() {
        ImageSet test = TestData.brightness(20, 1, 8, 9);
        List<Long> seeds = List.of(5L, 6L, 5L + 0);
        assertThrows(IllegalArgumentException.class,
                () -> SeedSweep.run("tiny", () -> ResNet.build(TINY), DATA, CONFIG, test, seeds));

        SeedSweep first = SeedSweep.run("tiny", () -> ResNet.build(TINY), DATA, CONFIG, test, List.of(5L, 6L));
        SeedSweep again = SeedSweep.run("tiny", () -> ResNet.build(TINY), DATA, CONFIG, test, List.of(5L));
        assertEquals(List.of(5L, 6L), first.seeds());
        assertEquals("tiny seed 5", first.trials().get(0).name());
        assertEquals(first.trials().get(0).history().epochs().get(1).trainLoss(),
                again.trials().get(0).history().epochs().get(1).trainLoss(), 0, "the same seed, bit for bit");
        assertEquals(first.trials().get(0).trainLoss(), again.trials().get(0).trainLoss(), 0);
        assertNotEquals(first.trials().get(0).history().epochs().get(0).trainLoss(),
                first.trials().get(1).history().epochs().get(0).trainLoss(), "another seed, another run");

        Spread train = first.trainError();
        assertEquals(2, train.n());
        assertEquals((first.trials().get(0).trainError() + first.trials().get(1).trainError()) / 2, train.mean(), 1e-15);
        assertEquals(2, first.testError().n());
        assertEquals(0, first.diverged());

        String table = SeedSweep.table(List.of(first, again));
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table);
        assertTrue(lines.get(0).startsWith("network") && lines.get(0).contains("test error"), table);
        assertTrue(lines.get(2).startsWith("tiny") && lines.get(2).contains(train.percent()), table);
        assertTrue(lines.stream().allMatch(l -> l.length() <= 110), table);
    }

    @Test
    void refusesAnEmptyOrNonPositiveSeedList() {
        assertThrows(IllegalArgumentException.class,
                () -> SeedSweep.run("tiny", () -> ResNet.build(TINY), DATA, CONFIG, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> SeedSweep.seeds(0));
        assertEquals(List.of(1L, 2L, 3L), SeedSweep.seeds(3));
    }
}
