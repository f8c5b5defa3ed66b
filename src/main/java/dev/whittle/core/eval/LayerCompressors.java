package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sensitivity methods by name: "prune" (built in: magnitude pruning of one layer), "quantize"
 * and "lowrank" (placeholders until the transforms register themselves with {@link #register}).
 */
public final class LayerCompressors {
    private static final Map<String, LayerCompressor> BY_NAME = new ConcurrentHashMap<>();

    static {
        BY_NAME.put("prune", new MagnitudeLayerPruner());
        BY_NAME.put("quantize", notYet("quantize"));
        BY_NAME.put("lowrank", notYet("lowrank"));
    }

    private LayerCompressors() {
    }

    /** Adds or replaces a method; the transforms call this to plug in. */
    public static void register(String name, LayerCompressor c) {
        BY_NAME.put(name.toLowerCase(), c);
    }

    public static LayerCompressor get(String name) {
        LayerCompressor c = BY_NAME.get(name == null ? "" : name.toLowerCase());
        if (c == null) {
            throw new BadInputException("Unknown sensitivity method '" + name + "'; use one of " + new TreeMap<>(BY_NAME).keySet() + ".");
        }
        return c;
    }

    private static LayerCompressor notYet(String name) {
        return (model, layer, level) -> {
            throw new BadInputException("Sensitivity by " + name + " is not available yet: the " + name
                    + " transform is not wired into evaluation; use --method prune.");
        };
    }
}
