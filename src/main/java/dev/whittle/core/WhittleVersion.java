package dev.whittle.core;

/** Whittle's version, from the jar manifest or the build's filtered resource. */
public final class WhittleVersion {
    private WhittleVersion() {
    }

    public static String get() {
        String v = WhittleVersion.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (var in = WhittleVersion.class.getResourceAsStream("/whittle-version.txt")) {
            return in == null ? "dev" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (java.io.IOException e) {
            return "dev";
        }
    }
}
