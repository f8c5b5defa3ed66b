package dev.whittle.core.plan;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * Undo and redo over plans, UI-free. Every change is one entry holding the plan after it and a
 * label for the Edit menu ("Undo prune fc1"); a bulk edit over many layers is one {@link #edit}
 * and so one entry. A new edit clears the redo list. An edit that leaves the plan equal is not
 * recorded. Not thread-safe: use it from one thread (the UI thread).
 */
public final class PlanHistory {
    /** One recorded change: the plan after it and what it did. */
    public record Entry(Plan plan, String label) {
        public Entry {
            Objects.requireNonNull(plan, "plan");
            label = label == null ? "" : label;
        }
    }

    private final int limit;
    private final Deque<Entry> undo = new ArrayDeque<>();
    private final Deque<Entry> redo = new ArrayDeque<>();
    private Entry current;

    /** A history starting at {@code start}, keeping at most {@code limit} undo steps (oldest dropped). */
    public PlanHistory(Plan start, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.current = new Entry(start, "start");
    }

    /** A history of up to 1000 steps. */
    public PlanHistory(Plan start) {
        this(start, 1000);
    }

    public Plan current() {
        return current.plan();
    }

    /**
     * Records {@code next} as one step labelled {@code label}; returns whether it was recorded
     * (false when {@code next} equals the current plan).
     */
    public boolean edit(Plan next, String label) {
        Objects.requireNonNull(next, "next");
        if (next.equals(current.plan())) {
            return false;
        }
        undo.push(current);
        while (undo.size() > limit) {
            undo.removeLast();
        }
        redo.clear();
        current = new Entry(next, label);
        return true;
    }

    public boolean canUndo() {
        return !undo.isEmpty();
    }

    public boolean canRedo() {
        return !redo.isEmpty();
    }

    /** The label of the change {@link #undo} would revert, or null. */
    public String undoLabel() {
        return undo.isEmpty() ? null : current.label();
    }

    /** The label of the change {@link #redo} would repeat, or null. */
    public String redoLabel() {
        return redo.isEmpty() ? null : redo.peek().label();
    }

    /** Steps back one change and returns the plan now current (unchanged when nothing to undo). */
    public Plan undo() {
        if (!undo.isEmpty()) {
            redo.push(current);
            current = undo.pop();
        }
        return current.plan();
    }

    /** Repeats the last undone change and returns the plan now current. */
    public Plan redo() {
        if (!redo.isEmpty()) {
            undo.push(current);
            current = redo.pop();
        }
        return current.plan();
    }

    /** Starts over at {@code start} with empty undo and redo lists (a model was opened). */
    public void reset(Plan start) {
        undo.clear();
        redo.clear();
        current = new Entry(Objects.requireNonNull(start, "start"), "start");
    }

    public int undoDepth() {
        return undo.size();
    }

    public int redoDepth() {
        return redo.size();
    }
}
