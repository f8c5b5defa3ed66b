package dev.whittle.core.recipe;

import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Says why a step's selection matched no layer, in terms a user can act on: the op type or
 * layer name nearest to what was written ("did you mean 'MatMul'?"), else the layers there are.
 */
final class NoMatch {
    /** The weight-layer op types a recipe can name, besides those the model has. */
    private static final List<String> KNOWN_OPS = List.of("Conv", "ConvTranspose", "Gemm", "MatMul", "Gather", "LSTM", "GRU",
            "RNN");
    private static final int LISTED = 12;

    private NoMatch() {
    }

    static String explain(Selection sel, ModelGraph g) {
        List<WeightLayer> layers = g.weightLayers();
        List<String> hints = new ArrayList<>();
        Set<String> ops = new LinkedHashSet<>();
        layers.forEach(l -> ops.add(l.op()));
        ops.addAll(KNOWN_OPS);
        for (String op : sel.ops()) {
            if (layers.stream().noneMatch(l -> l.op().equals(op))) {
                Optional<String> near = nearest(op, ops);
                hints.add(near.map(n -> "op '" + op + "': did you mean '" + n + "'?")
                        .orElse("no " + op + " layer (the model's: " + String.join(", ", opsOf(layers)) + ")"));
            }
        }
        List<String> names = new ArrayList<>();
        layers.forEach(l -> {
            names.add(l.node());
            names.add(l.weight());
        });
        for (String n : sel.names()) {
            Pattern p = Pattern.compile(n);
            if (names.stream().noneMatch(x -> p.matcher(x).matches())) {
                Optional<String> near = nearest(n, layers.stream().map(WeightLayer::node).toList());
                near.ifPresent(x -> hints.add("name '" + n + "': did you mean '" + x + "'?"));
            }
        }
        String what = describe(sel);
        String text = what + " matches no weight layer of " + g.fileName();
        if (sel.graphs() == null) {
            List<WeightLayer> inBodies = new Selection(sel.ops(), sel.names(), sel.exclude(), "all").selector(2).select(g);
            if (!inBodies.isEmpty()) {
                WeightLayer l = inBodies.get(0);
                hints.add(inBodies.size() + " matching layer" + (inBodies.size() == 1 ? " lives" : "s live")
                        + " inside If/Loop/Scan bodies (e.g. '" + l.node() + "' in " + l.graphPath()
                        + "), which a step reaches with graphs: all (or a regex on the graph path)");
            }
        }
        if (!hints.isEmpty()) {
            return text + "; " + String.join("; ", hints);
        }
        List<String> listed = layers.stream().limit(LISTED).map(l -> l.node() + " (" + l.op() + ")").toList();
        return text + "; its weight layers: " + String.join(", ", listed)
                + (layers.size() > LISTED ? ", ... (" + layers.size() + " in all; whittle inspect lists them)" : "") + ".";
    }

    /** The nearest candidate: equal ignoring case first, then within a few edits. */
    private static Optional<String> nearest(String s, java.util.Collection<String> candidates) {
        for (String c : candidates) {
            if (c.equalsIgnoreCase(s)) {
                return Optional.of(c);
            }
        }
        return KeySuggestions.nearest(s, candidates);
    }

    private static List<String> opsOf(List<WeightLayer> layers) {
        return layers.stream().map(WeightLayer::op).distinct().toList();
    }

    static String describe(Selection s) {
        List<String> parts = new ArrayList<>();
        if (!s.ops().isEmpty()) {
            parts.add("ops " + s.ops());
        }
        if (!s.names().isEmpty()) {
            parts.add("names " + s.names());
        }
        if (!s.exclude().isEmpty()) {
            parts.add("exclude " + s.exclude());
        }
        if (s.graphs() != null) {
            parts.add("graphs " + s.graphs());
        }
        return "select {" + String.join(", ", parts) + "}";
    }
}
