package dev.whittle.core.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The CPU a measurement ran on, as far as int8 numerics care: its model name and whether it has
 * VNNI (x86 dot-product instructions that let ONNX Runtime's uint8 x int8 kernels add products in
 * 32 bits; without them the kernels add pairs in 16 bits and full-range int8 weights can
 * saturate). Read from Linux's {@code /proc/cpuinfo} ({@code avx512_vnni} or {@code avx_vnni}
 * among the flags; the system property {@code whittle.cpuinfo} names another file); elsewhere
 * the name comes from {@code os.arch} and VNNI is unknown.
 *
 * @param name the model name ("AMD EPYC", "Intel(R) Xeon(R) ..."), or the architecture when unknown
 * @param arch the JVM's {@code os.arch}, e.g. "amd64", "aarch64"
 * @param vnni true or false when known, null when not (not Linux, not x86, unreadable)
 */
public record CpuInfo(String name, String arch, Boolean vnni) {
    private static final CpuInfo HOST = detect();

    /** This machine, read once per JVM. */
    public static CpuInfo host() {
        return HOST;
    }

    /** True for x86-64 or x86 ({@code os.arch} amd64, x86_64, x86, i386...). */
    public boolean x86() {
        String a = arch == null ? "" : arch.toLowerCase(Locale.ROOT);
        return a.equals("amd64") || a.equals("x86_64") || a.equals("x86") || a.matches("i[3-6]86");
    }

    /**
     * True only when this is known to be an x86 CPU without VNNI, where ONNX Runtime's u8s8
     * kernels can saturate on full-range int8 weights.
     */
    public boolean int8PairsSaturate() {
        return x86() && Boolean.FALSE.equals(vnni);
    }

    /** "yes", "no" or "unknown", as results print it. */
    public String vnniText() {
        return vnni == null ? "unknown" : vnni ? "yes" : "no";
    }

    /** One line for reports: "AMD EPYC (amd64, VNNI yes)". */
    public String text() {
        return name + " (" + arch + ", VNNI " + vnniText() + ")";
    }

    static CpuInfo detect() {
        String arch = System.getProperty("os.arch", "unknown");
        // An emulator (qemu-x86_64 -cpu Haswell) shows the host's /proc/cpuinfo: this property
        // names a file describing the emulated CPU instead.
        Path p = Path.of(System.getProperty("whittle.cpuinfo", "/proc/cpuinfo"));
        if (Files.isReadable(p)) {
            try {
                return parse(Files.readString(p), arch);
            } catch (IOException | RuntimeException e) {
                // Best effort: an unreadable file means we do not know.
            }
        }
        return new CpuInfo(arch, arch, null);
    }

    /**
     * Reads /proc/cpuinfo-style text: the first "model name" line and the first "flags" line
     * (x86 kernels print one; ARM kernels print "Features" instead, and VNNI stays unknown).
     */
    public static CpuInfo parse(String cpuinfo, String arch) {
        String name = null;
        String flags = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (name == null && key.equals("model name")) {
                name = value;
            } else if (flags == null && key.equals("flags")) {
                flags = value;
            }
        }
        Boolean vnni = flags == null ? null
                : Arrays.stream(flags.split("\\s+")).anyMatch(f -> f.equals("avx512_vnni") || f.equals("avx_vnni"));
        return new CpuInfo(name == null ? arch : name, arch, vnni);
    }
}
