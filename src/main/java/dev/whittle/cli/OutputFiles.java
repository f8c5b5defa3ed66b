package dev.whittle.cli;

import dev.whittle.core.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks and writes a command's output files: never over an input, over an existing file only when forced. */
final class OutputFiles {
    private OutputFiles() {
    }

    /** Fails when {@code out} is one of the inputs, or exists and {@code force} is false. */
    static void check(Path out, boolean force, String option, Path... inputs) {
        if (out == null) {
            return;
        }
        for (Path in : inputs) {
            if (in != null && same(out, in)) {
                throw new BadInputException(option + " " + out + " is an input of this command; choose another file.");
            }
        }
        if (Files.isDirectory(out)) {
            throw new BadInputException(option + " " + out + " is a folder; give a file name.");
        }
        if (Files.exists(out) && !force) {
            throw new BadInputException(out + " exists; use --force to replace it.");
        }
    }

    static boolean same(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // Fall through to comparing the spelled paths.
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** Writes text to a temporary file beside {@code file}, then renames it over {@code file}. */
    static void writeAtomically(Path file, String text) {
        dev.whittle.core.io.AtomicWrite.text(file, text);
    }
}
