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
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The "Open Recent" list: newest first, at most {@link #MAX} files, stored as a small JSON file
 * ({@code {"files": ["/abs/path.onnx", ...]}}) in the user's config folder. A store that cannot
 * be read or written is not worth an error dialog: the list then lives for this session only.
 */
public final class RecentFiles {
    public static final int MAX = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path store;
    private final ObservableList<Path> files = FXCollections.observableArrayList();
    // One wrapper, kept: an unmodifiable view listens weakly to its source, so a fresh view per
    // call could be collected together with the listeners added to it.
    private final ObservableList<Path> view = FXCollections.unmodifiableObservableList(files);

    /** @param store the JSON file, or null for a list kept in memory only */
    public RecentFiles(Path store) {
        this.store = store;
        load();
    }

    /**
     * The default store: {@code $whittle.config.dir} if set, else {@code $XDG_CONFIG_HOME/whittle},
     * else {@code ~/.config/whittle}; file {@code recent-files.json}.
     */
    public static RecentFiles inUserConfig() {
        return new RecentFiles(configDir().resolve("recent-files.json"));
    }

    /** The user's Whittle config folder: {@code $whittle.config.dir}, {@code $XDG_CONFIG_HOME/whittle} or {@code ~/.config/whittle}. */
    static Path configDir() {
        String dir = System.getProperty("whittle.config.dir");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config"))
                .resolve("whittle");
    }

    /** Newest first; modify through {@link #add}, {@link #remove}, {@link #clear}. */
    public ObservableList<Path> files() {
        return view;
    }

    public void add(Path file) {
        Path p = file.toAbsolutePath().normalize();
        List<Path> next = new ArrayList<>(files);
        next.remove(p);
        next.add(0, p);
        while (next.size() > MAX) {
            next.remove(next.size() - 1);
        }
        files.setAll(next);
        save();
    }

    public void remove(Path file) {
        if (files.remove(file.toAbsolutePath().normalize())) {
            save();
        }
    }

    public void clear() {
        files.clear();
        save();
    }

    /** Drops files that no longer exist and returns them, so the caller can tell the user. */
    public List<Path> removeMissing() {
        List<Path> missing = files.stream().filter(p -> !Files.isRegularFile(p)).toList();
        if (!missing.isEmpty()) {
            files.removeAll(missing);
            save();
        }
        return missing;
    }

    private void load() {
        if (store == null || !Files.isRegularFile(store)) {
            return;
        }
        try {
            JsonNode root = JSON.readTree(store.toFile());
            List<Path> loaded = new ArrayList<>();
            for (JsonNode n : root.path("files")) {
                Path p = Path.of(n.asText()).toAbsolutePath().normalize();
                if (!n.asText().isBlank() && !loaded.contains(p) && loaded.size() < MAX) {
                    loaded.add(p);
                }
            }
            files.setAll(loaded);
        } catch (IOException | RuntimeException e) {
            System.err.println("whittle: ignoring unreadable recent-files list " + store + ": " + e.getMessage());
        }
    }

    private void save() {
        if (store == null) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("files");
        files.forEach(p -> list.add(p.toString()));
        try {
            Files.createDirectories(store.getParent());
            Path tmp = store.resolveSibling(store.getFileName() + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            System.err.println("whittle: cannot save the recent-files list to " + store + ": " + e.getMessage());
        }
    }
}
