package dev.whittle.ui;

import dev.whittle.core.BadInputException;
import dev.whittle.core.lowrank.LowRankSpec;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.plan.Plan;
import dev.whittle.core.plan.PlanRecipes;
import dev.whittle.core.prune.PruneSpec;
import dev.whittle.core.quant.QuantizeSpec;
import dev.whittle.core.quant.WeightSpec;
import dev.whittle.core.recipe.QuantizeSettings;
import dev.whittle.core.recipe.Selection;
import dev.whittle.core.recipe.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Edit > Plan Defaults: the plan's rules (settings over all layers, or the layers an op type or a
 * name regex selects, in order; a later rule wins) as rows of text fields that read as the plan
 * columns do (prune "50%", "2:4", "ch 30%", "t0.01"; rank "64", "E 90%"; bits "int8", "int4
 * asym"; granularity tensor, channel, block32; range minmax, mse, p99.9, lo..hi). OK writes every
 * rule at once: one undo step. A row nobody touched gives back its rule exactly as read, so what
 * the editor does not show (exclusions, global scope, activations, format) is kept; an edited row
 * keeps its exclusions, activations and format too. No toolkit needed beyond properties.
 */
public final class DefaultsViewModel {
    private final PlanViewModel plan;
    private final ObservableList<Row> rows = FXCollections.observableArrayList();

    public DefaultsViewModel(PlanViewModel plan) {
        this.plan = plan;
        Plan p = plan.planProperty().get();
        if (p != null) {
            for (Step s : p.rules()) {
                rows.add(new Row(s));
            }
        }
    }

    /** One rule: what it selects and what it sets, as text. */
    public static final class Row {
        private final Step original;
        private final String[] originalText;
        public final StringProperty ops = new SimpleStringProperty(this, "ops", "");
        public final StringProperty names = new SimpleStringProperty(this, "names", "");
        public final StringProperty prune = new SimpleStringProperty(this, "prune", "");
        public final StringProperty rank = new SimpleStringProperty(this, "rank", "");
        public final StringProperty bits = new SimpleStringProperty(this, "bits", "");
        public final StringProperty granularity = new SimpleStringProperty(this, "granularity", "");
        public final StringProperty range = new SimpleStringProperty(this, "range", "");
        /** Static activation quantization: minmax, entropy, mse or percentile:P, then "graph", "speed" or "measured[:N]" for that placement; empty: none. */
        public final StringProperty activations = new SimpleStringProperty(this, "activations", "");
        /** SmoothQuant's alpha in [0, 1] (with activations); empty: no smoothing. */
        public final StringProperty smooth = new SimpleStringProperty(this, "smooth", "");

        Row(Step s) {
            original = s;
            if (s != null) {
                ops.set(String.join(", ", s.select().ops()));
                names.set(String.join(", ", s.select().names()));
                prune.set(PlanCells.prune(s.prune()));
                rank.set(PlanCells.rank(s.lowrank()));
                WeightSpec w = weights(s);
                bits.set(PlanCells.bits(w));
                granularity.set(PlanCells.granularity(w));
                range.set(PlanCells.range(w));
                QuantizeSettings q = s.quantize();
                activations.set(q == null || q.activations() == null ? "" : activationText(q.activations()));
                smooth.set(q == null || q.smooth() == null ? "" : String.valueOf(q.smooth()));
            }
            originalText = texts();
        }

        private String[] texts() {
            return new String[] {ops.get(), names.get(), prune.get(), rank.get(), bits.get(), granularity.get(), range.get(),
                activations.get(), smooth.get()};
        }

        private boolean same(int field) {
            return original != null && originalText[field].equals(texts()[field]);
        }

        /** Whether any field differs from the rule as read (a new row is changed). */
        public boolean changed() {
            return original == null || !Arrays.equals(originalText, texts());
        }

        /** What the rule carries that the row does not show, in words (empty when nothing). */
        public String kept() {
            if (original == null) {
                return "";
            }
            List<String> k = new ArrayList<>();
            if (!original.select().exclude().isEmpty()) {
                k.add("exclude " + String.join(", ", original.select().exclude()));
            }
            if (original.prune() != null && original.prune().isGlobal()) {
                k.add("global scope");
            }
            QuantizeSettings.Activations a = original.quantize() == null ? null : original.quantize().activations();
            if (a != null && (a.bits() != null || a.symmetric() != null || a.outputs() != null || a.overrides() != null)) {
                k.add("activation bits, symmetry, outputs or overrides");
            }
            if (original.quantize() != null && original.quantize().format() != null) {
                k.add("format " + original.quantize().format());
            }
            if (original.reconstructDamp() != null) {
                k.add("reconstruct");
            }
            return String.join("; ", k);
        }

        /** The rule this row means. */
        Step toStep() {
            if (!changed()) {
                return original;
            }
            Selection sel = new Selection(list(ops.get()), list(names.get()),
                    original == null ? List.of() : original.select().exclude());
            PruneSpec p = same(2) ? original.prune() : PlanCells.parsePrune(prune.get());
            LowRankSpec r = same(3) ? original.lowrank() : PlanCells.parseRank(rank.get());
            QuantizeSettings q = same(4) && same(5) && same(6) && same(7) && same(8)
                    ? (original == null ? null : original.quantize()) : quantize();
            if (p == null && r == null && q == null) {
                throw new BadInputException("set at least one of prune, rank or bits.");
            }
            return new Step(sel, p, r, q, original == null ? null : original.reconstruct());
        }

        private QuantizeSettings quantize() {
            QuantizeSettings old = original == null ? null : original.quantize();
            QuantizeSettings.Activations act = activations(old);
            Double alpha = smoothValue(act);
            if (bits.get().isBlank()) {
                if (!granularity.get().isBlank() || !range.get().isBlank()) {
                    throw new BadInputException("granularity and range need bits (int8 or int4).");
                }
                return act == null && (old == null || old.format() == null) ? null
                        : new QuantizeSettings(null, act, old == null ? null : old.format(), null, alpha);
            }
            WeightSpec w = PlanCells.withBits(null, bits.get()).weights();
            if (!granularity.get().isBlank()) {
                w = PlanCells.withGranularity(w, granularity.get()).weights();
            }
            if (!range.get().isBlank()) {
                w = PlanCells.withRange(w, range.get()).weights();
            }
            QuantizeSettings.Weights nw = PlanRecipes.settings(QuantizeSpec.weights(w)).weights();
            if (old != null && old.weights() != null && old.weights().int8Layout() != null && w.bits() == 8) {
                // Keep what the row does not show: the int8 layout. (The rounding method and bias
                // correction are in the bits cell: "int4 gptq +bias".)
                nw = new QuantizeSettings.Weights(nw.bits(), nw.symmetric(), nw.granularity(), nw.block(), nw.range(),
                        old.weights().int8Layout(), nw.method());
            }
            Boolean bias = w.biasCorrection() ? Boolean.TRUE : null;
            return new QuantizeSettings(nw, act, old == null ? null : old.format(), bias, alpha);
        }

        /** The Activations cell as the rule's activations block (what the cell does not show kept from {@code old}). */
        private QuantizeSettings.Activations activations(QuantizeSettings old) {
            String t = activations.get().trim().toLowerCase(java.util.Locale.ROOT);
            if (t.isEmpty()) {
                return null;
            }
            int sp = t.lastIndexOf(' ');
            String last = sp < 0 ? "" : t.substring(sp + 1);
            String place = last.equals("graph") || last.equals("speed") || last.startsWith("measured") ? last : null;
            if (place != null) {
                dev.whittle.core.quant.ActivationPlacement.parse("activations placement", place); // checks measured:N
            }
            String cal = place == null ? t : t.substring(0, sp).trim();
            if (cal.startsWith("p") && !cal.startsWith("percentile") && cal.length() > 1) {
                cal = "percentile:" + cal.substring(1); // p99.99, as the range cells read
            }
            dev.whittle.core.quant.ActivationSpec.of(dev.whittle.core.quant.Calibration.parse("activations", cal)); // checks it
            QuantizeSettings.Activations a = old == null ? null : old.activations();
            return a == null ? new QuantizeSettings.Activations(null, null, cal, null, null, place)
                    : new QuantizeSettings.Activations(a.bits(), a.symmetric(), cal, a.outputs(), a.overrides(), place);
        }

        private Double smoothValue(QuantizeSettings.Activations act) {
            String t = smooth.get().trim();
            if (t.isEmpty()) {
                return null;
            }
            if (act == null) {
                throw new BadInputException("smooth migrates activation outliers into the weights: it needs activations.");
            }
            try {
                double a = Double.parseDouble(t);
                if (!(a >= 0 && a <= 1)) {
                    throw new NumberFormatException();
                }
                return a;
            } catch (NumberFormatException e) {
                throw new BadInputException("smooth is SmoothQuant's alpha, a number from 0 to 1 (0.5 is usual), not '" + t + "'.");
            }
        }

        static String activationText(QuantizeSettings.Activations a) {
            String c = a.calibration() == null ? "minmax" : a.calibration();
            if (c.startsWith("percentile:")) {
                c = "p" + c.substring("percentile:".length());
            }
            return c + (a.placement() == null || "layers".equals(a.placement()) ? "" : " " + a.placement());
        }

        private static WeightSpec weights(Step s) {
            if (s.quantize() == null || s.quantize().weights() == null) {
                return null;
            }
            return s.quantize().spec().weights();
        }

        private static List<String> list(String text) {
            return Arrays.stream(text.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        }
    }

    public ObservableList<Row> rows() {
        return rows;
    }

    /** Adds a rule over every layer (int8 per channel, min-max: the common first default) and returns it. */
    public Row add() {
        Row r = new Row(null);
        r.bits.set("int8");
        r.granularity.set("channel");
        r.range.set("minmax");
        rows.add(r);
        return r;
    }

    public void remove(Row r) {
        rows.remove(r);
    }

    /** Moves {@code r} one place earlier (later rules win, so order matters). */
    public void moveUp(Row r) {
        int i = rows.indexOf(r);
        if (i > 0) {
            rows.remove(i);
            rows.add(i - 1, r);
        }
    }

    /** How many weight layers of the open model {@code r} selects now, or -1 when its selection is not valid. */
    public int matches(Row r) {
        ModelGraph g = plan.model() == null ? null : plan.model().graph();
        if (g == null) {
            return 0;
        }
        try {
            Plan p = plan.planProperty().get();
            return new Selection(Row.list(r.ops.get()), Row.list(r.names.get()), r.original == null ? List.of()
                    : r.original.select().exclude()).selector(p == null ? Plan.VERSION : p.version()).select(g).size();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** The rules the rows mean. @throws BadInputException naming the row and what is wrong */
    public List<Step> rules() {
        List<Step> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            try {
                out.add(rows.get(i).toStep());
            } catch (RuntimeException e) {
                throw new BadInputException("Rule " + (i + 1) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** The first problem with the rows, or null when OK would apply them. */
    public String problem() {
        try {
            Plan p = plan.planProperty().get();
            if (p != null) {
                p.withRules(rules());
            }
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /**
     * Writes the rows as the plan's rules: one undo step ("edit plan defaults").
     *
     * @return whether the plan changed
     * @throws BadInputException when a row is not valid
     */
    public boolean apply() {
        Plan p = plan.planProperty().get();
        if (p == null) {
            return false;
        }
        return plan.edit(p.withRules(rules()), "edit plan defaults");
    }
}
