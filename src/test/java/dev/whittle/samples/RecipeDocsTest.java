package dev.whittle.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.recipe.Recipe;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Issue 17: docs/recipes.md is the complete reference of every recipe key, and the docs point there. */
class RecipeDocsTest {
    static final Path REFERENCE = Path.of("docs/recipes.md");

    @Test
    void everyKeyARecipeCanHoldIsInTheReference() throws IOException {
        String doc = Files.readString(REFERENCE);
        List<String> keys = new ArrayList<>();
        collect(Recipe.class, keys, 0);
        List<String> missing = keys.stream().distinct()
                .filter(k -> !Pattern.compile("`[^`\\n]*\\b" + Pattern.quote(k) + "\\b[^`\\n]*`").matcher(doc).find()).toList();
        assertTrue(missing.isEmpty(), "keys missing from docs/recipes.md: " + missing);
    }

    @Test
    void noDocumentPointsAtAContractFileUsersDoNotHave() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs")); Stream<Path> src = Files.walk(Path.of("src/main/java"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
            src.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
        }
        List<Path> stale = new ArrayList<>();
        for (Path f : files) {
            if (Files.readString(f).contains("RECIPE-FORMAT")) {
                stale.add(f);
            }
        }
        assertTrue(stale.isEmpty(), "these name RECIPE-FORMAT.md, which is not in the project; point at docs/recipes.md: " + stale);
        assertTrue(Files.readString(Path.of("README.md")).contains("[docs/recipes.md](docs/recipes.md) is the complete reference"));
    }

    /** Record component names, walking into nested records, lists and map values. */
    private static void collect(Type t, List<String> out, int depth) {
        Class<?> raw = t instanceof Class<?> c ? c : t instanceof ParameterizedType p ? (Class<?>) p.getRawType() : null;
        if (raw == null || depth > 6) {
            return;
        }
        if (raw.isRecord()) {
            for (RecordComponent c : raw.getRecordComponents()) {
                out.add(c.getName());
                collect(c.getGenericType(), out, depth + 1);
            }
        } else if ((Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) && t instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments();
            collect(args[args.length - 1], out, depth + 1);
        }
    }
}
