package dev.whittle.cli;

import dev.whittle.core.job.ProgressSink;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second. Shown only when both
 * stdout and stderr are a terminal ({@link System#console()}), so piped output stays clean.
 */
final class ProgressBar implements ProgressSink {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private long last;
    private boolean drawn;

    private ProgressBar(PrintStream out) {
        this.out = out;
    }

    /** A bar on a terminal, {@link ProgressSink#NONE} otherwise. */
    static ProgressSink forTerminal() {
        return System.console() != null ? new ProgressBar(System.err) : ProgressSink.NONE;
    }

    @Override
    public synchronized void update(long done, long total, String stage) {
        long now = System.nanoTime();
        if (drawn && now - last < 100_000_000L && done != total) {
            return;
        }
        last = now;
        drawn = true;
        String line;
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(1.0, done / (double) total));
            line = String.format(Locale.ROOT, "%-24.24s [%s%s] %d/%d", stage, "#".repeat(filled), ".".repeat(WIDTH - filled),
                    done, total);
        } else {
            line = String.format(Locale.ROOT, "%-24.24s %d", stage, done);
        }
        out.print("\r" + line + "\u001b[K");
        out.flush();
    }

    /** Clears the bar's line. */
    static void clear(ProgressSink sink) {
        if (sink instanceof ProgressBar b) {
            synchronized (b) {
                if (b.drawn) {
                    b.out.print("\r\u001b[K");
                    b.out.flush();
                }
            }
        }
    }
}
