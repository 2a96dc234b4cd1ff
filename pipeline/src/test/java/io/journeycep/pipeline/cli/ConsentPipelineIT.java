package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Consent through the job as {@code run} builds it ({@link JobRunner}), on the real Kafka broker and PostgreSQL (README
 * "Consent"): Segment- and RudderStack-shaped events carry the users' consent; CART_ABANDONER is configured a
 * marketing segment. A CART_ABANDONED whose user granted {@code Marketing} reaches {@code journey.triggers} and the
 * {@code alerts} table, and its CART_ABANDONER ENTER {@code segment.updates}, {@code segment_changes} and {@code
 * segment_membership}; those of a user who denied it, or withdrew it mid-journey, reach none of them and are counted,
 * per kind and day, in {@code triggers_withheld}. A group call on the way is accepted (no dead letter).
 */
class ConsentPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;
    /** A UTC midnight (2024-10-04), in the past: the parser rejects events too far in the future. */
    private static final long T0 = 20_000 * DAY;
    private static final String GRANTED = "{\"consent\":{\"categoryPreferences\":{\"Marketing\":true}}}";
    private static final String WITHDRAWN = "{\"consent\":{\"categoryPreferences\":{\"Marketing\":false}}}";
    private static final String RUDDER_DENIED = "{\"consentManagement\":{\"allowedConsentIds\":[\"Analytics\"],"
            + "\"deniedConsentIds\":[\"Marketing\"],\"provider\":\"custom\",\"resolutionStrategy\":\"and\"}}";
    private static final String RUDDER_GRANTED = "{\"consentManagement\":{\"allowedConsentIds\":[\"Marketing\"]}}";

    private PipelineIt it;
    private int ids;

    @Test
    void aWithheldTriggerReachesNeitherKafkaNorPostgres() throws Exception {
        it = new PipelineIt("consent");
        JobConfig config = it.config();
        config.segments.rfm.enabled = false;
        config.consent.segments = new java.util.LinkedHashMap<>(Map.of("CART_ABANDONER", "Marketing"));
        it.send(List.of(
                track("Product Viewed", "granted", HOUR, GRANTED),
                track("Product Added", "granted", HOUR + MIN, null), // no consent object: stays granted
                track("Product Viewed", "rudder", HOUR, RUDDER_GRANTED),
                track("Product Added", "rudder", HOUR + MIN, null),
                track("Product Viewed", "denied", HOUR, RUDDER_DENIED),
                track("Product Added", "denied", HOUR + MIN, null),
                track("Product Viewed", "withdrawn", HOUR, GRANTED),
                track("Product Added", "withdrawn", HOUR + MIN, null),
                group("withdrawn", HOUR + 5 * MIN),
                page("withdrawn", HOUR + 10 * MIN, WITHDRAWN), // before the deadline at 01:31
                track("Product Viewed", "clock", DAY, null))); // the watermark passes every deadline

        JobClient job = it.start(config, new Configuration(), "consent pipeline IT");
        try (PipelineIt.Reader triggers = it.reader(it.triggers);
                PipelineIt.Reader updates = it.reader(it.segments);
                PipelineIt.Reader dlq = it.reader(it.dlq)) {
            triggers.await("the granted users' CART_ABANDONED", r -> users(r, "subject_key").size() >= 2);
            updates.await("the granted users' CART_ABANDONER ENTERs", r -> users(r, "user_id").size() >= 2);
            assertThat(users(triggers.drain(Duration.ofSeconds(3)), "subject_key"))
                    .containsExactlyInAnyOrder("granted", "rudder");
            assertThat(users(updates.drain(Duration.ofSeconds(3)), "user_id"))
                    .containsExactlyInAnyOrder("granted", "rudder");
            assertThat(it.awaitRows("select subject_key from alerts", rows -> rows.size() >= 2))
                    .containsExactlyInAnyOrder(user("granted"), user("rudder"));
            assertThat(it.awaitRows("select user_id || ' ' || action || ' ' || segment from segment_changes",
                    rows -> rows.size() >= 2)).containsExactlyInAnyOrder(user("granted") + " ENTER CART_ABANDONER",
                            user("rudder") + " ENTER CART_ABANDONER");
            assertThat(it.rows("select user_id from segment_membership"))
                    .containsExactlyInAnyOrder(user("granted"), user("rudder"));
            assertThat(dlq.drain(Duration.ofSeconds(1))).as("the group call and the consent objects are accepted")
                    .isEmpty();
            // what was withheld is counted, per kind and UTC day of the deadline (2024-10-04 01:31), with no user
            List<String> withheld = List.of("CART_ABANDONED 2024-10-04 2",
                    "SEGMENT_ENTER:CART_ABANDONER 2024-10-04 2");
            assertThat(it.awaitRows("select kind || ' ' || day || ' ' || withheld from triggers_withheld",
                    rows -> rows.containsAll(withheld))).containsExactlyInAnyOrderElementsOf(withheld);
            assertThat(it.rows("select count(*) from triggers_withheld"
                    + " where updated_at = timestamptz '2024-10-04 01:31:00+00'"))
                    .as("updated_at: the event time of the latest trigger counted").containsExactly("2");
        } catch (AssertionError e) {
            System.out.println("ConsentPipelineIT failed; " + it.describe());
            throw e;
        } finally {
            PipelineIt.cancel(job);
        }
    }

    private String track(String event, String user, long offset, String context) {
        return String.format("{\"type\":\"track\",\"event\":\"%s\",\"messageId\":\"m%d-%s\",\"userId\":\"%s\","
                + "\"timestamp\":\"%s\",\"properties\":{\"product_id\":\"sku-1\",\"price\":20}%s}", event, ids++,
                it.run, user(user), Instant.ofEpochMilli(T0 + offset),
                context == null ? "" : ",\"context\":" + context);
    }

    private String page(String user, long offset, String context) {
        return String.format("{\"type\":\"page\",\"messageId\":\"m%d-%s\",\"userId\":\"%s\",\"timestamp\":\"%s\","
                + "\"context\":%s}", ids++, it.run, user(user), Instant.ofEpochMilli(T0 + offset), context);
    }

    private String group(String user, long offset) {
        return String.format("{\"type\":\"group\",\"messageId\":\"m%d-%s\",\"userId\":\"%s\",\"groupId\":\"acme\","
                + "\"timestamp\":\"%s\",\"traits\":{\"plan\":\"Enterprise\"}}", ids++, it.run, user(user),
                Instant.ofEpochMilli(T0 + offset));
    }

    private String user(String name) {
        return name + "-" + it.run;
    }

    /** The users (run suffix removed) of the records' {@code field}. */
    private List<String> users(List<ConsumerRecord<byte[], byte[]>> records, String field) {
        return records.stream().map(r -> {
            try {
                JsonNode n = JSON.readTree(r.value());
                String u = n.path(field).asText();
                return u.substring(0, u.length() - it.run.length() - 1);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }
}
