package dev.whittle.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The panel layout of each model the user has opened (split positions, the inspector's tab, the
 * layer table's column widths), kept across sessions in a small JSON file in the user's config
 * folder ({@code panels.json} beside the recent-files list; {@code -Dwhittle.config.dir} moves
 * it): the {@value #MAX} models used last, keyed by their absolute path. A file that cannot be
 * read or written costs the user nothing worse than the default layout: no error dialog.
 */
final class PanelStore {
    /** Models remembered; the least recently used goes first. */
    static final int MAX = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One model's layout.
     *
     * @param splits  divider positions (0..1) of each split pane, by the pane's name
     * @param tab     the inspector's selected tab index (-1: not known)
     * @param columns width in pixels of each layer-table column, by the column's id
     */
    record State(Map<String, double[]> splits, int tab, Map<String, Double> columns) {
        State {
            splits = Map.copyOf(splits);
            columns = Map.copyOf(columns);
        }
    }

    private final Path file;
    // Access order: iteration runs from the least recently used.
    private final LinkedHashMap<String, State> states = new LinkedHashMap<>(64, 0.75f, true);

    /** @param file the JSON file, or null to keep the layouts for this session only */
    PanelStore(Path file) {
        this.file = file;
        load();
    }

    static PanelStore inUserConfig() {
        return new PanelStore(RecentFiles.configDir().resolve("panels.json"));
    }

    Optional<State> get(Path model) {
        return Optional.ofNullable(states.get(key(model)));
    }

    /** Remembers {@code s} for {@code model} (now the most recent), forgets beyond {@link #MAX}, and saves. */
    void put(Path model, State s) {
        states.put(key(model), s);
        trim();
        save();
    }

    int size() {
        return states.size();
    }

    private static String key(Path model) {
        return model.toAbsolutePath().normalize().toString();
    }

    private void trim() {
        Iterator<String> it = states.keySet().iterator();
        while (states.size() > MAX && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            // Stored oldest first, so reading in order rebuilds the same recency.
            for (JsonNode m : root.path("models")) {
                String path = m.path("path").asText("");
                if (path.isBlank()) {
                    continue;
                }
                Map<String, double[]> splits = new LinkedHashMap<>();
                m.path("splits").fields().forEachRemaining(e -> {
                    double[] v = new double[e.getValue().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Math.max(0, Math.min(1, e.getValue().get(i).asDouble()));
                    }
                    splits.put(e.getKey(), v);
                });
                Map<String, Double> columns = new LinkedHashMap<>();
                m.path("columns").fields().forEachRemaining(e -> {
                    if (e.getValue().isNumber() && e.getValue().asDouble() > 0) {
                        columns.put(e.getKey(), e.getValue().asDouble());
                    }
                });
                states.put(path, new State(splits, m.path("tab").asInt(-1), columns));
            }
            trim();
        } catch (IOException | RuntimeException e) {
            System.err.println("whittle: ignoring unreadable panel layouts " + file + ": " + e.getMessage());
            states.clear();
        }
    }

    private void save() {
        if (file == null) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode models = root.putArray("models");
        List<Map.Entry<String, State>> entries = new ArrayList<>(states.entrySet());
        for (Map.Entry<String, State> e : entries) {
            ObjectNode m = models.addObject();
            m.put("path", e.getKey());
            ObjectNode splits = m.putObject("splits");
            e.getValue().splits().forEach((name, v) -> {
                ArrayNode a = splits.putArray(name);
                for (double x : v) {
                    a.add(x);
                }
            });
            m.put("tab", e.getValue().tab());
            ObjectNode columns = m.putObject("columns");
            e.getValue().columns().forEach(columns::put);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("whittle: cannot save the panel layouts to " + file + ": " + e.getMessage());
        }
    }
}
