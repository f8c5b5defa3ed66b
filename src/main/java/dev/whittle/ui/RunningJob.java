package dev.whittle.ui;

import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** A job the window has started and that has not returned yet: what the status bar lists. */
public final class RunningJob {
    private final String title;
    private final Runnable cancel;
    final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", -1);
    final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private volatile boolean cancelRequested;

    RunningJob(String title, Runnable cancel) {
        this.title = title;
        this.cancel = cancel;
    }

    public String title() {
        return title;
    }

    /** Asks the job to stop; it leaves the list when it has returned. */
    public void cancel() {
        cancelRequested = true;
        cancel.run();
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** 0..1, or -1 while the amount of work is unknown. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** The job's current stage ("writing", "spectrum", ...). */
    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }
}
