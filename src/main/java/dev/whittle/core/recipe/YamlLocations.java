package dev.whittle.core.recipe;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Finds where in the YAML text a Jackson error path points: Jackson's own locations are where
 * its parser happened to be, often past the key at fault, while SnakeYAML's node tree keeps the
 * start of every key and value.
 */
final class YamlLocations {
    private final Node root;

    YamlLocations(Node root) {
        this.root = root;
    }

    /** "line:column" (1-based) of the key or item the path ends at, or null if not found. */
    String of(List<JsonMappingException.Reference> path) {
        Node node = root;
        Mark mark = root == null ? null : root.getStartMark();
        for (JsonMappingException.Reference r : path) {
            if (node instanceof MappingNode m && r.getFieldName() != null) {
                NodeTuple hit = null;
                for (NodeTuple t : m.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(r.getFieldName())) {
                        hit = t;
                    }
                }
                if (hit == null) {
                    return null;
                }
                mark = hit.getKeyNode().getStartMark();
                node = hit.getValueNode();
            } else if (node instanceof SequenceNode s && r.getIndex() >= 0 && r.getIndex() < s.getValue().size()) {
                node = s.getValue().get(r.getIndex());
                mark = node.getStartMark();
            } else {
                break;
            }
        }
        return mark == null ? null : (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }
}
