package dev.whittle.core.onnx;

import java.nio.ByteBuffer;

/**
 * Looks at the first bytes of a file that failed to parse, to tell a truncated ONNX model from
 * something else entirely, and to name common look-alikes in the error message.
 */
final class FileSniffer {
    private FileSniffer() {
    }

    /** What the file looks like ("a PNG image", "text"), or null when it resembles nothing known. */
    static String describe(ByteBuffer b) {
        if (starts(b, 0x89, 'P', 'N', 'G')) {
            return "a PNG image";
        }
        if (starts(b, 0xff, 0xd8, 0xff)) {
            return "a JPEG image";
        }
        if (starts(b, 'P', 'K', 3, 4)) {
            return "a zip archive, as PyTorch checkpoints and .npz files are";
        }
        if (starts(b, 0x1f, 0x8b)) {
            return "a gzip-compressed file";
        }
        if (starts(b, 0x89, 'H', 'D', 'F')) {
            return "an HDF5 file, as Keras models are";
        }
        if (starts(b, 'G', 'G', 'U', 'F')) {
            return "a GGUF model";
        }
        if (b.limit() > 9 && b.get(8) == '{' && b.get(9) == '"' && b.get(6) == 0 && b.get(7) == 0) {
            return "a safetensors file";
        }
        return looksLikeText(b) ? "text" : null;
    }

    /**
     * Whether the first field tag is one a ModelProto can start with (ir_version, producer,
     * graph, ...) with the right wire type: a file that starts like a model but fails to parse
     * was most likely cut short.
     */
    static boolean startsLikeModel(ByteBuffer b) {
        long tag = 0;
        int shift = 0;
        for (int i = 0; i < Math.min(5, b.limit()); i++) {
            int c = b.get(i) & 0xff;
            tag |= (long) (c & 0x7f) << shift;
            if ((c & 0x80) == 0) {
                long field = tag >>> 3;
                int wire = (int) (tag & 7);
                boolean varint = field == 1 || field == 5;
                boolean bytes = field == 2 || field == 3 || field == 4 || field == 6 || field == 7 || field == 8
                        || field == 14 || field == 20 || field == 25 || field == 26;
                return (varint && wire == 0) || (bytes && wire == 2);
            }
            shift += 7;
        }
        return false;
    }

    private static boolean starts(ByteBuffer b, int... magic) {
        if (b.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b.get(i) & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Mostly printable, and printable from the first byte: every ONNX exporter writes
     * ir_version first, whose tag 0x08 is not printable, so a model with a long doc string
     * near the start (or a truncated one) is never taken for text.
     */
    private static boolean looksLikeText(ByteBuffer b) {
        if (b.limit() == 0 || !printable(b.get(0) & 0xff)) {
            return false;
        }
        int n = Math.min(256, b.limit());
        int printable = 0;
        for (int i = 0; i < n; i++) {
            if (printable(b.get(i) & 0xff)) {
                printable++;
            }
        }
        return printable >= n * 0.95;
    }

    private static boolean printable(int c) {
        return c == '\n' || c == '\r' || c == '\t' || (c >= 32 && c < 127);
    }
}
