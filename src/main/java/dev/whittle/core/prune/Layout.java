package dev.whittle.core.prune;

import java.util.List;

/**
 * Which prunable channel groups an intermediate value's channel axis is made of, for structured
 * pruning. The axis is counted from the end ({@code fromEnd}; 0 = last) because MatMul outputs
 * have unknown rank; {@code rank} is -1 when unknown. After Flatten or Reshape every channel
 * spans {@code perChannel} consecutive features (0 = not known yet: found at the consumer as its
 * input size / channels).
 *
 * @param segs the channel axis, in order: each a run of channels of one space (an output of a
 *             pruned layer), or of fixed channels (space -1) that stay
 */
record Layout(List<Seg> segs, int rank, int fromEnd, int perChannel) {
    /** A run of {@code channels} channels, all from space {@code space} (-1: kept as they are). */
    record Seg(int space, int channels) {
    }

    Layout {
        segs = List.copyOf(segs);
    }

    static Layout of(int space, int channels, int rank, int fromEnd) {
        return new Layout(List.of(new Seg(space, channels)), rank, fromEnd, 1);
    }

    int channels() {
        return segs.stream().mapToInt(Seg::channels).sum();
    }

    /** The channel axis counted from the start, or -1 when the rank is unknown. */
    int axis() {
        return rank < 0 ? -1 : rank - 1 - fromEnd;
    }

    boolean hasSpaces() {
        return segs.stream().anyMatch(s -> s.space() >= 0);
    }

    Layout withShape(int newRank, int newFromEnd, int newPerChannel) {
        return new Layout(segs, newRank, newFromEnd, newPerChannel);
    }

    /** Whether two values' channel axes line up segment by segment (for elementwise ops). */
    boolean sameStructure(Layout o) {
        if (fromEnd != o.fromEnd || perChannel != o.perChannel || segs.size() != o.segs.size()) {
            return false;
        }
        for (int i = 0; i < segs.size(); i++) {
            if (segs.get(i).channels() != o.segs.get(i).channels()) {
                return false;
            }
        }
        return true;
    }
}
