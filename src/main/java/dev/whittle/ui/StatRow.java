package dev.whittle.ui;

/** One figure of a layer's statistics: label, formatted value, and what it means (the tooltip). */
public record StatRow(String label, String value, String help) {
}
