package dev.whittle.core.model;

/**
 * Reads a range of a tensor's elements converted to float. Implementations wrap raw bytes
 * (possibly a memory-mapped external file) or the typed repeated fields of a TensorProto.
 */
@FunctionalInterface
public interface ElementSource {
    /** Copies elements [start, start + length) as floats into dst[offset ...]. */
    void read(long start, float[] dst, int offset, int length);
}
