package io.journeycep.pipeline.cli;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code java -jar journey-cep.jar …} work although Flink's jars are {@code provided}: when Flink is not on
 * the class path, re-executes the same main class in a child JVM with {@code lib/*} beside the jar (the local
 * runtime, the embedded broker and database, copied there by the build) and the {@code --add-opens} flags Flink
 * needs on Java 17. Under {@code flink run} Flink is on the class path and nothing happens. So the job jar itself
 * carries nothing that only local runs need.
 */
final class LocalLauncher {
    static final String LAUNCHED_PROPERTY = "journeycep.launched";

    private static final String[] JVM_FLAGS = {
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.net=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.time=ALL-UNNAMED",
        "--add-opens=java.base/java.text=ALL-UNNAMED",
        "--add-opens=java.sql/java.sql=ALL-UNNAMED",
    };

    private LocalLauncher() {}

    static boolean flinkOnClassPath() {
        try {
            Class.forName(
                    "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                    false,
                    LocalLauncher.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Runs the verb in a child JVM with the local runtime; returns its exit code. */
    static int relaunch(String[] args) throws Exception {
        Path jar = ownJar();
        Path lib = jar.getParent().resolve("lib");
        if (!Files.isDirectory(lib)) {
            System.err.println("Flink's runtime is not on the class path, and " + lib + " does not exist.\n"
                    + "Build it with `mvn package` (it fills pipeline/target/lib; the README has the one-line command), or submit the job"
                    + " with `flink run`.");
            return 2;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(JVM_FLAGS));
        String heap = System.getenv("JOURNEY_CEP_HEAP");
        cmd.add("-Xmx" + (heap != null ? heap : "2g"));
        cmd.add("-D" + LAUNCHED_PROPERTY + "=true");
        cmd.add("-cp");
        cmd.add(jar + File.pathSeparator + lib + File.separator + "*");
        cmd.add(JourneyCepMain.class.getName());
        cmd.addAll(List.of(args));
        Process child = new ProcessBuilder(cmd).inheritIO().start();
        // Ctrl-C reaches the child too (same process group); wait for it to clean up before this JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (child.isAlive()) {
                    child.waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return child.waitFor();
    }

    private static Path ownJar() throws URISyntaxException {
        return Path.of(JourneyCepMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
