package resnet.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import resnet.TestData;
import resnet.data.Augmentation;
import resnet.data.TrainingData;
import resnet.models.ResNet;
import resnet.models.ResNetSpec;

/** The plan of a time budget (arithmetic on given times), and a fit that follows one. */
class TimeBudgetTest {

    private static final Instant T0 = Instant.parse("2026-12-02T00:00:00Z");

    @Test
    void plansTheEpochsThatFitAtTheAllowedPace() {
        // one epoch of 60 s took us to minute 1; 29 minutes are left at 60 * 1.2 = 72 s an epoch: 24 more
        TimeBudget budget = new TimeBudget(T0.plus(Duration.ofMinutes(30)), 1.2);
        TimeBudget.Plan plan = budget.plan(1, 1, Duration.ofSeconds(60), T0.plus(Duration.ofMinutes(1)), 100);
        assertEquals(25, plan.epochs());
        assertEquals(60, plan.perEpoch(), 1e-9);
        assertEquals(72, plan.allowed(), 1e-9);
        assertEquals(29 * 60, plan.left(), 1e-9);
        assertTrue(plan.fits());
        assertFalse(plan.capped());
        assertTrue(plan.describe(1).contains("25 epochs in all"), plan.describe(1));
    }

    @Test
    void aResumedRunMeasuresOnlyItsOwnEpochs() {
        // epochs 3 and 4 ran in this process (100 s): 50 s each, 10 min left at slack 1 -> 12 more
        TimeBudget budget = new TimeBudget(T0.plus(Duration.ofMinutes(10)), 1);
        assertEquals(16, budget.plan(4, 2, Duration.ofSeconds(100), T0, 100).epochs());
    }

    @Test
    void neverMoreThanTheMostNorFewerThanOneMore() {
        TimeBudget roomy = new TimeBudget(T0.plus(Duration.ofHours(10)), 1.15);
        TimeBudget.Plan capped = roomy.plan(1, 1, Duration.ofSeconds(60), T0, 40);
        assertEquals(40, capped.epochs());
        assertTrue(capped.capped() && capped.fits());
        assertTrue(capped.describe(1).contains("more would fit"), capped.describe(1));

        TimeBudget over = new TimeBudget(T0.minus(Duration.ofMinutes(1)), 1.15);
        TimeBudget.Plan late = over.plan(1, 1, Duration.ofSeconds(60), T0, 40);
        assertEquals(2, late.epochs(), "the anneal needs at least one epoch after the warm-up");
        assertFalse(late.fits());
        assertTrue(late.describe(1).contains("will end late"), late.describe(1));
    }

    @Test
    void aPlanIsCutOnlyWhenTheLatestEpochsNoLongerFit() {
        TimeBudget budget = new TimeBudget(T0.plus(Duration.ofMinutes(10)), 1.05);
        // 20 planned, 10 done; 4 epochs of 55 s lately: 10 more need 550 s, 600 s are left (and with the
        // slack, 57.75 s each, no more than those 10 fit: no extension either)
        assertNull(budget.revise(10, 4, Duration.ofSeconds(220), T0, 20, 60));
        // 4 epochs of 75 s lately: 600 s hold 8 more of them, so 18 in all instead of 20
        TimeBudget.Plan cut = budget.revise(10, 4, Duration.ofSeconds(300), T0, 20, 60);
        assertEquals(18, cut.epochs());
        assertEquals(75, cut.perEpoch(), 1e-9);
        assertEquals(75, cut.allowed(), 1e-9, "no slack on a cut: the latest epochs are the pace now");
        assertTrue(cut.cut() && cut.fits() && !cut.extended());
        assertEquals(20, cut.revisedFrom());
        assertTrue(cut.describe(10).contains("running late after epoch 10"), cut.describe(10));
        assertTrue(cut.describe(10).contains("18 epochs in all instead of 20"), cut.describe(10));
        // past the deadline: still the next epoch, so that the anneal ends; the log says it ends late
        TimeBudget.Plan late = budget.revise(10, 4, Duration.ofSeconds(300), T0.plus(Duration.ofMinutes(11)), 20, 60);
        assertEquals(11, late.epochs());
        assertFalse(late.fits());
        assertTrue(late.describe(10).contains("will end late"), late.describe(10));
        // nothing to cut once the last planned epoch is done; the plan itself is no cut
        assertNull(budget.revise(20, 4, Duration.ofSeconds(300), T0.plus(Duration.ofMinutes(11)), 20, 60));
        assertFalse(budget.plan(1, 1, Duration.ofSeconds(60), T0, 40).cut());
        assertThrows(IllegalArgumentException.class, () -> budget.revise(3, 4, Duration.ofSeconds(1), T0, 20, 60));
    }

