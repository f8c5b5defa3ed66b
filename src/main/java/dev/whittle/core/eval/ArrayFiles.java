package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads NumPy {@code .npy} arrays and {@code .npz} archives into {@link HostTensor}s: the one
 * class of the evaluation layer that knows the file formats, so it can be swapped for a shared
 * reader without touching anything else. C-order arrays of bool, int8..int64, uint8..uint64,
 * float16, float32 and float64, little-endian or byte-order-free; a {@code .npy} file is
 * memory-mapped, not copied.
 */
public final class ArrayFiles {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

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
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            return parse(file.getFileName().toString(), mapped);
        } catch (NoSuchFileException e) {
            throw new BadInputException("Array file " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new BadInputException("Array file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Every array of an {@code .npz} archive, by key (member name without {@code .npy}), in archive order. */
    public static Map<String, HostTensor> readNpz(Path file) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] bytes = in.readAllBytes();
                    ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                    String key = e.getName().substring(0, e.getName().length() - 4);
                    out.put(key, parse(file.getFileName() + ":" + key, direct));
                }
            }
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new BadInputException("Array archive " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new BadInputException("Array archive " + file + " cannot be read as a .npz (zip) file: " + e.getMessage(), e);
        }
        return out;
    }

    static HostTensor parse(String name, ByteBuffer b) {
        b = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 10 || (b.get(0) & 0xff) != 0x93 || b.get(1) != 'N' || b.get(2) != 'U'
                || b.get(3) != 'M' || b.get(4) != 'P' || b.get(5) != 'Y') {
            throw new BadInputException(name + " is not a NumPy .npy array (the magic string is missing).");
        }
        int major = b.get(6);
        int headerLen = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (start + headerLen > b.remaining()) {
            throw new BadInputException(name + " is truncated: its header runs past the end of the file.");
        }
        byte[] hb = new byte[headerLen];
        b.get(start, hb);
        String header = new String(hb, StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if ("True".equals(group(FORTRAN, header, name, "fortran_order"))) {
            throw new BadInputException(name + " is stored in Fortran order; save it with np.ascontiguousarray first.");
        }
        long[] shape = shape(group(SHAPE, header, name, "shape"), name);
        DataType type = dtype(descr, name);
        long need = type.storageBytes(HostTensor.count(shape));
        int dataStart = start + headerLen;
        if (b.remaining() - dataStart < need) {
            throw new BadInputException(name + " is truncated: shape " + java.util.Arrays.toString(shape) + " of "
                    + type + " needs " + need + " bytes of data, the file has " + (b.remaining() - dataStart) + ".");
        }
        ByteBuffer data = b.position(dataStart).limit(Math.toIntExact(dataStart + need)).slice();
        return new HostTensor(type, shape, data);
    }

    private static String group(Pattern p, String header, String name, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new BadInputException(name + " has a .npy header without '" + key + "'.");
        }
        return m.group(1);
    }

    private static long[] shape(String text, String name) {
        String[] parts = text.split(",");
        return java.util.Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(s -> {
            try {
                return Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
            } catch (NumberFormatException e) {
                throw new BadInputException(name + " has a malformed shape (" + text + ") in its .npy header.");
            }
        }).toArray();
    }

    private static DataType dtype(String descr, String name) {
        char order = descr.charAt(0);
        if (order == '>') {
            throw new BadInputException(name + " is big-endian (" + descr + "); save it little-endian with arr.astype('<"
                    + descr.substring(1) + "').");
        }
        String code = (order == '<' || order == '|' || order == '=') ? descr.substring(1) : descr;
        return switch (code) {
            case "f4" -> DataType.FLOAT;
            case "f8" -> DataType.DOUBLE;
            case "f2" -> DataType.FLOAT16;
            case "i8" -> DataType.INT64;
            case "i4" -> DataType.INT32;
            case "i2" -> DataType.INT16;
            case "i1" -> DataType.INT8;
            case "u8" -> DataType.UINT64;
            case "u4" -> DataType.UINT32;
            case "u2" -> DataType.UINT16;
            case "u1" -> DataType.UINT8;
            case "b1" -> DataType.BOOL;
            default -> throw new BadInputException(name + " holds NumPy type '" + descr + "', which evaluation does not read"
                    + " (supported: bool, int8-64, uint8-64, float16/32/64).");
        };
    }
}
