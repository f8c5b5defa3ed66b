package dev.whittle.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @AfterEach
    void restore() {
        Parallel.reset();
        assertTrue(!Parallel.limited());
    }

    @Test
    void eachReturnsEveryResultInOrder() {
        List<Integer> out = Parallel.each(1000, i -> i * i);
        assertEquals(IntStream.range(0, 1000).map(i -> i * i).boxed().toList(), out);
        assertEquals(List.of(), Parallel.each(0, i -> i));
    }

    @Test
    void aBudgetOfOneRunsEverythingOnTheCaller() {
        assertEquals(1, Parallel.limit(1));
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        Parallel.each(200, i -> used.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), used);
        Set<Thread> mapped = ConcurrentHashMap.newKeySet();
        Parallel.map(64L << 20, 0, (s, e) -> mapped.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), mapped, "map may not split beyond the budget");
    }

    @Test
    void noMoreThreadsThanTheBudgetWork() throws Exception {
        int budget = Parallel.limit(2);
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        Parallel.each(400, i -> {
            used.add(Thread.currentThread());
            busy(20_000);
            return i;
        });
        assertTrue(used.size() <= budget, used.toString());
        assertEquals(Math.min(2, Parallel.cores()), Parallel.threads());
        assertEquals(1, Parallel.limit(-3), "clamped to at least one");
        assertEquals(Parallel.cores(), Parallel.limit(10_000), "clamped to the cores");
    }

    @Test
    void aFailureReachesTheCallerAndStopsTheRest() {
        Set<Integer> done = ConcurrentHashMap.newKeySet();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.each(10_000, i -> {
            if (i == 5) {
                throw new IllegalStateException("item 5");
            }
            done.add(i);
            return i;
        }));
        assertEquals("item 5", e.getMessage());
        assertTrue(done.size() < 10_000 - 1, "items after the failure were skipped: " + done.size());
    }

    @Test
    void slowItemsOnHelperThreadsAreWaitedFor() {
        Parallel.limit(2);
        for (int round = 0; round < 50; round++) {
            List<Integer> out = Parallel.each(3, i -> {
                if (i > 0) {
                    busy(200_000);
                }
                return i;
            });
            assertEquals(List.of(0, 1, 2), out);
        }
    }

    @Test
    void eachInsideMapDoesNotDeadlockWhenThePoolIsBusy() {
        List<Integer> sums = Parallel.map(8L << 20, 0, (s, e) -> Parallel.each(50, i -> i).stream()
                .mapToInt(Integer::intValue).sum());
        sums.forEach(x -> assertEquals(1225, x));
    }

    private static void busy(long nanos) {
        long t = System.nanoTime();
        while (System.nanoTime() - t < nanos) {
            Thread.onSpinWait();
        }
    }
}
