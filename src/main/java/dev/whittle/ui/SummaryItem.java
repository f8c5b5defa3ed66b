package dev.whittle.ui;

/** One line of the model summary: a label, its value, and a sentence explaining it (the tooltip). */
public record SummaryItem(String label, String value, String help) {
}
