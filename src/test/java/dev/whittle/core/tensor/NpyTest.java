package dev.whittle.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads fixtures written by NumPy 2.4 (src/test/resources/npy/make_fixtures.py) and round-trips. */
class NpyTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static float[] halfSteps() {
        float[] v = new float[6];
        for (int i = 0; i < 6; i++) {
            v[i] = i * 0.5f - 1;
        }
        return v;
    }

    @Test
    void readsFloat32WrittenByNumpyInAllThreeFormatVersions() {
        for (String f : List.of("f4_2x3.npy", "v2_f4_2x3.npy", "v3_f4_2x3.npy")) {
            NpyArray a = Npy.read(fixture(f));
            assertEquals("float32", a.dtype(), f);
            assertArrayEquals(new long[] {2, 3}, a.shape(), f);
            assertArrayEquals(halfSteps(), a.toFloatArray(), f);
        }
    }

    @Test
    void readsEveryOtherSupportedDtypeWrittenByNumpy() {
        NpyArray f8 = Npy.read(fixture("f8_3.npy"));
        assertEquals("float64", f8.dtype());
        assertEquals(1e300, f8.data().getDouble(16));
        assertArrayEquals(new float[] {1.5f, -2.25f, Float.POSITIVE_INFINITY}, f8.toFloatArray());
        NpyArray f2 = Npy.read(fixture("f2_4.npy"));  // written by NumPy: make_fixtures.py
        assertEquals("float16", f2.dtype());
        assertArrayEquals(new float[] {1.0f, -2.5f, 65504.0f, 5.960464477539063e-08f}, f2.toFloatArray());
        assertEquals(dev.whittle.core.model.DataType.FLOAT16, f2.dataType());
        assertArrayEquals(new long[] {0, -1, 1L << 40, -(1L << 62)}, Npy.read(fixture("i8_2x2.npy")).toLongArray());
        assertArrayEquals(new long[] {7, -8, Integer.MAX_VALUE, Integer.MIN_VALUE}, Npy.read(fixture("i4_4.npy")).toLongArray());
        NpyArray u1 = Npy.read(fixture("u1_2x2x2.npy"));
        assertArrayEquals(new long[] {2, 2, 2}, u1.shape());
        assertArrayEquals(new long[] {0, 1, 127, 128, 200, 255, 3, 4}, u1.toLongArray());
        assertArrayEquals(new float[] {-128, -1, 0, 1, 127}, Npy.read(fixture("i1_5.npy")).toFloatArray());
        NpyArray b1 = Npy.read(fixture("b1_4.npy"));
        assertEquals("bool", b1.dtype());
        assertArrayEquals(new long[] {1, 0, 0, 1}, b1.toLongArray());
    }

    @Test
    void readsScalarsAndEmptyArrays() {
        NpyArray s = Npy.read(fixture("scalar_f4.npy"));
        assertArrayEquals(new long[0], s.shape());
        assertArrayEquals(new float[] {3.25f}, s.toFloatArray());
        NpyArray e = Npy.read(fixture("empty_0x3.npy"));
        assertArrayEquals(new long[] {0, 3}, e.shape());
        assertEquals(0, e.toFloatArray().length);
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        for (String f : List.of("f4_2x3.npy", "i8_2x2.npy", "b1_4.npy", "u1_2x2x2.npy", "scalar_f4.npy", "empty_0x3.npy")) {
            NpyArray a = Npy.read(fixture(f));
            Path out = tmp.resolve(f);
            Npy.write(out, a);
            assertArrayEquals(Files.readAllBytes(fixture(f)), Files.readAllBytes(out), f);
        }
    }

    @Test
    void everyDtypeRoundTripsThroughAFile() {
        List<NpyArray> arrays = List.of(
                NpyArray.ofFloats(new float[] {1, -2, Float.NaN, 4}, 2, 2),
                NpyArray.ofDoubles(new double[] {Math.PI}, 1),
                NpyArray.ofLongs(new long[] {Long.MIN_VALUE, 5, Long.MAX_VALUE}, 3),
                NpyArray.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 1, 2, 3),
                NpyArray.ofBytes("uint8", new byte[] {(byte) 255, 0}, 2),
                NpyArray.ofBytes("int8", new byte[] {-5}),
                NpyArray.ofBytes("bool", new byte[] {1, 0, 1}, 3, 1));
        for (NpyArray a : arrays) {
            Path p = tmp.resolve(a.dtype() + ".npy");
            Npy.write(p, a);
            assertEquals(a, Npy.read(p), a.dtype());
            assertEquals(0, (p.toFile().length() - a.count() * a.itemSize()) % 64, "data starts 64-byte aligned");
        }
    }

    @Test
    void aHeaderTooLongForVersion1IsWrittenAsVersion2AndReadBack() throws IOException {
        long[] shape = new long[30000];
        java.util.Arrays.fill(shape, 1);
        NpyArray a = NpyArray.ofFloats(new float[] {7}, shape);
        Path p = tmp.resolve("v2.npy");
        Npy.write(p, a);
        assertEquals(2, Files.readAllBytes(p)[6]);
        assertEquals(a, Npy.read(p));
    }

    @Test
    void readsNpzArchivesWrittenByNumpyStoredAndDeflated() {
        for (String f : List.of("stored.npz", "deflated.npz")) {
            Map<String, NpyArray> m = Npy.readNpz(fixture(f));
            assertEquals(List.of("x", "y"), List.copyOf(m.keySet()), f);
            assertArrayEquals(new long[] {2, 3, 4}, m.get("x").shape());
            float[] x = m.get("x").toFloatArray();
            for (int i = 0; i < 24; i++) {
                assertEquals(i / 8f, x[i], f);
            }
            assertArrayEquals(new long[] {3, 1}, m.get("y").toLongArray());
        }
    }

    @Test
    void npzRoundTripsStoredAndDeflated() {
        Map<String, NpyArray> m = new LinkedHashMap<>();
        m.put("input_ids", NpyArray.ofLongs(new long[] {101, 7592, 102, 0}, 2, 2));
        m.put("x", NpyArray.ofFloats(new float[100], 4, 25));
        for (boolean compress : new boolean[] {false, true}) {
            Path p = tmp.resolve("a" + compress + ".npz");
            Npy.writeNpz(p, m, compress);
            assertEquals(m, Npy.readNpz(p));
        }
    }

    @Test
    void floatLabelsConvertToLongOnlyWhenWhole() {
        assertArrayEquals(new long[] {3, -1}, NpyArray.ofFloats(new float[] {3, -1}, 2).toLongArray());
        assertThrows(BadInputException.class, () -> NpyArray.ofFloats(new float[] {0.5f}, 1).toLongArray());
    }

    // ---- bad files: each error is a BadInputException naming the file ----

    private static BadInputException badNpy(Path p) {
        BadInputException e = assertThrows(BadInputException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.getFileName().toString()), e.getMessage());
        return e;
    }

    private Path withBytes(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void refusesAFileWithoutTheMagicBytes() throws IOException {
        assertTrue(badNpy(withBytes("text.npy", "hello world, not numpy".getBytes(StandardCharsets.US_ASCII)))
                .getMessage().contains("magic"));
        badNpy(withBytes("tiny.npy", new byte[] {(byte) 0x93, 'N'}));
    }

    @Test
    void refusesATruncatedFile() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4_2x3.npy"));
        for (int cut : new int[] {9, 40, full.length - 1}) {
            byte[] part = java.util.Arrays.copyOf(full, cut);
            badNpy(withBytes("cut" + cut + ".npy", part));
        }
    }

    @Test
    void refusesExtraBytesAfterTheData() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4_2x3.npy"));
        badNpy(withBytes("long.npy", java.util.Arrays.copyOf(full, full.length + 4)));
    }

    private static byte[] npyWithHeader(String dict, int dataBytes) {
        String header = dict + " ".repeat(118 - dict.length() - 1) + "\n";
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0});
        b.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        b.writeBytes(new byte[dataBytes]);
        return b.toByteArray();
    }

    @Test
    void refusesAbsurdShapesWithoutAllocatingThem() throws IOException {
        String[] shapes = {"(1000000000, 1000000000)", "(4611686018427387904, 4)", "(100000, 100000)", "(7,)"};
        for (int i = 0; i < shapes.length; i++) {
            byte[] b = npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': " + shapes[i] + ", }", 8);
            badNpy(withBytes("absurd" + i + ".npy", b));
        }
    }

    @Test
    void refusesAHeaderLengthBeyondTheFile() throws IOException {
        byte[] b = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '{'};
        assertTrue(badNpy(withBytes("hdr.npy", b)).getMessage().contains("header claims"));
    }

    @Test
    void refusesMalformedHeaders() throws IOException {
        String[] dicts = {"{'descr': '<f4', 'shape': (2,), }", "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
            "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", "not a dict at all",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "{'descr': '<f4"};
        for (int i = 0; i < dicts.length; i++) {
            badNpy(withBytes("malformed" + i + ".npy", npyWithHeader(dicts[i], 8)));
        }
    }

    @Test
    void refusesBigEndianFortranOrderAndUnsupportedDtypesByName() throws IOException {
        assertTrue(badNpy(fixture("bigendian_f4.npy")).getMessage().contains("big-endian"));
        assertTrue(badNpy(fixture("fortran_2x3.npy")).getMessage().contains("Fortran order"));
        String v2 = badNpy(withBytes("bf16.npy", npyWithHeader("{'descr': '|V2', 'fortran_order': False, 'shape': (2,), }", 4)))
                .getMessage();
        assertTrue(v2.contains("'|V2'") && v2.contains("astype(np.float32)"), v2);
        assertTrue(badNpy(withBytes("c8.npy", npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8)))
                .getMessage().contains("'<c8'"));
    }

    @Test
    void refusesAMissingFile() {
        badNpy(tmp.resolve("nothing-here.npy"));
        assertThrows(BadInputException.class, () -> Npy.readNpz(tmp.resolve("nothing.npz")));
    }

    @Test
    void refusesAnNpzThatIsNotAZipOrHoldsBrokenEntries() throws IOException {
        Path notZip = Files.copy(fixture("f4_2x3.npy"), tmp.resolve("notzip.npz"));
        BadInputException e = assertThrows(BadInputException.class, () -> Npy.readNpz(notZip));
        assertTrue(e.getMessage().contains("notzip.npz"), e.getMessage());

        byte[] full = Files.readAllBytes(fixture("f4_2x3.npy"));
        for (boolean deflate : new boolean[] {false, true}) {
            Path p = tmp.resolve("broken" + deflate + ".npz");
            writeZip(p, "x.npy", java.util.Arrays.copyOf(full, full.length - 3), deflate);
            e = assertThrows(BadInputException.class, () -> Npy.readNpz(p));
            assertTrue(e.getMessage().contains(p.getFileName() + " (entry x.npy)"), e.getMessage());
        }
        Path other = tmp.resolve("other.npz");
        writeZip(other, "readme.txt", new byte[] {'h', 'i'}, true);
        assertTrue(assertThrows(BadInputException.class, () -> Npy.readNpz(other)).getMessage().contains("other.npz"));
    }

    private static void writeZip(Path p, String entry, byte[] bytes, boolean deflate) throws IOException {
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(p))) {
            var e = new java.util.zip.ZipEntry(entry);
            if (!deflate) {
                var crc = new java.util.zip.CRC32();
                crc.update(bytes);
                e.setMethod(java.util.zip.ZipEntry.STORED);
                e.setSize(bytes.length);
                e.setCrc(crc.getValue());
            }
            zip.putNextEntry(e);
            zip.write(bytes);
            zip.closeEntry();
        }
    }
}
