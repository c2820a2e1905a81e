package sparsecircuits.cli;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The jar's {@code Main-Class}. A jar manifest cannot add the incubating Vector API module
 * (BUILD.md §6), so when {@code jdk.incubator.vector} is not in this JVM's boot layer, this starts
 * the same {@code java} again with {@code --add-modules jdk.incubator.vector}, this JVM's own
 * options, the same class path, {@link Main} and the same arguments, shares the terminal with it,
 * and exits with its status. So {@code java -jar sparse-circuits.jar ...} gets the vector kernels
 * without any flag. When the module is already there, or the command line asks only for help or the
 * version or is bad input (answered at once, with no incubator warning), or the runtime has no such
 * module, or the relaunch cannot happen, {@link Main} runs in this JVM (on the scalar kernels in the
 * last two cases).
 */
public final class Launcher {
    static final String MODULE = "jdk.incubator.vector";
    /** Set on the relaunched JVM so that it never relaunches again. */
    static final String RELAUNCHED_PROPERTY = "sparsecircuits.relaunched";

    private Launcher() {
    }

    public static void main(String[] args) {
        Optional<List<String>> command = relaunchCommand(args);
        if (command.isEmpty()) {
            Main.main(args);
            return;
        }
        Process child;
        try {
            ProcessBuilder pb = new ProcessBuilder(command.get()).inheritIO();
            // their options are already among this JVM's input arguments: don't apply (or announce) them twice
            pb.environment().remove("JDK_JAVA_OPTIONS");
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            child = pb.start();
        } catch (IOException | RuntimeException e) {
            Main.main(args); // could not start a JVM: run here, on the scalar kernels
            return;
        }
        Thread killChild = new Thread(child::destroy, "sparse-circuits-relaunch-cleanup");
        Runtime.getRuntime().addShutdownHook(killChild); // e.g. SIGTERM to this JVM: take the child along
        int status;
        while (true) {
            try {
                status = child.waitFor();
                break;
            } catch (InterruptedException e) {
                // keep waiting: the child decides when we are done
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killChild);
        } catch (IllegalStateException shuttingDown) {
            // already exiting
        }
        System.exit(status);
    }

    /** The command line of the relaunch, or empty when Main should run in this JVM. */
    static Optional<List<String>> relaunchCommand(String[] args) {
        if (ModuleLayer.boot().findModule(MODULE).isPresent()
                || Boolean.getBoolean(RELAUNCHED_PROPERTY)
                || !Main.runsACommand(args)
                || ModuleFinder.ofSystem().find(MODULE).isEmpty()) {
            return Optional.empty();
        }
        Optional<String> java = ProcessHandle.current().info().command();
        String classPath = System.getProperty("java.class.path", "");
        if (java.isEmpty() || classPath.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java.get());
        cmd.add("--add-modules");
        cmd.add(MODULE);
        cmd.addAll(jvmOptions());
        if (List.of(args).contains("--master")) cmd.addAll(sparkModuleOptions());
        cmd.add("-D" + RELAUNCHED_PROPERTY + "=true");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return Optional.of(cmd);
    }

    /**
     * The JVM options Spark needs on Java 17+ (its {@code --add-opens} list), from Spark's own launcher class when it
     * is on the class path (the launcher script puts it there with {@code --master}); none otherwise. Read by
     * reflection: the command line has no compile-time dependency on Spark.
     */
    static List<String> sparkModuleOptions() {
        try {
            Object options = Class.forName("org.apache.spark.launcher.JavaModuleOptions").getMethod("defaultModuleOptionArray").invoke(null);
            return List.of((String[]) options).stream().filter(Launcher::opensAPackageThatExists).toList();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * False for {@code --add-opens=MODULE/PACKAGE=...} of a package this JDK no longer has (Spark's list names
     * {@code sun.security.action}, gone in JDK 25), which would only print a warning at every start.
     */
    static boolean opensAPackageThatExists(String option) {
        if (!option.startsWith("--add-opens=")) return true;
        String[] target = option.substring("--add-opens=".length()).split("=")[0].split("/");
        if (target.length != 2) return true;
        return ModuleLayer.boot().findModule(target[0]).map(m -> m.getPackages().contains(target[1])).orElse(true);
    }

    /** This JVM's own options (-Xmx, -D..., agents), if java.management can tell. */
    private static List<String> jvmOptions() {
        try {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError | RuntimeException e) {
            return List.of();
        }
    }
}
