package dev.whittle.ui;

import javafx.animation.AnimationTimer;

/**
 * At most one instant-tier preview per frame: a drag can deliver several mouse events between
 * two pulses, and only the last one's figures can be seen. {@link #request} keeps the latest
 * action and the next pulse runs it; {@link #flush} runs a pending one now (before a commit).
 * {@link #immediate()} runs at once: view-model tests have no pulses.
 */
interface Coalesce {
    void request(Runnable action);

    void flush();

    static Coalesce immediate() {
        return new Coalesce() {
            @Override
            public void request(Runnable action) {
                action.run();
            }

            @Override
            public void flush() {
            }
        };
    }

    static Coalesce perPulse() {
        return new Coalesce() {
            private Runnable pending;
            private final AnimationTimer timer = new AnimationTimer() {
                @Override
                public void handle(long now) {
                    stop();
                    flush();
                }
            };

            @Override
            public void request(Runnable action) {
                pending = action;
                timer.start();
            }

            @Override
            public void flush() {
                Runnable r = pending;
                pending = null;
                if (r != null) {
                    r.run();
                }
            }
        };
    }
}