    @Test
    void aPlanIsExtendedOnlyWhenTheLatestFourEpochsLeaveRoomForMore() {
        TimeBudget budget = new TimeBudget(T0.plus(Duration.ofMinutes(10)), 1.05);
        // 12 planned, 6 done; 4 epochs of 40 s lately: 600 s hold 14 more at 42 s, so 20 in all instead of 12
        TimeBudget.Plan extended = budget.revise(6, 4, Duration.ofSeconds(160), T0, 12, 60);
        assertEquals(20, extended.epochs());
        assertEquals(40, extended.perEpoch(), 1e-9);
        assertEquals(42, extended.allowed(), 1e-9, "an extension keeps the slack");
        assertTrue(extended.extended() && extended.fits() && !extended.cut() && !extended.capped());
        assertEquals(12, extended.revisedFrom());
        assertTrue(extended.describe(6).contains("ahead after epoch 6"), extended.describe(6));
        assertTrue(extended.describe(6).contains("20 epochs in all instead of 12"), extended.describe(6));
        // never past the run's most epochs
        TimeBudget.Plan capped = budget.revise(6, 4, Duration.ofSeconds(160), T0, 12, 15);
        assertEquals(15, capped.epochs());
        assertTrue(capped.capped() && capped.describe(6).contains("more would fit"), capped.describe(6));
        assertNull(budget.revise(6, 4, Duration.ofSeconds(160), T0, 15, 15), "already the most");
        // fewer than four epochs since the plan are too few to extend on (a cut needs only one)
        assertNull(budget.revise(6, 3, Duration.ofSeconds(120), T0, 12, 60));
        // at 100 s an epoch the 6 planned still fit (no cut), and only 5 fit with the slack (no extension)
        assertNull(budget.revise(6, 4, Duration.ofSeconds(400), T0, 12, 60));
    }

    @Test
    void badSlackOrPlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TimeBudget(T0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new TimeBudget(T0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new TimeBudget(T0, 1).plan(1, 0, Duration.ZERO, T0, 5));
    }

    private static final ResNetSpec TINY = ResNet.spec("resnet20")
            .withStages(List.of(1, 1), List.of(4, 8)).withInputChannels(1).withClasses(2);

    private static TrainingData data() {
        return TrainingData.split(TestData.brightness(48, 1, 8, 1), 0.25, 3, new Augmentation(1, true));
    }

    private static FitConfig config(int epochs) {
        return FitConfig.of(epochs, Schedule.oneCycle(0.05, epochs, 1)).withBatchSize(16).withSeed(11).withModelName("tiny");
    }

