package dev.whittle.core.transform;

/**
 * What a transform would do with one selected layer, found without transforming anything:
 * refuse it ({@code error}: the recipe asks for something impossible), leave it alone
 * ({@code skip}: the reason goes into the report), or change it (both null).
 */
public record LayerCheck(String error, String skip) {
    private static final LayerCheck OK = new LayerCheck(null, null);

    public static LayerCheck ok() {
        return OK;
    }

    public static LayerCheck error(String reason) {
        return new LayerCheck(reason, null);
    }

    public static LayerCheck skip(String reason) {
        return new LayerCheck(null, reason);
    }

    public boolean isError() {
        return error != null;
    }

    public boolean isSkip() {
        return skip != null;
    }
}
