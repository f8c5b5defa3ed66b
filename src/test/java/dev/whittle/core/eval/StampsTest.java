package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hand-written ids and times read exactly as the JDK's UUID and Instant write them. */
class StampsTest {
    @Test
    void uuidTextIsWhatUuidToStringWritesForAnyBits() {
        Random r = new Random(5);
        long[] edges = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL};
        for (long hi : edges) {
            for (long lo : edges) {
                assertEquals(new UUID(hi, lo).toString(), Stamps.uuid(hi, lo));
            }
        }
        for (int i = 0; i < 10_000; i++) {
            long hi = r.nextLong();
            long lo = r.nextLong();
            assertEquals(new UUID(hi, lo).toString(), Stamps.uuid(hi, lo));
        }
    }

    @Test
    void idsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Stamps.id();
            UUID u = UUID.fromString(id);
            assertEquals(4, u.version(), id);
            assertEquals(2, u.variant(), id);
            assertEquals(u.toString(), id);
            assertTrue(seen.add(id), "repeated id " + id);
        }
    }

    @Test
    void timeTextIsWhatInstantWritesAtMillisecondPrecision() {
        long[] edges = {0, 1, 999, 1000, -1, -1000, -86_400_000L,
                951_782_400_000L, // 2000-02-29T00:00:00Z, a leap day of a year divisible by 400
                4_107_542_400_000L, // 2100-03-01T00:00:00Z, after a century year that is not leap
                253_402_300_799_999L, // 9999-12-31T23:59:59.999Z, the last year written as four digits
                253_402_300_800_000L, // +10000-01-01T00:00:00Z, which Instant writes with a sign
                -30_610_224_000_001L, // 0999-12-31T23:59:59.999Z, padded by Instant
                Long.MAX_VALUE / 1000};
        for (long ms : edges) {
            assertEquals(Instant.ofEpochMilli(ms).toString(), Stamps.iso(ms), "ms " + ms);
        }
        Random r = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long ms = (long) (r.nextDouble() * 1.3e13) - 1_000_000_000_000L; // 1938 .. 2380
            if (i % 3 == 0) {
                ms -= Math.floorMod(ms, 1000); // whole seconds, written without a fraction
            }
            assertEquals(Instant.ofEpochMilli(ms).toString(), Stamps.iso(ms), "ms " + ms);
        }
        String now = Stamps.now();
        Instant parsed = Instant.parse(now);
        assertEquals(parsed.truncatedTo(ChronoUnit.MILLIS), parsed);
        assertTrue(Math.abs(parsed.toEpochMilli() - System.currentTimeMillis()) < 60_000, now);
    }
}
