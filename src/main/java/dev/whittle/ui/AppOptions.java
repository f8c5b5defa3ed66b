package dev.whittle.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Command-line arguments of the workbench: {@code [MODEL]} plus hidden options for screenshots
 * ({@code --screenshot PNG}, {@code --select NAME}, {@code --magnitudes}, {@code --log-counts},
 * {@code --recipe R.yaml} to open with that plan, {@code --tab histogram|prune|quantize|lowrank|weights}
 * to bring an inspector tab to the front, {@code --size WxH} for the window), and
 * {@code --threads N}: the compute threads of background work (compression and ONNX Runtime),
 * by default one fewer than the cores so that the window keeps one.
 */
public record AppOptions(Path model, Path screenshot, String select, boolean magnitudes, boolean logCounts,
                         Path recipe, String tab, int[] size, Integer threads) {
    /** Inspector tab names for {@code --tab}, in tab order. */
    public static final List<String> TABS = List.of("histogram", "prune", "quantize", "lowrank", "weights");

    /** Built by {@code mvn compile}: the sample opened when the requested model is not there. */
    public static final Path FALLBACK_SAMPLE = Path.of("sample-models", "minilm", "all-minilm-l6-v2.onnx");

    /** The model to open at start, and a note for the status line when it is not the one asked for. */
    public record Startup(Path file, String note) {
    }

    public static AppOptions parse(List<String> args) {
        Path model = null;
        Path screenshot = null;
        String select = null;
        boolean magnitudes = false;
        boolean logCounts = false;
        Path recipe = null;
        String tab = null;
        int[] size = null;
        Integer threads = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--screenshot" -> screenshot = Path.of(value(args, ++i, a));
                case "--select" -> select = value(args, ++i, a);
                case "--magnitudes" -> magnitudes = true;
                case "--log-counts" -> logCounts = true;
                case "--recipe" -> recipe = Path.of(value(args, ++i, a));
                case "--tab" -> {
                    tab = value(args, ++i, a).toLowerCase(java.util.Locale.ROOT).replace(" ", "").replace("-", "");
                    if (!TABS.contains(tab)) {
                        throw new IllegalArgumentException("--tab must be one of " + String.join(", ", TABS) + ", got " + tab);
                    }
                }
                case "--size" -> {
                    String v = value(args, ++i, a);
                    String[] wh = v.split("x");
                    try {
                        size = new int[] {Integer.parseInt(wh[0]), Integer.parseInt(wh[1])};
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--size must be WIDTHxHEIGHT such as 1280x800, got " + v);
                    }
                }
                case "--threads" -> {
                    String v = value(args, ++i, a);
                    try {
                        threads = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        threads = 0;
                    }
                    if (threads < 1) {
                        throw new IllegalArgumentException("--threads must be a whole number of at least 1, got " + v);
                    }
                }
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + a
                                + "; usage: whittle-workbench [MODEL.onnx] [--threads N]");
                    }
                    model = Path.of(a);
                }
            }
        }
        return new AppOptions(model, screenshot, select, magnitudes, logCounts, recipe, tab, size, threads);
    }

    /** The compute budget the window asks for: --threads, else one core fewer than the machine has. */
    public int computeThreads(int cores) {
        return threads != null ? Math.min(threads, cores) : Math.max(1, cores - 1);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    /**
     * The requested model if it exists; else the MiniLM sample under {@code baseDir} if that
     * exists (with a note saying so); else no model (the window shows its empty state).
     */
    public static Startup startup(Path requested, Path baseDir) {
        if (requested != null && Files.isRegularFile(requested)) {
            return new Startup(requested, null);
        }
        Path sample = baseDir.resolve(FALLBACK_SAMPLE);
        String missing = requested == null ? null : requested + " does not exist";
        if (Files.isRegularFile(sample)) {
            return new Startup(sample, missing == null ? null : missing + "; opened the MiniLM sample instead.");
        }
        return new Startup(null, missing == null ? null : missing + ".");
    }
}
