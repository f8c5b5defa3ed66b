package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;

/**
 * How ONNX Runtime sessions are made.
 *
 * @param provider     where to run; {@link Provider#AUTO} tries CUDA and falls back to CPU
 * @param threads      intra-op threads, 0 = all cores ({@link Runtime#availableProcessors()})
 * @param optLevel     ONNX Runtime graph optimization level
 * @param numericsPin  when true (the default) sets {@value #NUMERICS_PIN_KEY} = 1, so weight-only
 *                     quantized MatMuls are computed in float32 instead of being rewritten to
 *                     int8 activations (STACK.md gotcha 4); results then measure the model, not
 *                     ONNX Runtime's shortcut
 */
public record SessionSpec(Provider provider, int threads, OptLevel optLevel, boolean numericsPin) {
    /** The ONNX Runtime session config key that the numerics pin sets to 1. */
    public static final String NUMERICS_PIN_KEY = "session.qdq_matmulnbits_accuracy_level";

    public SessionSpec {
        if (provider == null || optLevel == null) {
            throw new BadInputException("Session settings need a provider and an optimization level.");
        }
        if (threads < 0) {
            throw new BadInputException("threads must be 0 (all cores) or positive, got " + threads + ".");
        }
    }

    /** CPU, all cores, all optimizations, numerics pinned. */
    public static SessionSpec defaults() {
        return new SessionSpec(Provider.CPU, 0, OptLevel.ALL, true);
    }

    public SessionSpec withProvider(Provider p) {
        return new SessionSpec(p, threads, optLevel, numericsPin);
    }

    public SessionSpec withThreads(int t) {
        return new SessionSpec(provider, t, optLevel, numericsPin);
    }

    /** The thread count actually used: {@link #threads()} or, when 0, the number of cores. */
    public int effectiveThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** Execution providers Whittle knows how to ask for. */
    public enum Provider {
        CPU, CUDA, AUTO;

        public static Provider parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("Unknown provider '" + s + "'; use cpu, cuda or auto.");
            }
        }
    }

    /** ONNX Runtime's graph optimization levels. */
    public enum OptLevel {
        NONE, BASIC, EXTENDED, ALL;

        public static OptLevel parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new BadInputException("Unknown optimization level '" + s + "'; use none, basic, extended or all.");
            }
        }
    }
}
