package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.embedded.EmbeddedServices;
import io.journeycep.embedded.SharedServices;
import io.journeycep.pipeline.config.JobConfig;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;

/**
 * {@link JobRunner#sinks} with both outputs on, against the shared PostgreSQL: the schema is migrated (the segment
 * tables have their V2 columns) and both segment sinks are registered, under names (so uids) distinct from all others.
 */
class JobRunnerSinksIT {

    @Test
    void bothOutputsRegisterTheSegmentSinksUnderDistinctNames() throws Exception {
        EmbeddedServices services = SharedServices.get();
        JobConfig config = new JobConfig();
        config.source.kafka.bootstrapServers = services.kafka().bootstrapServers();
        config.outputs.jdbc.url = services.postgres().jdbcUrl();
        config.outputs.jdbc.user = services.postgres().user();
        config.drift.enabled = true;
        assertThat(config.validate()).isEmpty();

        List<String> names = JobRunner.sinks(config, services.postgres().password()).names();
        assertThat(names).contains("segmentChanges/kafka-segment-changes", "segmentChanges/jdbc-segment-changes");
        assertThat(names).filteredOn(n -> n.startsWith("segmentChanges/")).hasSize(2);
        List<String> uids = names.stream().map(n -> "sink-" + n.substring(n.indexOf('/') + 1)).toList();
        assertThat(new HashSet<>(uids)).as("uids %s", uids).hasSize(uids.size());

        try (Connection c = DriverManager.getConnection(
                        services.postgres().jdbcUrl(), services.postgres().user(), services.postgres().password());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                        + "current_schema() AND ((table_name = 'segment_changes' AND column_name IN ('rule_version', "
                        + "'entered_at')) OR (table_name = 'segment_membership' AND column_name = 'rule_version'))")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
    }
}
