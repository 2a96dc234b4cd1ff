package io.journeycep.pipeline.cli;

/**
 * Entry point of {@code journey-cep.jar}: {@code demo}, {@code run}, {@code replay}, {@code rules lint},
 * {@code report}. This class touches no Flink
 * class, so it can start without Flink on the class path and hand over to {@link LocalLauncher}.
 */
public final class JourneyCepMain {
    static final String USAGE = String.join("\n",
            "journey-cep: real-time journeys, segments and alerts on Apache Flink",
            "",
            "Usage: java -jar journey-cep.jar <verb> [options]      (or: flink run journey-cep.jar <verb> [options])",
            "",
            "Verbs:",
            "  demo     local Flink with web UI, embedded Kafka and PostgreSQL, generated traffic; prints alerts",
            "  run      the job from a config file: run --config job.yaml",
            "  replay   a bounded run over files that ends with the input and fires every pending timeout",
            "  rules    rules lint FILE...: check pattern and velocity rules files as the job does at start",
            "  report   report --jdbc-url URL --out report.html: the journey report, one HTML page, from the tables",
            "",
            "`<verb> --help` describes each verb's options.");

    private JourneyCepMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(USAGE);
            if (args.length == 0) {
                System.exit(2);
            }
            return;
        }
        if (!LocalLauncher.flinkOnClassPath() && !args[0].equals("report")) { // report only reads the database
            System.exit(LocalLauncher.relaunch(args));
        }
        int code = Verbs.run(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
