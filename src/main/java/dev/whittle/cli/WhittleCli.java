package dev.whittle.cli;

import dev.whittle.core.WhittleException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Entry point of {@code bin/whittle}. Exit codes: 0 success, 2 bad input or arguments (one
 * sentence on stderr), 1 internal error. {@code --debug} adds the stack trace.
 */
// scope INHERIT gives every subcommand --help/-h (and --version): "whittle apply -h" prints usage, exit 0.
@Command(name = "whittle", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Version.class,
        description = "Compress ONNX models: inspect, prune, quantize, factorize, evaluate.",
        subcommands = {InspectCommand.class, StatsCommand.class, ApplyCommand.class, ValidateCommand.class,
                QuantizeCommand.class, EvalCommand.class, BenchCommand.class, SensitivityCommand.class, ProfileCommand.class, BenchStatsCommand.class,
                BenchOpenCommand.class, BenchScaleCommand.class, BenchSvdCommand.class, BenchQuantCommand.class, BenchOverheadCommand.class, BenchPreviewCommand.class,
                CommandLine.HelpCommand.class})
public final class WhittleCli {
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Show stack traces on errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit code. Used by tests. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        WhittleCli root = new WhittleCli();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug") || root.debug;
            Throwable shown = ex;
            if (ex instanceof WhittleException) {
                // A message may hold several problems, one a line (every misspelt key of a recipe).
                for (String line : String.valueOf(ex.getMessage()).split("\n")) {
                    err.println("whittle: " + line);
                }
            } else {
                err.println("whittle: internal error: " + ex);
            }
            if (debug) {
                shown.printStackTrace(err);
            }
            err.flush();
            return ex instanceof dev.whittle.core.BadInputException ? 2 : 1;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            long max = Runtime.getRuntime().maxMemory() >> 20;
            err.println("whittle: out of memory (the Java heap is limited to " + max
                    + " MiB); give it more with WHITTLE_JAVA_OPTS=-Xmx8g, for example.");
            if (java.util.Arrays.asList(args).contains("--debug")) {
                e.printStackTrace(err);
            }
            code = 1;
        }
        out.flush();
        err.flush();
        return code;
    }
}
