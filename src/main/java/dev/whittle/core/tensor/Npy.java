package dev.whittle.core.tensor;

import dev.whittle.core.io.AtomicWrite;
import dev.whittle.core.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) and {@code .npz}
 * archives (a zip of .npy files, stored or deflated), for the dtypes of {@link NpyArray}.
 *
 * <p>Only C-order, little-endian arrays are read; Fortran order and big-endian files are refused.
 * The header is checked against the file length before any data buffer is allocated, so a
 * corrupt header cannot make Whittle allocate more than the file holds. Every failure is a
 * {@link BadInputException} whose message names the file. Writing is atomic (temporary file,
 * then rename), as NumPy 1.0 format when the header fits, else 2.0.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy pads the header so the data starts at a multiple of 64 bytes. */
    private static final int ALIGN = 64;

    private Npy() {
    }

    /** Reads one .npy file. */
    public static NpyArray read(Path file) {
        String name = String.valueOf(file.getFileName());
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, Files.size(file), name);
        } catch (NoSuchFileException e) {
            throw new BadInputException("NumPy file " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new BadInputException("NumPy file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads every array of a .npz archive, keyed by entry name without ".npy", in archive order. */
    public static Map<String, NpyArray> readNpz(Path file) {
        String name = String.valueOf(file.getFileName());
        if (!Files.exists(file)) {
            throw new BadInputException("NumPy archive " + file + " does not exist.");
        }
        Map<String, NpyArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            for (ZipEntry e : Collections.list(entries)) {
                if (e.isDirectory()) {
                    continue;
                }
                String where = name + " (entry " + e.getName() + ")";
                if (!e.getName().endsWith(".npy")) {
                    throw new BadInputException(where + " is not a .npy array, so " + name + " is not a NumPy archive.");
                }
                String key = e.getName().substring(0, e.getName().length() - 4);
                if (out.containsKey(key)) {
                    throw new BadInputException(name + " holds the array '" + key + "' twice.");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(key, parse(in, e.getSize(), where));
                } catch (ZipException z) {
                    throw new BadInputException(where + " is corrupt: " + z.getMessage() + ".", z);
                }
            }
        } catch (ZipException e) {
            throw new BadInputException(name + " is not a valid .npz file (it is not a readable zip archive).", e);
        } catch (IOException e) {
            throw new BadInputException("NumPy archive " + file + " cannot be read: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Parses one .npy stream. {@code length} is the stream's length if known, else -1; a
     * truncated or over-long stream is refused either way.
     */
    static NpyArray parse(InputStream in, long length, String name) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8 || !Arrays.equals(prefix, 0, 6, MAGIC, 0, 6)) {
            throw new BadInputException(name + " is not a .npy file: it does not start with the NumPy magic bytes.");
        }
        int major = prefix[6];
        if (major < 1 || major > 3) {
            throw new BadInputException(name + " uses .npy format version " + major + "." + prefix[7]
                    + ", which Whittle does not read (supported: 1.0, 2.0, 3.0).");
        }
        byte[] lenBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (lenBytes.length < (major == 1 ? 2 : 4)) {
            throw truncated(name);
        }
        ByteBuffer lb = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = major == 1 ? lb.getShort() & 0xffff : lb.getInt() & 0xffffffffL;
        long dataStart = 8 + lenBytes.length + headerLen;
        if ((length >= 0 && dataStart > length) || headerLen > 1 << 24) {
            throw new BadInputException(name + " is truncated or corrupt: its header claims " + headerLen
                    + " bytes" + (length >= 0 ? " but the file has only " + length + " bytes" : "") + ".");
        }
        byte[] headerBytes = in.readNBytes((int) headerLen);
        if (headerBytes.length < headerLen) {
            throw truncated(name);
        }
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, name);
        long count;
        try {
            count = NpyArray.elementCount(header.shape());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(name + " has an impossible shape " + Arrays.toString(header.shape()) + ".", e);
        }
        int item = NpyArray.itemSize(header.dtype());
        if (count > NpyArray.MAX_BYTES / item) {
            throw new BadInputException(name + " claims shape " + Arrays.toString(header.shape()) + " of " + header.dtype()
                    + ", which is over 2 GiB" + (length >= 0 ? " while the file has " + length + " bytes" : "") + ".");
        }
        long dataLen = count * item;
        if (length >= 0 && dataStart + dataLen != length) {
            throw new BadInputException(name + " has shape " + Arrays.toString(header.shape()) + " of " + header.dtype()
                    + ", which needs " + dataLen + " data bytes, but the file has " + (length - dataStart)
                    + (dataStart + dataLen > length ? " (the file is truncated)." : "."));
        }
        // readNBytes grows its buffer as bytes arrive, so a lying header in a stream of unknown length
        // cannot make it allocate more than the stream really holds
        byte[] data = in.readNBytes((int) dataLen);
        if (data.length < dataLen) {
            throw truncated(name);
        }
        if (in.read() != -1) {
            throw new BadInputException(name + " has bytes after the " + dataLen + " its header announces.");
        }
        return new NpyArray(header.dtype(), header.shape(), ByteBuffer.wrap(data));
    }

    private static BadInputException truncated(String name) {
        return new BadInputException(name + " is truncated: the file ends before the data its header announces.");
    }

    /** Writes one array as a .npy file, replacing {@code file} atomically. */
    public static void write(Path file, NpyArray array) {
        atomically(file, out -> writeTo(out, array));
    }

    /**
     * Writes arrays as a .npz archive (entry {@code <key>.npy} per array, in map order),
     * deflated if {@code compress} (like numpy.savez_compressed), else stored (like numpy.savez).
     */
    public static void writeNpz(Path file, Map<String, NpyArray> arrays, boolean compress) {
        atomically(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, NpyArray> a : arrays.entrySet()) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                writeTo(bytes, a.getValue());
                ZipEntry e = new ZipEntry(a.getKey() + ".npy");
                if (compress) {
                    e.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(bytes.toByteArray());
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(bytes.size());
                    e.setCompressedSize(bytes.size());
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                bytes.writeTo(zip);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Writes the .npy bytes of {@code array} (header and data) to {@code out}. */
    public static void writeTo(OutputStream out, NpyArray array) throws IOException {
        String dict = NpyHeader.format(array.dtype(), array.shape());
        boolean v1 = dict.length() + 11 < 65536;
        int prefix = v1 ? 10 : 12;
        int total = ((prefix + dict.length() + 1 + ALIGN - 1) / ALIGN) * ALIGN;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteBuffer pre = ByteBuffer.allocate(prefix).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            pre.putShort((short) header.length());
        } else {
            pre.putInt(header.length());
        }
        out.write(pre.array());
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        WritableByteChannel ch = Channels.newChannel(out);
        ByteBuffer data = array.data();
        while (data.hasRemaining()) {
            ch.write(data);
        }
    }

    private static void atomically(Path file, AtomicWrite.Body body) {
        AtomicWrite.write(file, body);
    }
}
