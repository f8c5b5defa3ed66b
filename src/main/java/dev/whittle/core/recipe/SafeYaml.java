package dev.whittle.core.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.whittle.core.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.io.StringReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads user-written YAML (or JSON, which is YAML) into validated records, safely: no custom
 * tags or types (Jackson builds only the records asked for), a bounded number of aliases (a
 * "billion laughs" file fails fast), a size limit, and errors that name the file, the line and
 * column, and the key, suggesting the nearest known key for a misspelt one.
 */
public final class SafeYaml {
    /** Largest recipe or spec file read, in bytes. */
    public static final int MAX_BYTES = 1 << 20;
    /** Aliases allowed in one document; recipes need none, a few are tolerated. */
    public static final int MAX_ALIASES = 20;

    private final ObjectMapper mapper;

    public SafeYaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_BYTES);
        options.setNestingDepthLimit(50);
        YAMLFactory factory = YAMLFactory.builder().loaderOptions(options).build();
        this.mapper = new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                // "names: fc1" means "names: [fc1]": a single value is accepted where a list is expected.
                .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public <T> T read(Path file, Class<T> type) {
        return readLocated(file, type).value();
    }

    /** A parsed value and where each of its keys and items starts in the text. */
    record Located<T>(T value, YamlLocations where) {
    }

    <T> Located<T> readLocated(Path file, Class<T> type) {
        String name = String.valueOf(file.getFileName());
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new BadInputException(name + " is " + size + " bytes; files over " + MAX_BYTES + " bytes are refused.");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("File " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new BadInputException("File " + file + " cannot be read: " + e.getMessage(), e);
        }
        String binary = binaryKind(name, bytes);
        if (binary != null) {
            throw new BadInputException(name + " is " + binary + ", not " + (type == Recipe.class ? "a recipe" : "YAML text")
                    + (type == Recipe.class ? " (a YAML file; see docs/recipes.md)" : "") + ".");
        }
        return readLocated(name, new String(bytes, StandardCharsets.UTF_8), type);
    }

    /**
     * What a binary file given where YAML belongs is ("an ONNX model" when a recipe and a model
     * were swapped on the command line), or null for text. Text has no NUL bytes; an ONNX file
     * almost always has some in its first kilobytes (tensor dims, raw data).
     */
    static String binaryKind(String name, byte[] bytes) {
        int n = Math.min(bytes.length, 4096);
        boolean nul = false;
        for (int i = 0; i < n && !nul; i++) {
            nul = bytes[i] == 0;
        }
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (n >= 6 && (bytes[0] & 0xff) == 0x93 && bytes[1] == 'N' && bytes[2] == 'U' && bytes[3] == 'M') {
            return "a NumPy .npy array";
        }
        if (n >= 4 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] == 3 && bytes[3] == 4) {
            return "a zip archive (.npz or similar)";
        }
        if (lower.endsWith(".onnx") && (nul || !utf8(bytes, n))) {
            return "an ONNX model";
        }
        if (nul || !utf8(bytes, n)) {
            return "a binary file";
        }
        return null;
    }

    private static boolean utf8(byte[] bytes, int n) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes, 0, n));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            // A multi-byte character cut at the 4 KiB mark is still text.
            return n < bytes.length && n > 4 && utf8(bytes, n - 4);
        }
    }

    /** Parses {@code text}; {@code source} names it in messages. */
    public <T> T read(String source, String text, Class<T> type) {
        return readLocated(source, text, type).value();
    }

    <T> Located<T> readLocated(String source, String text, Class<T> type) {
        if (text.isBlank()) {
            throw new BadInputException(source + " is empty.");
        }
        Node root = compose(source, text);
        UnknownKeys.check(source, root, type);
        YamlLocations where = new YamlLocations(root);
        try {
            T value = mapper.readValue(text, type);
            if (value == null) {
                throw new BadInputException(source + " holds no document.");
            }
            return new Located<>(value, where);
        } catch (JsonProcessingException e) {
            throw new BadInputException(describe(source, e, where), e);
        } catch (RuntimeException e) {
            // SnakeYAML signals its limits (aliases, size, nesting) with unchecked exceptions.
            throw new BadInputException(source + ": " + firstLine(e.getMessage()) + ".", e);
        }
    }

    private static final java.util.Set<String> CORE_TAGS = java.util.Set.of("str", "int", "float", "bool", "null", "seq", "map");

    /**
     * Parses the text into SnakeYAML nodes (with every position kept), under the alias, size and
     * nesting limits, and refuses explicit tags other than YAML's plain core types ("!!str",
     * "!!int", ...): recipes have no use for them, and in other loaders they are how hostile files
     * construct objects.
     */
    private static Node compose(String source, String text) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setCodePointLimit(MAX_BYTES);
        options.setNestingDepthLimit(50);
        options.setAllowRecursiveKeys(false);
        try {
            for (Event ev : new Yaml(options).parse(new StringReader(text))) {
                String tag = ev instanceof NodeEvent n ? tagOf(n) : null;
                String core = "tag:yaml.org,2002:";
                if (tag != null && !(tag.startsWith(core) && CORE_TAGS.contains(tag.substring(core.length())))) {
                    Mark m = ev.getStartMark();
                    throw new BadInputException(source + ": the tag '" + tag + "' at " + (m.getLine() + 1) + ":"
                            + (m.getColumn() + 1) + " is not allowed; recipes use plain YAML values only.");
                }
            }
            return new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new BadInputException(source + ": " + trimPeriod(e.getProblem()) + (m == null ? "" : " at "
                    + (m.getLine() + 1) + ":" + (m.getColumn() + 1)) + ".", e);
        } catch (YAMLException e) {
            throw new BadInputException(source + ": " + firstLine(e.getMessage()) + ".", e);
        }
    }

    private static String tagOf(NodeEvent n) {
        if (n instanceof ScalarEvent s) {
            return s.getImplicit().canOmitTagInPlainScalar() || s.getImplicit().canOmitTagInNonPlainScalar() ? null : s.getTag();
        }
        if (n instanceof CollectionStartEvent c) {
            return c.getImplicit() ? null : c.getTag();
        }
        return null;
    }

    static String describe(String source, JsonProcessingException e, YamlLocations where) {
        String found = e instanceof JsonMappingException jm ? where.of(jm.getPath()) : null;
        String at = found != null ? found : at(e.getLocation());
        if (e instanceof UnrecognizedPropertyException u) {
            String key = u.getPropertyName();
            String hint = KeySuggestions.nearest(key, names(u.getKnownPropertyIds()))
                    .map(k -> ", did you mean '" + k + "'?").orElse(" (known keys: " + names(u.getKnownPropertyIds()) + ").");
            return source + ": unknown key '" + key + "' at " + at + hint;
        }
        String path = e instanceof JsonMappingException m ? path(m) : "";
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return source + ": " + (path.isEmpty() ? "" : path + " at ") + at + ": " + trimPeriod(v.getCause().getMessage()) + ".";
        }
        if (e instanceof InvalidFormatException f && f.getValue() instanceof String v && v.strip().endsWith("%")
                && Number.class.isAssignableFrom(box(f.getTargetType()))) {
            return source + ": " + (path.isEmpty() ? "value" : path) + " at " + at + ": '" + v + "' is a percentage;"
                    + " write a fraction between 0 and 1, e.g. 0.5 for 50%.";
        }
        if (e instanceof InvalidFormatException f && f.getValue() instanceof String v
                && Number.class.isAssignableFrom(box(f.getTargetType()))) {
            return source + ": " + (path.isEmpty() ? "value" : path) + " at " + at + ": '" + v + "' is not a number.";
        }
        if (e instanceof InvalidFormatException f) {
            return source + ": " + (path.isEmpty() ? "value" : path) + " at " + at + ": '" + f.getValue()
                    + "' is not a valid " + f.getTargetType().getSimpleName().toLowerCase() + ".";
        }
        if (e instanceof MismatchedInputException m) {
            String what = m.getTargetType() == null ? "value" : m.getTargetType().getSimpleName();
            return source + ": " + (path.isEmpty() ? "" : path + " at ") + at + ": expected " + article(what)
                    + " here (" + firstLine(e.getOriginalMessage()) + ").";
        }
        return source + ": " + firstLine(e.getOriginalMessage()) + " at " + at + ".";
    }

    private static Class<?> box(Class<?> c) {
        if (c == null) {
            return Object.class;
        }
        return c == double.class ? Double.class : c == float.class ? Float.class : c == int.class ? Integer.class
                : c == long.class ? Long.class : c;
    }

    private static String path(JsonMappingException m) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex() + 1).append(']');
            }
        }
        return sb.toString();
    }

    private static String at(JsonLocation loc) {
        return loc == null ? "?" : loc.getLineNr() + ":" + loc.getColumnNr();
    }

    private static java.util.List<String> names(Collection<Object> ids) {
        return ids == null ? java.util.List.of() : ids.stream().map(String::valueOf).sorted().toList();
    }

    private static String article(String what) {
        String w = what.toLowerCase();
        return ("aeiou".indexOf(w.charAt(0)) >= 0 ? "an " : "a ") + w;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid input";
        }
        int nl = s.indexOf('\n');
        return trimPeriod(nl < 0 ? s : s.substring(0, nl));
    }

    private static String trimPeriod(String s) {
        String t = s == null ? "invalid value" : s.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
