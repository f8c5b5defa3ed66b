package dev.whittle.ui;

import java.net.URL;
import javafx.scene.Parent;
import javafx.scene.Scene;

/**
 * The workbench style sheet. It lives in {@code assets/whittle.css}; the build copies assets/
 * onto the class path (under dev/whittle/ui/assets), so the same URL works under
 * {@code mvn javafx:run}, in tests and from a jar.
 */
public final class Styles {
    public static final String RESOURCE = "/dev/whittle/ui/assets/whittle.css";

    private Styles() {
    }

    public static String url() {
        URL url = Styles.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException("style sheet " + RESOURCE + " is missing from the class path;"
                    + " rebuild with mvn compile (it copies assets/)");
        }
        return url.toExternalForm();
    }

    public static void apply(Scene scene) {
        scene.getStylesheets().add(url());
    }

    public static void apply(Parent root) {
        root.getStylesheets().add(url());
    }
}
