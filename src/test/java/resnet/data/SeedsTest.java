package resnet.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SeedsTest {

    @Test
    void permutationHoldsEveryIndexOnceAndDependsOnTheSeedOnly() {
        int[] order = Seeds.permutation(1000, Seeds.mix(42, Seeds.ORDER));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        assertArrayEquals(IntStream.range(0, 1000).toArray(), sorted);
        assertArrayEquals(order, Seeds.permutation(1000, Seeds.mix(42, Seeds.ORDER)));
        assertFalse(Arrays.equals(order, Seeds.permutation(1000, Seeds.mix(43, Seeds.ORDER))));
        assertFalse(Arrays.equals(order, sorted), "1000 indices left in order by a shuffle");
    }

    @Test
    void theEpochOrderIsThePermutationOfItsSeed() {
        assertArrayEquals(Seeds.permutation(50, Seeds.mix(7, 3, Seeds.ORDER)), BatchLoader.order(50, true, 7, 3));
        assertArrayEquals(IntStream.range(0, 50).toArray(), BatchLoader.order(50, false, 7, 3));
    }
}
