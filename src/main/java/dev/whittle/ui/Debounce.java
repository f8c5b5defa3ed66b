package dev.whittle.ui;

import javafx.animation.PauseTransition;
import javafx.util.Duration;

/**
 * Runs an action once a burst of calls has paused for a while (the exact tier waits ~250 ms
 * after the last slider event). {@link #immediate()} runs at once: for view-model tests, which
 * have no FX toolkit to time anything.
 */
interface Debounce {
    void call(Runnable action);

    static Debounce immediate() {
        return Runnable::run;
    }

    static Debounce fx(double millis) {
        PauseTransition pause = new PauseTransition(Duration.millis(millis));
        return action -> {
            pause.setOnFinished(e -> action.run());
            pause.playFromStart();
        };
    }
}
