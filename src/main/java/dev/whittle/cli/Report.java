package dev.whittle.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;

/** How a command hands its result to the user: notes on stderr, then JSON or text on stdout. */
final class Report {
    private Report() {
    }

    static void notes(CommandSpec spec, String prefix, List<String> lines) {
        PrintWriter err = spec.commandLine().getErr();
        // A note that is a warning ("warning: ...") replaces the prefix's "note: " rather than following it.
        lines.forEach(n -> err.println(n.startsWith("warning: ") && prefix.endsWith("note: ")
                ? prefix.substring(0, prefix.length() - "note: ".length()) + n : prefix + n));
        err.flush();
    }

    static void result(CommandSpec spec, boolean json, Supplier<Object> asJson, Supplier<String> asText) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.write(asJson.get()) + "\n" : asText.get());
        out.flush();
    }
}
