package dev.whittle.ui;

import javafx.application.Application;

/**
 * Main class of the workbench. A class that extends Application cannot be the main class when
 * JavaFX is on the class path ({@code java -cp}), so this plain one launches {@link WhittleApp}.
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        try {
            AppOptions.parse(java.util.List.of(args)); // a bad option is an error message, not a stack trace
        } catch (IllegalArgumentException e) {
            System.err.println("whittle-workbench: " + e.getMessage());
            System.exit(2);
        }
        Application.launch(WhittleApp.class, args);
    }
}
