package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.workflow.JourneyWorkflow;
import io.journeycep.sinks.jdbc.SchemaMigrator;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JDBC password, the Kafka SASL JAAS config and the pseudonymization key, given through files as in production,
 * appear nowhere a user of the Flink web UI or a log reader sees: the job's configuration and global job parameters,
 * the execution config, operator names and descriptions, the plan, the config's and settings' toString, and
 * exceptions. (The serialized operators themselves carry them to the task managers, as every Flink connector's
 * credentials do: README "Privacy".)
 */
class SecretsStayOutOfTheJobTest {
    static final String PASSWORD = "pw-Zq8xK3vN7tLr2Hs9";
    static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"svc\""
            + " password=\"jaas-Wm4Pd6Yb1Fc5\";";
    static final String JAAS_MARK = "jaas-Wm4Pd6Yb1Fc5";
    static final String KEY = "hmac-key-Rt5Gh8Jk2Lm4Nb7Vc1Xz3Qw6Ep9Ty0Ui";

    @TempDir
    Path dir;

    private JobConfig config() throws Exception {
        Path password = Files.writeString(dir.resolve("jdbc.password"), PASSWORD + "\n");
        Path jaas = Files.writeString(dir.resolve("kafka.jaas"), JAAS + "\n");
        Path key = Files.writeString(dir.resolve("hmac.key"), KEY + "\n");
        String yaml = String.join("\n",
                "source:",
                "  kafka:",
                "    bootstrap-servers: broker:9093",
                "    properties:",
                "      security.protocol: SASL_SSL",
                "      sasl.mechanism: PLAIN",
                "    sasl-jaas-config-file: " + jaas,
                "outputs:",
                "  kafka:",
                "    properties:",
                "      security.protocol: SASL_SSL",
                "      sasl.mechanism: PLAIN",
                "    sasl-jaas-config-file: " + jaas,
                "  jdbc:",
                "    url: jdbc:postgresql://db:5432/journey",
                "    user: journey",
                "    password-file: " + password,
                "privacy:",
                "  pseudonymize: true",
                "  key-file: " + key,
                "runtime:",
                "  state-backend: hashmap",
                "");
        return JobConfig.parse(yaml, "job.yaml");
    }

    private static void assertNoSecret(String what, String text) {
        assertThat(text).as(what).doesNotContain(PASSWORD, JAAS_MARK, KEY);
    }

    @Test
    void noSecretInTheJobConfigurationParametersNamesPlanOrToStrings() throws Exception {
        JobConfig config = config();
        assertThat(config.jdbcPassword()).as("the password is readable where it is used").isEqualTo(PASSWORD);
        StreamExecutionEnvironment env = JobRunner.environment(config, new Configuration());
        EventParser parser = JobRunner.parser(config);
        assertThat(parser.settings().pseudonymizer()).as("pseudonymization is on").isNotNull();
        JourneyWorkflow.define(env, JobRunner.source(config), JobRunner.controlSource(config),
                JobRunner.sinks(config, config.jdbcPassword(), false), config);

        assertNoSecret("JobConfig.toString", config.toString());
        assertNoSecret("ParserSettings.toString", parser.settings().toString());
        assertNoSecret("env configuration", env.getConfiguration().toString());
        assertNoSecret("env configuration map", env.getConfiguration().toMap().toString());
        assertNoSecret("execution config", env.getConfig().toString());
        assertNoSecret("global job parameters", env.getConfig().getGlobalJobParameters().toMap().toString());

        StreamGraph streamGraph = env.getStreamGraph(false);
        assertNoSecret("plan (web UI)", streamGraph.getStreamingPlanAsJSON());
        assertNoSecret("stream graph job configuration", streamGraph.getJobConfiguration().toMap().toString());
        List<String> names = new ArrayList<>();
        for (StreamNode node : streamGraph.getStreamNodes()) {
            names.add(node.getOperatorName() + " | " + node.getOperatorDescription());
        }
        assertThat(names).as("the workflow has its Kafka and JDBC sinks")
                .anySatisfy(n -> assertThat(n).contains("kafka-alerts"))
                .anySatisfy(n -> assertThat(n).contains("jdbc-alerts"));
        assertNoSecret("operator names and descriptions", names.toString());

        JobGraph jobGraph = streamGraph.getJobGraph();
        assertNoSecret("job graph job configuration", jobGraph.getJobConfiguration().toMap().toString());
        assertNoSecret("serialized execution config",
                new String(jobGraph.getSerializedExecutionConfig().getByteArray(), StandardCharsets.ISO_8859_1));
        for (JobVertex v : jobGraph.getVertices()) {
            assertNoSecret("vertex " + v.getName(), v.getName() + " | " + v.getOperatorName() + " | "
                    + v.getOperatorDescription() + " | " + v.getOperatorPrettyName());
            assertNoSecret("vertex configuration as shown " + v.getName(), v.getConfiguration().toMap().toString());
        }
    }

    @Test
    void aFailingJdbcConnectionDoesNotShowThePassword() {
        // nothing listens on port 1: the driver fails to connect, the migrator wraps the failure
        String url = "jdbc:postgresql://127.0.0.1:1/journey?connectTimeout=2";
        assertThatThrownBy(() -> SchemaMigrator.migrate(url, "journey", PASSWORD))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .satisfies(e -> assertNoSecret("exception with causes and stack", stackTrace(e)));
    }

    @Test
    void aMissingSecretFileNamesTheFieldAndAShortKeyIsNeverShown() throws Exception {
        JobConfig config = config();
        config.outputs.jdbc.passwordFile = dir.resolve("missing").toString();
        assertThatThrownBy(config::jdbcPassword).hasMessageStartingWith("outputs.jdbc: cannot read secret file");
        config.source.kafka.saslJaasConfigFile = dir.resolve("missing-jaas").toString();
        assertThatThrownBy(() -> JobRunner.source(config))
                .hasMessageStartingWith("source.kafka.sasl-jaas-config-file: cannot read secret file");
        Files.writeString(Path.of(config.privacy.keyFile), "hmac-key-too-short\n");
        assertThatThrownBy(() -> JobRunner.parser(config))
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("hmac-key-too-short"))
                .hasMessageStartingWith("privacy.key-file: the pseudonymization key is 18 bytes");
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
