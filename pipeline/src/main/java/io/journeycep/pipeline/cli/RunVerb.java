package io.journeycep.pipeline.cli;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.workflow.JourneyWorkflow;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.util.Set;

/** {@code run --config job.yaml}: the job as configured, locally or (under {@code flink run}) on a cluster. */
final class RunVerb {
    static final String USAGE = String.join("\n",
            "Usage: journey-cep.jar run --config FILE [--job-name NAME]",
            "",
            "Runs the job from a YAML config (sources, topics, JDBC URL, thresholds; see flink-conf/job.yaml).",
            "Under `flink run` it is submitted to that cluster; with `java -jar` it runs on a local Flink.",
            "Secrets come from the environment variables or files the config names, never from the file itself.",
            "",
            "  --config FILE     the job config (required)",
            "  --job-name NAME   Flink job name (default journey-cep)");

    private RunVerb() {}

    static int run(String[] argv) throws Exception {
        Args args = Args.parse("run", argv, 1, Set.of("config", "job-name"), Set.of());
        if (args.has("help")) {
            System.out.println(USAGE);
            return 0;
        }
        JobConfig config = JobConfig.load(Path.of(args.require("run", "config")));
        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, config.jdbcPassword()), config);
        env.execute(args.get("job-name", "journey-cep"));
        return 0;
    }
}
