package sparsecircuits.kernels.info;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlatformInfoTest {

    @Test
    void readsTheModelNameOfX86() {
        List<String> lines = List.of("processor\t: 0", "vendor_id\t: GenuineIntel", "model\t\t: 106",
                "model name\t: Intel(R) Xeon(R)   Platinum 8375C CPU @ 2.90GHz", "processor\t: 1",
                "model name\t: Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz");
        assertEquals("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", PlatformInfo.cpuModel(lines, "amd64"));
    }

    @Test
    void fallsBackForArmAndEmptyInput() {
        List<String> arm = List.of("processor\t: 0", "BogoMIPS\t: 50.00", "CPU implementer\t: 0x41", "CPU part\t: 0xd0c");
        assertEquals("aarch64", PlatformInfo.cpuModel(arm, "aarch64"));
        assertEquals("Raspberry Pi 4 Model B Rev 1.4", PlatformInfo.cpuModel(
                List.of("processor : 0", "Model\t\t: Raspberry Pi 4 Model B Rev 1.4"), "aarch64"));
        assertEquals("amd64", PlatformInfo.cpuModel(List.of(), "amd64"));
    }

    @Test
    void detectsThisJvm() {
        PlatformInfo p = PlatformInfo.detect();
        assertEquals(Runtime.version().toString(), p.jdkVersion());
        assertTrue(p.logicalCores() >= 1);
        assertFalse(p.cpuModel().isBlank());
        assertTrue(p.vectorModule(), "the test JVMs run with --add-modules jdk.incubator.vector");
    }
}
