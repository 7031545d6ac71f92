package resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlatformTest {

    @Test
    void reportsTheBundledPyTorchEngineOnTheCpu() {
        assertEquals("PyTorch 2.7.1", Platform.engine());
        assertEquals("0.35.1", Platform.djlVersion());
        assertTrue(Platform.devices().length >= 1);
        assertTrue(Platform.engineThreads() >= 1);
        String text = Platform.describe();
        assertTrue(text.contains("PyTorch 2.7.1") && text.contains("Java:"), text);
    }

    @Test
    void residentMemoryGrowsWhenNativeArraysAreHeld() {
        long before = Platform.residentBytes();
        assertTrue(before > 0, "VmRSS readable on Linux");
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            // 64 MiB of float32 ones: the native allocation must show up in the resident set.
            ai.djl.ndarray.NDArray big = manager.ones(new ai.djl.ndarray.types.Shape(16 * 1024 * 1024));
            assertEquals(16f * 1024 * 1024, big.sum().getFloat());
            assertTrue(Platform.residentBytes() - before > 32L * 1024 * 1024,
                    "resident set grew by " + Platform.mib(Platform.residentBytes() - before) + " MiB");
        }
        assertTrue(Platform.peakResidentBytes() >= Platform.residentBytes());
    }

    @Test
    void touchingFreshMemoryCountsPageFaults(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        // a newly mapped file: no allocator can hand back pages that were touched before
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(dir.resolve("pages"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.MappedByteBuffer fresh = file.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 32 << 20);
            long before = Platform.minorPageFaults();
            assertTrue(before > 0, "minflt readable from /proc/self/stat on Linux");
            for (int i = 0; i < fresh.capacity(); i += 4096) {
                fresh.put(i, (byte) 1); // one write per 4 KiB page: each first touch is a fault
            }
            long faults = Platform.minorPageFaults() - before;
            // 8192 with 4 KiB pages; fault-around and huge pages can map several pages per fault
            assertTrue(faults >= 16, "32 MiB of new pages should fault at least 16 times, counted " + faults);
        }
    }

    @Test
    void readsTheMachinesLoadAverageOnLinux() throws Exception {
        // /proc/loadavg's first field is the one-minute average the JVM reports
        double expected = Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                .split(" ")[0]);
        double load = Platform.loadAverage();
        assertTrue(load >= 0, "Linux tells the load average");
        assertEquals(expected, load, Math.max(1.0, expected), "close to /proc/loadavg, read a moment apart");
    }

    @Test
    void namesTheNativeAllocator() {
        // the test JVM runs without bin/resnet's preload, unless the caller set LD_PRELOAD itself
        String expected = String.valueOf(System.getenv("LD_PRELOAD")).contains("tcmalloc") ? "tcmalloc"
                : String.valueOf(System.getenv("LD_PRELOAD")).contains("jemalloc") ? "jemalloc" : "glibc";
        assertEquals(expected, Platform.allocator());
        assertTrue(Platform.describe().contains("native:   " + expected + " allocator"), Platform.describe());
    }

    @Test
    void namesTheOpenMpWaitPolicyTheProcessStartedWith() {
        String set = System.getenv("OMP_WAIT_POLICY");
        String expected = set == null || set.isBlank() ? "runtime" : set.trim().toLowerCase(java.util.Locale.ROOT);
        assertEquals(expected, Platform.ompWaitPolicy());
        assertTrue(Platform.describe().contains("OpenMP threads wait " + expected), Platform.describe());
    }

    @Test
    void writesTheSpeedSettingsThatDifferFromBinResnetsDefaults() {
        assertEquals("", Platform.settingsPrefix("passive", "strict"), "bin/resnet's defaults need no prefix");
        assertEquals("RESNET_OMP_WAIT=active RESNET_FPMATH=bf16 ", Platform.settingsPrefix("active", "bf16"));
        assertEquals("RESNET_OMP_WAIT=runtime ", Platform.settingsPrefix("runtime", "strict"));
        assertEquals("RESNET_FPMATH=bf16 ", Platform.settingsPrefix("passive", "bf16"));
    }

    @Test
    void countsTheEngineArraysOpenInEveryManager() {
        int before = Platform.openArrays();
        try (ai.djl.ndarray.NDManager outer = ai.djl.ndarray.NDManager.newBaseManager();
                ai.djl.ndarray.NDManager inner = outer.newSubManager()) {
            outer.zeros(new ai.djl.ndarray.types.Shape(3));
            inner.ones(new ai.djl.ndarray.types.Shape(2));
            inner.ones(new ai.djl.ndarray.types.Shape(2));
            assertEquals(before + 3, Platform.openArrays(), "arrays in a manager and in its sub-manager both count");
        }
        assertEquals(before, Platform.openArrays(), "closing the managers closes their arrays");
        assertTrue(Platform.javaMemory().startsWith("Java heap committed "), Platform.javaMemory());
    }

    @Test
    void shortensProcessorNamesToTheirKind() {
        assertEquals("Intel Xeon", Platform.shortProcessor("Intel(R) Xeon(R) Processor"));
        assertEquals("Intel Xeon", Platform.shortProcessor("Intel(R) Xeon(R) CPU @ 2.20GHz"));
        assertEquals("AMD EPYC 7B13", Platform.shortProcessor("AMD EPYC 7B13 64-Core Processor"));
        assertEquals("AMD EPYC", Platform.shortProcessor("AMD EPYC"));
        assertEquals("aarch64", Platform.shortProcessor("aarch64"));
        assertEquals("Processor", Platform.shortProcessor(" Processor "), "nothing left: the name as given");
    }
}
