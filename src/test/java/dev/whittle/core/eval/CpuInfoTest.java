package dev.whittle.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CpuInfoTest {
    private static final String HASWELL = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz
            flags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 avx512f_not_here
            bugs\t\t: spectre_v1

            processor\t: 1
            model name\t: Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz
            flags\t\t: fpu avx2
            """;

    @Test
    void anAvx2CpuWithoutVnniFlagsIsKnownToSaturate() {
        CpuInfo c = CpuInfo.parse(HASWELL, "amd64");
        assertEquals("Intel(R) Xeon(R) CPU E5-2680 v3 @ 2.50GHz", c.name());
        assertEquals(Boolean.FALSE, c.vnni());
        assertTrue(c.int8PairsSaturate());
        assertEquals("no", c.vnniText());
    }

    @Test
    void avx512VnniOrAvxVnniCountAsVnniButOnlyAsWholeFlags() {
        assertEquals(Boolean.TRUE, CpuInfo.parse("model name : AMD EPYC\nflags : sse avx2 avx512f avx512_vnni\n", "amd64").vnni());
        assertEquals(Boolean.TRUE, CpuInfo.parse("model name : Intel Core Ultra\nflags : avx2 avx_vnni\n", "amd64").vnni());
        CpuInfo partial = CpuInfo.parse("model name : X\nflags : avx2 avx512_vnnix avx_vnni_int8\n", "x86_64");
        assertEquals(Boolean.FALSE, partial.vnni(), "avx_vnni_int8 alone is not avx_vnni");
        assertFalse(CpuInfo.parse("model name : AMD EPYC\nflags : avx512_vnni\n", "amd64").int8PairsSaturate());
    }

    @Test
    void withoutAFlagsLineVnniIsUnknownAndNothingIsClaimed() {
        CpuInfo arm = CpuInfo.parse("processor : 0\nFeatures : fp asimd asimddp\nCPU implementer : 0x41\n", "aarch64");
        assertNull(arm.vnni());
        assertEquals("aarch64", arm.name());
        assertFalse(arm.int8PairsSaturate());
        assertEquals("unknown", arm.vnniText());
        assertFalse(CpuInfo.parse("", "amd64").int8PairsSaturate(), "unknown is not 'no'");
    }

    @Test
    void theHostIsDescribedInEveryRuntimeInfo() {
        RuntimeInfo rt = new RuntimeInfo("1.29.0", "cpu", 1, "all", null);
        assertEquals(CpuInfo.host(), rt.cpu());
        assertEquals(System.getProperty("os.arch"), rt.cpu().arch());
    }
}
