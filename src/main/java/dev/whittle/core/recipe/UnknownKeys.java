package dev.whittle.core.recipe;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.whittle.core.BadInputException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds keys that the target records do not have, walking the YAML node tree and the record
 * types together, before any record is built: Jackson reports an unknown key only after the
 * record's constructor has run, so a misspelt key would otherwise surface as "sparsity is
 * missing" instead of "unknown key 'sparsty' ... did you mean 'sparsity'?". Types that are not
 * records (scalars, JsonNode, types with their own deserializer) are not looked into.
 */
final class UnknownKeys {
    private UnknownKeys() {
    }

    /** Throws one {@link BadInputException} listing every unknown key, one a line, in file order. */
    static void check(String source, Node node, Type type) {
        List<String> found = new ArrayList<>();
        collect(source, node, type, found);
        if (!found.isEmpty()) {
            throw new BadInputException(String.join("\n", found));
        }
    }

    private static void collect(String source, Node node, Type type, List<String> found) {
        if (node == null || type == null) {
            return;
        }
        Class<?> raw = raw(type);
        if (raw == null || JsonNode.class.isAssignableFrom(raw)) {
            return;
        }
        if (raw.isRecord() && node instanceof MappingNode m) {
            List<String> known = new ArrayList<>();
            RecordComponent[] components = raw.getRecordComponents();
            for (RecordComponent c : components) {
                known.add(name(c));
            }
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    continue;
                }
                int i = known.indexOf(k.getValue());
                if (i < 0) {
                    Mark at = k.getStartMark();
                    String hint = KeySuggestions.nearest(k.getValue(), known).map(s -> ", did you mean '" + s + "'?")
                            .orElse(" (known keys: " + known.stream().sorted().toList() + ").");
                    found.add(source + ": unknown key '" + k.getValue() + "' at " + (at.getLine() + 1) + ":"
                            + (at.getColumn() + 1) + hint);
                    continue;
                }
                collect(source, t.getValueNode(), components[i].getGenericType(), found);
            }
        } else if (Collection.class.isAssignableFrom(raw) && node instanceof SequenceNode s) {
            Type item = argument(type, 0);
            s.getValue().forEach(n -> collect(source, n, item, found));
        } else if (Map.class.isAssignableFrom(raw) && node instanceof MappingNode m) {
            Type value = argument(type, 1);
            m.getValue().forEach(t -> collect(source, t.getValueNode(), value, found));
        }
    }

    private static String name(RecordComponent c) {
        JsonProperty p = c.getAnnotation(JsonProperty.class);
        if (p == null && c.getAccessor() != null) {
            p = c.getAccessor().getAnnotation(JsonProperty.class);
        }
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Type argument(Type t, int index) {
        if (t instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return null;
    }
}
