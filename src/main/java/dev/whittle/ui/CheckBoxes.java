package dev.whittle.ui;

import javafx.beans.property.Property;
import javafx.scene.control.CheckBox;
import javafx.scene.layout.Region;

/** The inspector's check boxes: bound both ways to a view-model property, never squeezed, with a tooltip. */
final class CheckBoxes {
    private CheckBoxes() {
    }

    /** @param id the node id tests and the stylesheet find it by, or null */
    static CheckBox of(String text, String id, Property<Boolean> value, String tip) {
        CheckBox c = new CheckBox(text);
        if (id != null) {
            c.setId(id);
        }
        c.selectedProperty().bindBidirectional(value);
        // Shown whole or not at all: a cut-off "Ref..." tells the user nothing.
        c.setMinWidth(Region.USE_PREF_SIZE);
        c.setTooltip(Tips.of(tip));
        return c;
    }
}
