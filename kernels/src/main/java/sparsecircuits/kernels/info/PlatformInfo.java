package sparsecircuits.kernels.info;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import sparsecircuits.kernels.KernelProvider;

/**
 * What this JVM runs on, for reports and benchmark records.
 *
 * @param jdkVersion   {@code Runtime.version()}, e.g. {@code 25.0.3+9-LTS}
 * @param jdkVendor    {@code java.vendor}
 * @param vmName       {@code java.vm.name}
 * @param javaHome     {@code java.home}
 * @param osName       {@code os.name}
 * @param osVersion    {@code os.version}
 * @param arch         {@code os.arch}
 * @param cpuModel     the first {@code model name} of /proc/cpuinfo, else {@code os.arch}
 * @param logicalCores processors available to this JVM
 * @param vectorModule whether {@code jdk.incubator.vector} is in the boot layer
 */
public record PlatformInfo(String jdkVersion, String jdkVendor, String vmName, String javaHome,
                           String osName, String osVersion, String arch, String cpuModel, int logicalCores,
                           boolean vectorModule) {

    /** Reads everything from this JVM (and /proc/cpuinfo on Linux). */
    public static PlatformInfo detect() {
        String arch = System.getProperty("os.arch", "unknown");
        List<String> cpuinfo = List.of();
        Path proc = Path.of("/proc/cpuinfo");
        if (Files.isReadable(proc)) {
            try {
                cpuinfo = Files.readAllLines(proc, StandardCharsets.ISO_8859_1);
            } catch (IOException | RuntimeException e) {
                cpuinfo = List.of();
            }
        }
        return new PlatformInfo(Runtime.version().toString(), System.getProperty("java.vendor", "unknown"),
                System.getProperty("java.vm.name", "unknown"), System.getProperty("java.home", "unknown"),
                System.getProperty("os.name", "unknown"), System.getProperty("os.version", "unknown"), arch,
                cpuModel(cpuinfo, arch), Runtime.getRuntime().availableProcessors(), KernelProvider.vectorModulePresent());
    }

    /** The CPU model from /proc/cpuinfo lines ({@code model name}, else {@code Model} or {@code Hardware}), else {@code fallback}. */
    public static String cpuModel(List<String> cpuinfoLines, String fallback) {
        for (String key : new String[] {"model name", "model", "hardware", "cpu model"}) {
            for (String line : cpuinfoLines) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String k = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String v = line.substring(colon + 1).trim().replaceAll("\\s+", " ");
                if (k.equals(key) && !v.isEmpty() && !(key.equals("model") && v.chars().allMatch(Character::isDigit))) {
                    return v;
                }
            }
        }
        return fallback;
    }
}
