package io.journeycep.sinks.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The migrator's rules without a database; {@code SchemaMigratorIT} runs it against PostgreSQL. */
class SchemaMigratorTest {

    private static SchemaMigrator.Migration m(int v) {
        return new SchemaMigrator.Migration(v, "m" + v, "V" + v + "__m" + v + ".sql", "sql" + v,
                SchemaMigrator.checksum("sql" + v));
    }

    @Test
    void theShippedIndexListsV1WithAllTablesThenV2ThenV3ThenV4() {
        List<SchemaMigrator.Migration> ms = SchemaMigrator.load("db/migration", getClass().getClassLoader());
        assertThat(ms).extracting(SchemaMigrator.Migration::version).containsExactly(1, 2, 3, 4);
        assertThat(ms.get(1).description()).isEqualTo("segment outputs");
        assertThat(ms.get(2).description()).isEqualTo("erasure log");
        assertThat(ms.get(2).sql()).contains("CREATE TABLE erasure_log (");
        assertThat(ms.get(3).description()).isEqualTo("triggers withheld");
        assertThat(ms.get(3).sql()).contains("CREATE TABLE triggers_withheld (");
        SchemaMigrator.Migration v1 = ms.get(0);
        assertThat(v1.description()).isEqualTo("initial schema");
        for (String table : List.of("alerts", "segment_membership", "segment_changes", "journey_transitions",
                "drift_stats", "rejected_events")) {
            assertThat(v1.sql()).contains("CREATE TABLE " + table + " (");
        }
    }

    @Test
    void checksumIgnoresLineEndings() {
        assertThat(SchemaMigrator.checksum("a;\r\nb;\r\n")).isEqualTo(SchemaMigrator.checksum("a;\nb;\n"));
        assertThat(SchemaMigrator.checksum("a;\nb;\n")).isNotEqualTo(SchemaMigrator.checksum("a;\nc;\n"));
    }

    @Test
    void pendingAreTheUnappliedInOrder() {
        List<SchemaMigrator.Migration> known = List.of(m(1), m(2), m(3));
        assertThat(SchemaMigrator.validate(known, Map.of()))
                .extracting(SchemaMigrator.Migration::version).containsExactly(1, 2, 3);
        assertThat(SchemaMigrator.validate(known, Map.of(1, m(1).checksum())))
                .extracting(SchemaMigrator.Migration::version).containsExactly(2, 3);
        assertThat(SchemaMigrator.validate(known, Map.of(1, m(1).checksum(), 2, m(2).checksum(), 3, m(3).checksum())))
                .isEmpty();
    }

    @Test
    void changedChecksumFailsFast() {
        assertThatThrownBy(() -> SchemaMigrator.validate(List.of(m(1), m(2)), Map.of(1, "edited")))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("Checksum mismatch")
                .hasMessageContaining("V1__m1.sql");
    }

    @Test
    void gapsAndOutOfOrderFail_futureVersionsAreTolerated() {
        assertThatThrownBy(() -> SchemaMigrator.validate(List.of(m(1), m(3)), Map.of(2, "x")))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> SchemaMigrator.validate(List.of(m(1), m(2)), Map.of(2, m(2).checksum())))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("out of order");
        assertThat(SchemaMigrator.validate(List.of(m(1)), Map.of(1, m(1).checksum(), 2, "newer"))).isEmpty();
    }

    @Test
    void missingIndexFails() {
        assertThatThrownBy(() -> SchemaMigrator.load("no/such/place", getClass().getClassLoader()))
                .isInstanceOf(SchemaMigrator.MigrationException.class)
                .hasMessageContaining("no/such/place/index.txt");
    }
}
