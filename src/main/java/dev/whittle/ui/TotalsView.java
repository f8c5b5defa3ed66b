package dev.whittle.ui;

import dev.whittle.core.plan.Figures;
import dev.whittle.core.plan.Totals;
import javafx.beans.value.ObservableValue;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;

/** The totals line: parameters, bytes on disk and MACs per sample, before -> after the plan, live. */
public final class TotalsView extends HBox {
    private final Label params = value("totalParams",
            "Parameters: constant tensor elements (quantized codes count one each), before -> after the plan;"
            + " the quantization scales and zero points counted apart, as whittle apply reports them.");
    private final Label bytes = value("totalBytes",
            "Bytes on disk as the writer will store them: packed int4/int8 codes, scales and zero points, factors.");
    private final Label macs = value("totalMacs",
            "Multiply-accumulates for one sample (batch 1; a dynamic sequence length counted at 128).");

    public TotalsView(ObservableValue<Totals> totals) {
        setId("totals");
        getStyleClass().add("totals-bar");
        setSpacing(18);
        setAlignment(Pos.CENTER_LEFT);
        Label title = new Label("Totals");
        title.getStyleClass().add("section-title");
        getChildren().addAll(title, params, bytes, macs);
        totals.addListener((o, a, t) -> show(t));
        show(totals.getValue());
    }

    private static Label value(String id, String tip) {
        Label l = new Label();
        l.setId(id);
        l.setTooltip(Tips.of(tip));
        return l;
    }

    private void show(Totals t) {
        if (t == null) {
            params.setText("params: working out...");
            bytes.setText("");
            macs.setText("");
            return;
        }
        Figures b = t.before();
        Figures a = t.after();
        params.setText("params " + Format.shortCount(b.params()) + " -> " + Format.shortCount(a.params()) + ratio(b.params(), a.params())
                + (a.quantParams() == 0 ? "" : " + " + Format.shortCount(a.quantParams()) + " scales"));
        bytes.setText("size " + Format.bytes(b.bytes()) + " -> " + Format.bytes(a.bytes()) + ratio(b.bytes(), a.bytes()));
        macs.setText("MACs " + Format.shortCount(b.macs()) + " -> " + Format.shortCount(a.macs()) + ratio(b.macs(), a.macs()));
    }

    static String ratio(long before, long after) {
        return before == 0 || before == after ? "" : " (" + Format.percent((double) after / before) + ")";
    }

    public String text() {
        return params.getText() + " | " + bytes.getText() + " | " + macs.getText();
    }
}
