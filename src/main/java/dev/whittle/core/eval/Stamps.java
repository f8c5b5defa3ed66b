package dev.whittle.core.eval;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Ids and times for results, written by hand. They are made once per evaluation, where the JIT
 * has usually not compiled the library calls yet: measured on the 2,000-sample MLP benchmark,
 * UUID.randomUUID() (a /dev/urandom read per call) took about 15 µs and
 * Instant.now().truncatedTo(MILLIS).toString() about 40 µs per evaluation, together about 1 % of
 * the evaluation. The output is character for character the same as those calls'.
 */
final class Stamps {
    // Seeded once from the system's secure source: ids from different JVMs differ in the seed,
    // and one generator does not repeat a value within its period of 2^64.
    private static final SplittableRandom RANDOM = new SplittableRandom(new SecureRandom().nextLong());
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

    private Stamps() {
    }

    /** A random (version 4, IETF variant) UUID in the form UUID.toString() writes. */
    static String id() {
        long hi;
        long lo;
        synchronized (RANDOM) {
            hi = RANDOM.nextLong();
            lo = RANDOM.nextLong();
        }
        return uuid((hi & ~0xF000L) | 0x4000L, (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
    }

    /** {@code new UUID(hi, lo).toString()}. */
    static String uuid(long hi, long lo) {
        byte[] b = new byte[36];
        hex(b, 0, hi >>> 32, 8);
        b[8] = '-';
        hex(b, 9, hi >>> 16, 4);
        b[13] = '-';
        hex(b, 14, hi, 4);
        b[18] = '-';
        hex(b, 19, lo >>> 48, 4);
        b[23] = '-';
        hex(b, 24, lo, 12);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void hex(byte[] b, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            b[at + i] = HEX[(int) (v & 15)];
            v >>>= 4;
        }
    }

    /** Now in UTC to the millisecond, as Instant.now().truncatedTo(MILLIS).toString() writes it. */
    static String now() {
        return iso(System.currentTimeMillis());
    }

    /**
     * {@code Instant.ofEpochMilli(ms).toString()}: 2025-01-31T12:00:00.123Z, without the fraction
     * when it is zero.
     */
    static String iso(long ms) {
        long days = Math.floorDiv(ms, 86_400_000L);
        int msOfDay = (int) Math.floorMod(ms, 86_400_000L);
        // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        if (year < 1000 || year > 9999) {
            return Instant.ofEpochMilli(ms).toString(); // Instant writes these years padded or signed
        }
        int milli = msOfDay % 1000;
        byte[] b = new byte[milli == 0 ? 20 : 24];
        digits(b, 0, year, 4);
        b[4] = '-';
        digits(b, 5, month, 2);
        b[7] = '-';
        digits(b, 8, day, 2);
        b[10] = 'T';
        digits(b, 11, msOfDay / 3_600_000, 2);
        b[13] = ':';
        digits(b, 14, msOfDay / 60_000 % 60, 2);
        b[16] = ':';
        digits(b, 17, msOfDay / 1000 % 60, 2);
        if (milli != 0) {
            b[19] = '.';
            digits(b, 20, milli, 3);
        }
        b[b.length - 1] = 'Z';
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static void digits(byte[] b, int at, long v, int n) {
        for (int i = n - 1; i >= 0; i--) {
            b[at + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }
}
