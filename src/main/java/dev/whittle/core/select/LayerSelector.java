package dev.whittle.core.select;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.WeightLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Chooses weight layers the way a recipe's {@code select} does: by op type, by regular
 * expressions that must match a node name or a weight name in full, minus exclusions. An empty
 * list means "no restriction" for {@code ops} and {@code names}, "nothing excluded" for
 * {@code exclude}. A layer that low-rank factored into two ({@code fc1.u}, {@code fc1.v}) is also
 * found by its old name, through the model's {@code whittle.factors.<node>} metadata.
 *
 * <p>Selectors built with the constructor reach every kind of weight layer (recipe format
 * version 2, and every command that selects without a recipe). {@link #version1()} gives the
 * version-1 meaning: kinds that joined after version 1 ({@link #BEYOND_VERSION_1}: Gather
 * tables) are reached only when {@code ops} names them, so a version-1 recipe selects the
 * same layers it always did.
 */
public final class LayerSelector {
    /** Op types that a version-1 selector reaches only when its {@code ops} names them. */
    public static final Set<String> BEYOND_VERSION_1 = Set.of("Gather");

    /** Prefix of the metadata key recording a factored layer's two nodes (one a line). */
    public static final String FACTORS_KEY = "whittle.factors.";

    /** {@code graphs} value for the main graph only (the default of a recipe's {@code select}). */
    public static final String MAIN = "main";
    /** {@code graphs} value for every graph: the main graph and every If/Loop/Scan body. */
    public static final String ALL = "all";

    private final boolean everyKind;
    private final String graphs;
    private final Pattern graphPattern;
    private final List<String> ops;
    private final List<Pattern> names;
    private final List<Pattern> exclude;
    private final List<String> nameSources;
    private final List<String> excludeSources;

    public LayerSelector(List<String> ops, List<String> names, List<String> exclude) {
        this(ops, names, exclude, true, ALL);
    }

    private LayerSelector(List<String> ops, List<String> names, List<String> exclude, boolean everyKind, String graphs) {
        this.everyKind = everyKind;
        this.graphs = graphs == null ? ALL : graphs;
        this.graphPattern = this.graphs.equals(ALL) || this.graphs.equals(MAIN) ? null
                : compile(List.of(this.graphs), "graphs").get(0);
        this.ops = ops == null ? List.of() : List.copyOf(ops);
        this.nameSources = names == null ? List.of() : List.copyOf(names);
        this.excludeSources = exclude == null ? List.of() : List.copyOf(exclude);
        this.names = compile(nameSources, "names");
        this.exclude = compile(excludeSources, "exclude");
    }

    /** Selects every weight layer. */
    public static LayerSelector all() {
        return new LayerSelector(List.of(), List.of(), List.of());
    }

    public static LayerSelector names(String... regexes) {
        return new LayerSelector(List.of(), List.of(regexes), List.of());
    }

    /** This selector with recipe format version 1's meaning (see the class comment). */
    public LayerSelector version1() {
        return new LayerSelector(ops, nameSources, excludeSources, false, graphs);
    }

    /**
     * This selector restricted to the graphs {@code graphs} names: {@value #MAIN} (the main graph
     * only), {@value #ALL}, or a regular expression that must match a layer's graph path in full
     * ({@code ""} for the main graph, e.g. {@code If_0.then_branch} or {@code Loop_3.body/.*}).
     */
    public LayerSelector inGraphs(String graphs) {
        return new LayerSelector(ops, nameSources, excludeSources, everyKind, graphs == null ? MAIN : graphs);
    }

    /** This selector with {@code regexes} added to its exclusions (scope and version kept). */
    public LayerSelector excluding(List<String> regexes) {
        List<String> ex = new ArrayList<>(excludeSources);
        ex.addAll(regexes);
        return new LayerSelector(ops, nameSources, ex, everyKind, graphs);
    }

    /** Which graphs this selector reaches: {@value #MAIN}, {@value #ALL} or a regex on the graph path. */
    public String graphs() {
        return graphs;
    }

    /** Whether an empty {@code ops} reaches every kind of layer (version 2) or only version 1's. */
    public boolean everyKind() {
        return everyKind;
    }

    public List<String> ops() {
        return ops;
    }

    public List<String> names() {
        return nameSources;
    }

    public List<String> exclude() {
        return excludeSources;
    }

    public boolean matches(WeightLayer l) {
        return matches(l, List.of());
    }

    /** As {@link #matches(WeightLayer)}, where {@code formerNames} are names the layer had before (by low-rank). */
    private boolean matches(WeightLayer l, List<String> formerNames) {
        if (!everyKind && ops.isEmpty() && BEYOND_VERSION_1.contains(l.op())) {
            return false;
        }
        if (graphs.equals(MAIN) ? !l.graphPath().isEmpty()
                : graphPattern != null && !graphPattern.matcher(l.graphPath()).matches()) {
            return false;
        }
        if (!ops.isEmpty() && !ops.contains(l.op()) && !ops.contains(bareOp(l.op()))) {
            return false;
        }
        if (!names.isEmpty() && names.stream().noneMatch(p -> full(p, l, formerNames))) {
            return false;
        }
        return exclude.stream().noneMatch(p -> full(p, l, formerNames));
    }

    /** The matching layers, in model order. */
    public List<WeightLayer> select(ModelGraph g) {
        Map<String, String> factorOf = new HashMap<>();
        g.metadata().forEach((k, v) -> {
            if (k.startsWith(FACTORS_KEY)) {
                v.lines().forEach(node -> factorOf.put(node, k.substring(FACTORS_KEY.length())));
            }
        });
        return g.weightLayers().stream().filter(l -> matches(l, formerNames(l.node(), factorOf))).toList();
    }

    private static List<String> formerNames(String node, Map<String, String> factorOf) {
        List<String> out = new ArrayList<>();
        for (String n = factorOf.get(node); n != null && !out.contains(n) && out.size() < 16; n = factorOf.get(n)) {
            out.add(n);
        }
        return out;
    }

    private static boolean full(Pattern p, WeightLayer l, List<String> formerNames) {
        return p.matcher(l.node()).matches() || p.matcher(l.weight()).matches()
                || formerNames.stream().anyMatch(n -> p.matcher(n).matches());
    }

    private static String bareOp(String op) {
        int i = op.lastIndexOf("::");
        return i < 0 ? op : op.substring(i + 2);
    }

    private static List<Pattern> compile(List<String> regexes, String field) {
        return regexes.stream().map(r -> {
            try {
                return Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                throw new BadInputException("select." + field + ": '" + r + "' is not a valid regular expression ("
                        + e.getDescription() + ").", e);
            }
        }).toList();
    }

    @Override
    public String toString() {
        return "select{ops=" + ops + ", names=" + nameSources + ", exclude=" + excludeSources
                + (graphs.equals(ALL) ? "" : ", graphs=" + graphs) + "}";
    }
}
