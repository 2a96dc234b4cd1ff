package io.journeycep.sinks.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class JdbcSettingsTest {

    @Test
    void defaultsAndWithers() {
        JdbcSettings s = JdbcSettings.of("jdbc:postgresql://db/journey", "job", "pw");
        assertThat(s.batchSize()).isEqualTo(500);
        assertThat(s.batchIntervalMs()).isEqualTo(1000L);
        assertThat(s.maxRetries()).isEqualTo(5);
        JdbcSettings t = s.withBatchSize(10).withBatchIntervalMs(50).withMaxRetries(0);
        assertThat(t.batchSize()).isEqualTo(10);
        assertThat(t.batchIntervalMs()).isEqualTo(50L);
        assertThat(t.maxRetries()).isZero();
        assertThat(t.password()).isEqualTo("pw");
        assertThat(s.batchSize()).isEqualTo(500);
        assertThatThrownBy(() -> s.withBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHidesThePassword() {
        JdbcSettings s = JdbcSettings.of("jdbc:postgresql://db:5432/journey?password=urlsecret", "job", "hunter2");
        assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("urlsecret")
                .contains("jdbc:postgresql://db:5432/journey").contains("job");
    }

    @Test
    void isSerializable() throws Exception {
        JdbcSettings s = JdbcSettings.of("jdbc:postgresql://db/journey", "job", "pw").withBatchSize(7);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(s);
        }
    }

    @Test
    void sinksBuildWithoutADatabase() {
        JdbcSettings s = JdbcSettings.of("jdbc:postgresql://localhost:1/none", "u", "p");
        assertThat(JdbcSinks.alerts(s)).isNotNull();
        assertThat(JdbcSinks.rejectedEvents(s)).isNotNull();
    }
}
