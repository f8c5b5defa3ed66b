package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads NumPy {@code .npy} arrays and {@code .npz} archives into {@link HostTensor}s, through
 * the shared {@link Npy} reader: the one class of the evaluation layer that knows the file
 * formats. Data is moved to direct memory so ONNX Runtime reads it without another copy.
 */
public final class ArrayFiles {
    private ArrayFiles() {
    }

    /**
     * Reads one array: a {@code .npy} file, or {@code archive.npz:key} for one member of an
     * archive (the key without {@code .npy}). An archive given without a key must hold exactly one array.
     */
    public static HostTensor read(String fileOrMember) {
        int colon = fileOrMember.lastIndexOf(':');
        int npz = fileOrMember.toLowerCase().lastIndexOf(".npz");
        if (npz > 0 && colon > npz) {
            String key = fileOrMember.substring(colon + 1);
            Map<String, HostTensor> all = readNpz(Path.of(fileOrMember.substring(0, colon)));
            HostTensor t = all.get(key);
            if (t == null) {
                throw new BadInputException("Archive " + fileOrMember.substring(0, colon) + " has no array '" + key
                        + "' (it has " + all.keySet() + ").");
            }
            return t;
        }
        return read(Path.of(fileOrMember));
    }

    public static HostTensor read(Path file) {
        if (file.getFileName().toString().toLowerCase().endsWith(".npz")) {
            Map<String, HostTensor> all = readNpz(file);
            if (all.size() != 1) {
                throw new BadInputException("Archive " + file.getFileName() + " holds " + all.size() + " arrays "
                        + all.keySet() + "; name one as " + file.getFileName() + ":KEY.");
            }
            return all.values().iterator().next();
        }
        return host(Npy.read(file));
    }

    /** Every array of an {@code .npz} archive, by key (member name without {@code .npy}), in archive order. */
    public static Map<String, HostTensor> readNpz(Path file) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        Npy.readNpz(file).forEach((k, v) -> out.put(k, host(v)));
        return out;
    }

    static HostTensor host(NpyArray a) {
        ByteBuffer src = a.data();
        ByteBuffer direct = src.isDirect() ? src : ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN)
                .put(src.duplicate()).flip();
        return new HostTensor(a.dataType(), a.shape(), direct);
    }
}
