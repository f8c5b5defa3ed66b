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
        lines.forEach(n -> err.println(prefix + n));
        err.flush();
    }

    static void result(CommandSpec spec, boolean json, Supplier<Object> asJson, Supplier<String> asText) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.write(asJson.get()) + "\n" : asText.get());
        out.flush();
    }
}
