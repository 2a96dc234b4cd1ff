package io.journeycep.pipeline.cli;

import io.journeycep.pipeline.config.ConfigException;

/** Dispatches a verb; only reached with Flink on the class path. */
final class Verbs {
    private Verbs() {}

    static int run(String[] args) throws Exception {
        String verb = args[0];
        try {
            switch (verb) {
                case "run":
                    return RunVerb.run(args);
                case "replay":
                    return ReplayVerb.run(args);
                case "demo":
                    return DemoVerb.run(args);
                case "rules":
                    return RulesVerb.run(args);
                case "report":
                    return ReportVerb.run(args);
                default:
                    System.err.println("unknown verb '" + verb + "'\n\n" + JourneyCepMain.USAGE);
                    return 2;
            }
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage() + "\n(see `" + verb + " --help`)");
            return 2;
        } catch (ConfigException e) {
            System.err.println("configuration error: " + e.getMessage());
            return 2;
        }
    }
}
