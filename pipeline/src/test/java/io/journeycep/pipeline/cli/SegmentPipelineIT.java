package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Segments through the job as {@code run} builds it ({@link JobRunner}), on the real Kafka broker and PostgreSQL:
 * events in on Kafka; ENTER/EXIT changes out on {@code segment.updates} (read_committed) and in {@code
 * segment_changes} and {@code segment_membership}.
 *
 * <p>The input ({@link #phaseA()}, {@link #phaseA2()}, {@link #phaseB()}, in event-time order) has users whose
 * changes are known from README "Segments" (RFM off, to keep the list readable; every other shipped segment on): a
 * buyer who enters NEW_BUYER and HIGH_VALUE, shoppers whose CART_ABANDONED alerts make them CART_ABANDONERs for 7
 * days, and users whose NEW_BUYER exits and CHURN_RISK tiers come from timers alone, as a "clock" user's later
 * events move event time on over 62 days. {@link #EXPECTED} lists every change up to the final watermark.
 *
 * <ul>
 *   <li>{@link #changesOnKafkaEqualTheTablesAndTheExpectedChanges}: one uninterrupted run gives exactly the expected
 *       changes on the topic, the same changes (ids, actions, segments, event times, entered_at) in {@code
 *       segment_changes}, and {@code segment_membership} = the ENTERs not followed by an EXIT.
 *   <li>{@link #aRestartFromARetainedCheckpointNeitherDoublesNorLosesAChange}: the job runs with retained
 *       checkpoints, is cancelled after phase A's changes are committed and right after phase A2's reached the table
 *       (so changes written after its last checkpoint are likely in flight), phase B is produced while it is down, and
 *       a new job restores the retained checkpoint ({@code execution.state-recovery.path}): no change id twice on the
 *       topic or in the table, and exactly the changes of the uninterrupted run.
 * </ul>
 */
class SegmentPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIN = 60_000L;
    private static final long HOUR = 60 * MIN;
    private static final long DAY = 24 * HOUR;
    /** A UTC midnight (2024-10-04), in the past: the parser rejects events too far in the future. */
    private static final long T0 = 20_000 * DAY;

    /** Every change up to the final watermark (62 days - 5 s), as "user ACTION SEGMENT @offset from T0". */
    private static final List<String> EXPECTED = List.of(
            "buyer ENTER HIGH_VALUE @0d02:00",
            "buyer ENTER NEW_BUYER @0d02:00",
            "buyer EXIT NEW_BUYER @30d00:00", // the first purchase's day leaves the 30-day window at midnight
            "buyer ENTER CHURN_RISK_30 @30d02:00", // quiet for 30 days, to the millisecond
            "buyer ENTER CHURN_RISK_45 @45d02:00",
            "buyer EXIT CHURN_RISK_30 @45d02:00",
            "buyer ENTER CHURN_RISK_60 @60d02:00",
            "buyer EXIT CHURN_RISK_45 @60d02:00",
            "shopper ENTER CART_ABANDONER @0d01:31", // the CART_ABANDONED alert, 30 min after the cart add
            "shopper EXIT CART_ABANDONER @7d00:00",
            "shopper ENTER CHURN_RISK_30 @30d01:01", // the alert is not activity: quiet since the cart add
            "shopper ENTER CHURN_RISK_45 @45d01:01",
            "shopper EXIT CHURN_RISK_30 @45d01:01",
            "shopper ENTER CHURN_RISK_60 @60d01:01",
            "shopper EXIT CHURN_RISK_45 @60d01:01",
            "churner ENTER CHURN_RISK_30 @30d03:00",
            "churner ENTER CHURN_RISK_45 @45d03:00",
            "churner EXIT CHURN_RISK_30 @45d03:00",
            "churner ENTER CHURN_RISK_60 @60d03:00",
            "churner EXIT CHURN_RISK_45 @60d03:00",
            "buyer2 ENTER NEW_BUYER @7d01:00", // 200: not HIGH_VALUE
            "buyer2 EXIT NEW_BUYER @37d00:00",
            "buyer2 ENTER CHURN_RISK_30 @37d01:00",
            "buyer2 ENTER CHURN_RISK_45 @52d01:00",
            "buyer2 EXIT CHURN_RISK_30 @52d01:00",
            "shopper2 ENTER CART_ABANDONER @40d00:31",
            "shopper2 EXIT CART_ABANDONER @47d00:00");
    /** What phase A's events (watermark 1 d - 5 s) decide. */
    private static final List<String> EXPECTED_A = List.of(
            "buyer ENTER HIGH_VALUE @0d02:00", "buyer ENTER NEW_BUYER @0d02:00",
            "shopper ENTER CART_ABANDONER @0d01:31");
    /** What phase A2's events (watermark 8 d - 5 s) add. */
    private static final List<String> EXPECTED_A2 =
            List.of("shopper EXIT CART_ABANDONER @7d00:00", "buyer2 ENTER NEW_BUYER @7d01:00");
    /** segment_membership at the end: the ENTERs above not followed by an EXIT. */
    private static final List<String> MEMBERS = List.of(
            "buyer CHURN_RISK_60 @60d02:00", "buyer HIGH_VALUE @0d02:00", "buyer2 CHURN_RISK_45 @52d01:00",
            "churner CHURN_RISK_60 @60d03:00", "shopper CHURN_RISK_60 @60d01:01");

    @TempDir
    Path checkpoints;

    private PipelineIt it;
    private int ids;

    @Test
    void changesOnKafkaEqualTheTablesAndTheExpectedChanges() throws Exception {
        it = new PipelineIt("segments");
        JobConfig config = config();
        List<String> input = new ArrayList<>(phaseA());
        input.addAll(phaseA2());
        input.addAll(phaseB());
        it.send(input);

        JobClient job = it.start(config, new Configuration(), "segment pipeline IT");
        try (PipelineIt.Reader updates = it.reader(it.segments)) {
            List<Change> onKafka = awaitChanges(updates, EXPECTED);
            assertThat(summaries(onKafka)).containsExactlyInAnyOrderElementsOf(EXPECTED);
            assertTablesMatch(onKafka);
            // the CART_ABANDONED alerts that made the CART_ABANDONERs
            assertThat(it.awaitRows("select subject_key from alerts where kind = 'CART_ABANDONED' order by 1",
                    rows -> rows.size() >= 2)).containsExactly(user("shopper"), user("shopper2"));
        } catch (AssertionError e) {
            System.out.println("SegmentPipelineIT failed; " + it.describe());
            throw e;
        } finally {
            PipelineIt.cancel(job);
        }
    }

    @Test
    void aRestartFromARetainedCheckpointNeitherDoublesNorLosesAChange() throws Exception {
        it = new PipelineIt("segments_restart");
        JobConfig config = config();
        config.runtime.checkpointDir = checkpoints.toUri().toString();
        config.outputs.jdbc.batchInterval = Duration.ofMillis(200); // rows may reach PostgreSQL before the checkpoint
        Configuration retain = new Configuration();
        retain.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        it.send(phaseA());
        JobClient first = it.start(config, retain, "segment pipeline IT, first run");
        int committedAtCancel;
        try (PipelineIt.Reader updates = it.reader(it.segments)) {
            // phase A's changes are committed: a checkpoint after them has completed
            awaitChanges(updates, EXPECTED_A);
            it.send(phaseA2());
            // phase A2's changes are in PostgreSQL (the JDBC sink flushes every 200 ms); the checkpoint interval is
            // 1 s, so they may or may not be committed to Kafka yet: cancel now
            it.awaitRows("select user_id || ' ' || action || ' ' || segment from segment_changes",
                    rows -> rows.size() >= EXPECTED_A.size() + EXPECTED_A2.size());
        } catch (AssertionError e) {
            System.out.println("SegmentPipelineIT failed; " + it.describe());
            throw e;
        } finally {
            PipelineIt.cancel(first);
        }
        try (PipelineIt.Reader updates = it.reader(it.segments)) {
            committedAtCancel = updates.drain(Duration.ofSeconds(2)).size();
        }
        Path restoreFrom = latestCheckpoint(checkpoints.resolve(first.getJobID().toHexString()));
        System.out.printf("SegmentPipelineIT: cancelled with %d of %d changes committed to Kafka; restoring %s%n",
                committedAtCancel, EXPECTED_A.size() + EXPECTED_A2.size(), restoreFrom.getFileName());

        it.send(phaseB()); // while no job runs
        Configuration restore = new Configuration(retain);
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        JobClient second = it.start(config, restore, "segment pipeline IT, restored");
        try (PipelineIt.Reader updates = it.reader(it.segments)) {
            List<Change> onKafka = awaitChanges(updates, EXPECTED);
            assertThat(onKafka).extracting(c -> c.id).as("no change id twice on segment.updates")
                    .doesNotHaveDuplicates();
            assertThat(summaries(onKafka)).as("the uninterrupted run's changes, each once")
                    .containsExactlyInAnyOrderElementsOf(EXPECTED);
            assertTablesMatch(onKafka);
        } catch (AssertionError e) {
            System.out.println("SegmentPipelineIT failed; " + it.describe());
            throw e;
        } finally {
            PipelineIt.cancel(second);
        }
    }

    private JobConfig config() {
        JobConfig config = it.config();
        config.segments.rfm.enabled = false; // RFM scores change at every recency cut point: a list of its own
        return config;
    }

    /**
     * The topic's changes once the expected ones are there (matched by summary), and nothing more after a few quiet
     * seconds: a duplicate or an unexpected change arriving late is kept and fails the caller's assertions.
     */
    private List<Change> awaitChanges(PipelineIt.Reader updates, List<String> expected) {
        List<String> got =
                summaries(parse(updates.pollUntil(records -> summaries(parse(records)).containsAll(expected))));
        assertThat(got).as("segment.updates within %s", PipelineIt.TIMEOUT).containsAll(expected);
        return parse(updates.drain(Duration.ofSeconds(3)));
    }

    /**
     * segment_changes holds exactly the topic's changes (same ids, users, segments, actions, event times and
     * entered_at; the table's key makes a second row of an id impossible, so also compare the counts), and
     * segment_membership holds the ENTERs of the topic not followed by an EXIT, which are the expected members.
     */
    private void assertTablesMatch(List<Change> onKafka) throws Exception {
        String changes = "select change_id, user_id, segment, action, (extract(epoch from event_time) * 1000)::bigint,"
                + " (extract(epoch from entered_at) * 1000)::bigint from segment_changes";
        List<String> table = it.awaitRows(changes, rows -> rows.size() >= onKafka.size());
        assertThat(table).as("segment_changes = segment.updates")
                .containsExactlyInAnyOrderElementsOf(onKafka.stream().map(Change::row).collect(Collectors.toList()));

        Map<String, Change> open = new TreeMap<>(); // user + segment -> the ENTER in force
        onKafka.stream().sorted(Comparator.comparingLong((Change c) -> c.eventTime)
                .thenComparing(c -> c.action.equals("ENTER") ? 1 : 0)) // an EXIT and an ENTER at one time: EXIT first
                .forEach(c -> {
                    if (c.action.equals("ENTER")) {
                        assertThat(open.put(c.user + " " + c.segment, c)).as("ENTER while a member: %s", c).isNull();
                    } else {
                        Change entered = open.remove(c.user + " " + c.segment);
                        assertThat(entered).as("EXIT without an ENTER: %s", c).isNotNull();
                        assertThat(c.enteredAt).as("EXIT's entered_at: %s", c).isEqualTo(entered.eventTime);
                    }
                });
        List<String> expectedMembers = open.values().stream()
                .map(c -> c.user + " | " + c.segment + " | " + c.eventTime).collect(Collectors.toList());
        List<String> members = it.awaitRows("select user_id, segment, (extract(epoch from entered_at) * 1000)::bigint"
                + " from segment_membership", rows -> rows.size() == expectedMembers.size()
                && rows.containsAll(expectedMembers));
        assertThat(members).as("segment_membership = the ENTERs not followed by an EXIT")
                .containsExactlyInAnyOrderElementsOf(expectedMembers);
        assertThat(open.values().stream().map(c -> unsuffixed(c.user) + " " + c.segment + " @" + offset(c.eventTime))
                .collect(Collectors.toList())).containsExactlyInAnyOrderElementsOf(MEMBERS);
    }

    // ---- the input ----

    /** Day 0: a buyer (1500), a shopper who abandons a cart, a churner who views once; a clock at day 1. */
    private List<String> phaseA() {
        return List.of(
                event("view", "shopper", HOUR, 20),
                event("cart_add", "shopper", HOUR + MIN, 20), // no purchase: CART_ABANDONED at 01:31
                event("purchase", "buyer", 2 * HOUR, 1500),
                event("view", "churner", 3 * HOUR, 20),
                event("view", "clock", DAY, 0));
    }

    /** Day 7: a second buyer (200); a clock at day 8. */
    private List<String> phaseA2() {
        return List.of(
                event("purchase", "buyer2", 7 * DAY + HOUR, 200),
                event("view", "clock", 8 * DAY, 0));
    }

    /**
     * Days 20-62: the clock (never quiet for 30 days itself) moves event time on, a second shopper abandons a cart at
     * day 40; the last event, at day 62, takes the watermark to 62 days - 5 s.
     */
    private List<String> phaseB() {
        return List.of(
                event("view", "clock", 20 * DAY, 0),
                event("view", "clock", 35 * DAY, 0),
                event("view", "shopper2", 40 * DAY, 30),
                event("cart_add", "shopper2", 40 * DAY + MIN, 30),
                event("view", "clock", 50 * DAY, 0),
                event("view", "clock", 62 * DAY, 0));
    }

    private String event(String type, String user, long offset, double price) {
        return String.format("{\"event_id\":\"e%d-%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"sku-1\",\"price\":%s}", ids++, it.run, type, user(user), T0 + offset, price);
    }

    private String user(String name) {
        return name + "-" + it.run;
    }

    private String unsuffixed(String user) {
        return user.substring(0, user.length() - it.run.length() - 1);
    }

    // ---- the output ----

    /** A change as segment.updates carries it. */
    record Change(String id, String user, String segment, String action, long eventTime, long enteredAt) {
        /** As the segment_changes query gives it. */
        String row() {
            return String.join(" | ", id, user, segment, action, Long.toString(eventTime), Long.toString(enteredAt));
        }
    }

    private static List<Change> parse(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> {
            try {
                JsonNode n = JSON.readTree(r.value());
                assertThat(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))
                        .as("keyed by user").isEqualTo(n.path("user_id").asText());
                return new Change(n.path("change_id").asText(), n.path("user_id").asText(),
                        n.path("segment").asText(), n.path("action").asText(),
                        Instant.parse(n.path("event_time").asText()).toEpochMilli(),
                        Instant.parse(n.path("entered_at").asText()).toEpochMilli());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).collect(Collectors.toList());
    }

    private List<String> summaries(List<Change> changes) {
        return changes.stream().map(c -> unsuffixed(c.user) + " " + c.action + " " + c.segment + " @"
                + offset(c.eventTime)).collect(Collectors.toList());
    }

    private static String offset(long t) {
        long o = t - T0;
        return String.format("%dd%02d:%02d", o / DAY, o % DAY / HOUR, o % HOUR / MIN);
    }

    /** The retained checkpoint with the highest number: {@code <dir>/chk-<n>} with its {@code _metadata}. */
    private static Path latestCheckpoint(Path jobDir) throws IOException {
        Function<Path, Long> number = p -> Long.parseLong(p.getFileName().toString().substring(4));
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(Comparator.comparing(number))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint in " + jobDir));
        }
    }
}