    private static History train(FitConfig config, TimeBudget budget, List<String> plans) throws IOException {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data(), config);
            if (budget != null) {
                fit.within(budget);
                fit.listen(new FitListener() {
                    @Override
                    public void onPlan(int epoch, TimeBudget.Plan plan) {
                        plans.add(epoch + ":" + plan.epochs());
                    }

                    @Override
                    public void onEpoch(EpochRecord record, History history) {}
                });
            }
            return fit.run();
        }
    }

    @Test
    void aPlannedRunIsTheRunOfThePlannedEpochs(@TempDir Path dir) throws IOException {
        // a deadline already passed plans the fewest epochs, 2 of the 6 allowed: the same run as --epochs 2
        List<String> plans = new ArrayList<>();
        FitConfig most = config(6).withCheckpoints(dir.resolve("planned"));
        History planned = train(most, new TimeBudget(Instant.now().minusSeconds(1), 1), plans);
        assertEquals(List.of("1:2"), plans);
        History two = train(config(2), null, new ArrayList<>());
        assertEquals(two.withoutTiming(), planned.withoutTiming());
        // the checkpoints carry the planned settings, so --epochs 2 can resume the planned run
        assertEquals(config(2).withCheckpoints(dir.resolve("planned")).settings(),
                Checkpoint.read(dir.resolve("planned").resolve(Checkpoint.LAST)).info().settings());

        // a far deadline keeps the most epochs: the same run as without a budget
        plans.clear();
        History roomy = train(config(3), new TimeBudget(Instant.now().plus(Duration.ofHours(1)), 1), plans);
        assertEquals(List.of("1:3"), plans);
        assertEquals(train(config(3), null, new ArrayList<>()).withoutTiming(), roomy.withoutTiming());
    }

    /** A clock that moves only when told to. */
    private static final class TestClock extends Clock {
        private Instant now = T0;

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** What a budgeted run on the test clock did: its plans, each epoch's rate, its history. */
    private record TimedRun(List<TimeBudget.Plan> plans, List<Double> rates, History history, String stopReason) {}

    /**
     * Trains the tiny network for at most {@code epochs} within a budget of {@code seconds} on a
     * clock that the epochs move by {@code epochMillis} (of the 1-based epoch) each.
     */
    private static TimedRun timedRun(int epochs, long seconds, java.util.function.IntToLongFunction epochMillis)
            throws IOException {
        return timedRun(config(epochs), seconds, epochMillis);
    }

    private static TimedRun timedRun(FitConfig config, long seconds, java.util.function.IntToLongFunction epochMillis)
            throws IOException {
        TestClock clock = new TestClock();
        List<TimeBudget.Plan> plans = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            Fit fit = new Fit(model, data(), config).clock(clock)
                    .within(new TimeBudget(T0.plusSeconds(seconds), 1));
            fit.listen(new FitListener() {
                @Override
                public void onBatch(BatchProgress progress) {
                    clock.advance(Duration.ofMillis(epochMillis.applyAsLong(progress.epoch()) / progress.batches()));
                }

                @Override
                public void onPlan(int epoch, TimeBudget.Plan plan) {
                    plans.add(plan);
                }

                @Override
                public void onEpoch(EpochRecord record, History h) {
                    rates.add(record.learningRate());
                }
            });
            History history = fit.run();
            return new TimedRun(plans, rates, history, fit.stopReason());
        }
    }

    @Test
    void aRunThatFallsBehindIsCutAndItsAnnealShortened() throws IOException {
        // 30 s an epoch for 3 epochs, then 120 s: the plan after epoch 1 (30 s an epoch, slack 1, 270 s
        // left) takes all 8 of the most; after epoch 4 (the 3 since the plan took 180 s, 60 s each) 90 s
        // are left, one more epoch: 5 in all
        TimedRun run = timedRun(8, 300, epoch -> epoch <= 3 ? 30_000 : 120_000);
        assertTrue(run.stopReason().contains("budget: 8, then 5 after epoch 4 as the epochs ran late"),
                run.stopReason());
        List<TimeBudget.Plan> plans = run.plans();
        List<Double> rates = run.rates();
        History history = run.history();
        assertEquals(2, plans.size(), plans.toString());
        assertEquals(8, plans.get(0).epochs());
        assertFalse(plans.get(0).cut());
        assertEquals(5, plans.get(1).epochs());
        assertEquals(8, plans.get(1).revisedFrom());
        assertEquals(5, history.size());
        // up to the cut the rates are those of an 8-epoch run, after it those of a 5-epoch anneal
        Schedule eight = Schedule.oneCycle(0.05, 8, 1);
        Schedule five = Schedule.oneCycle(0.05, 5, 1);
        for (int e = 1; e <= 4; e++) {
            assertEquals(eight.at(e - 1), rates.get(e - 1), 1e-12, "epoch " + e);
        }
        assertEquals(five.at(4), rates.get(4), 1e-12, "epoch 5");
    }

    @Test
    void aRunWhoseFirstEpochWasSlowIsExtendedAndItsAnnealLengthened() throws IOException {
        // 60 s for the first epoch, then 20 s: the plan after epoch 1 (60 s an epoch, slack 1, 540 s left)
        // makes 10; after epoch 5 the latest 4 took 20 s each and 460 s are left: 23 more, 28 in all
        TimedRun run = timedRun(30, 600, epoch -> epoch == 1 ? 60_000 : 20_000);
        assertTrue(run.stopReason().contains("budget: 10, then 28 after epoch 5 as the epochs ran faster"),
                run.stopReason());
        List<TimeBudget.Plan> plans = run.plans();
        List<Double> rates = run.rates();
        History history = run.history();
        assertEquals(2, plans.size(), plans.toString());
        assertEquals(10, plans.get(0).epochs());
        assertTrue(plans.get(1).extended());
        assertEquals(28, plans.get(1).epochs());
        assertEquals(10, plans.get(1).revisedFrom());
        assertEquals(28, history.size());
        // up to the extension the rates are those of a 10-epoch run, after it those of a 28-epoch anneal
        Schedule ten = Schedule.oneCycle(0.05, 10, 1);
        Schedule long28 = Schedule.oneCycle(0.05, 28, 1);
        for (int e = 1; e <= 5; e++) {
            assertEquals(ten.at(e - 1), rates.get(e - 1), 1e-12, "epoch " + e);
        }
        for (int e = 6; e <= 28; e++) {
            assertEquals(long28.at(e - 1), rates.get(e - 1), 1e-12, "epoch " + e);
        }
    }

    @Test
    void anAveragingRunKeepsTimeForItsBatchNormPassAndItsAveragedShareAtTheEnd() throws IOException {
        // 30 s an epoch, 300 s: a plain run plans 10 epochs (270 s left after epoch 1, 9 more); an
        // averaging one keeps 0.4 of an epoch (12 s) for the pass after its last, so 258 s hold 8 more
        FitConfig averaging = config(30).withSchedule(Schedule.swa(0.05, 30, 1, 0.25, 0.01));
        TimedRun plain = timedRun(30, 300, epoch -> 30_000);
        assertEquals(10, plain.history().size());
        TimedRun run = timedRun(averaging, 300, epoch -> 30_000);
        assertEquals(9, run.history().size(), run.stopReason());
        // the last quarter of the 9 (2 epochs) at the averaging rate, the anneal before it over epochs 2-7
        Schedule nine = Schedule.swa(0.05, 9, 1, 0.25, 0.01);
        for (int e = 1; e <= 9; e++) {
            assertEquals(nine.atEpoch(e), run.rates().get(e - 1), 1e-12, "epoch " + e);
        }
        assertEquals(0.01, run.rates().get(7), 0);
        assertTrue(0.01 < run.rates().get(6), "epoch 7 still anneals: " + run.rates());
    }

    @Test
    void schedulesWhoseStartDependsOnTheLengthAreRefused() {
        try (Model model = Model.newInstance("tiny")) {
            model.setBlock(ResNet.build(TINY));
            TimeBudget budget = new TimeBudget(Instant.now(), 1);
            IllegalArgumentException cosine = assertThrows(IllegalArgumentException.class,
                    () -> new Fit(model, data(), config(4).withSchedule(Schedule.cosine(0.05, 4))).within(budget));
            assertTrue(cosine.getMessage().contains("onecycle, constant"), cosine.getMessage());
            IllegalArgumentException warm = assertThrows(IllegalArgumentException.class,
                    () -> new Fit(model, data(), config(2).withSchedule(Schedule.oneCycle(0.05, 2, 1.5))).within(budget));
            assertTrue(warm.getMessage().contains("leaves no epoch"), warm.getMessage());
        }
    }
}
