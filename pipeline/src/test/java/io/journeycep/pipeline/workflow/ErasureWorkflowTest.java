package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.control.ControlRecord;
import io.journeycep.pipeline.control.ControlSources;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.IngestRecord;
import io.journeycep.pipeline.ingest.ParserSettings;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.pipeline.testing.CollectingSink;
import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.ErasureRequest;
import io.journeycep.sinks.RejectedEvent;
import io.journeycep.sinks.SegmentChange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Erasure end to end on a MiniCluster at parallelism 2: alice and bob do the same things at the same times (a view, a
 * purchase of 1500, a view, a cart add that is abandoned at 33 min), and alice is erased with a request made at 10 min.
 * Afterwards nothing about alice comes out (no CART_ABANDONED, no segment change after the erasure, no EXIT of the
 * memberships she had), the erasure sinks get her keys with the request's id and hash, and bob's alerts and segment
 * changes are exactly those of a run without the erasure.
 *
 * <p>The events are held back until the control stream has parsed the request (the dead letter of the bad message
 * after it proves that), as in {@code VelocityWorkflowTest}; from then on the erasure gate orders the markers by event
 * time, so the run is deterministic.
 */
class ErasureWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_760_000_000_000L; // 2025-10-09T08:53:20Z
    private static final String CONTROL = "test:control";

    private static String line(String id, String type, String user, long ts, double price) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"p-1\",\"price\":%s}", id, type, user, ts, price);
    }

    private static List<String> events() {
        List<String> lines = new ArrayList<>();
        for (String user : List.of("alice", "bob")) {
            lines.add(line(user + "-1", "view", user, T0, 20));
            lines.add(line(user + "-2", "purchase", user, T0 + MIN, 1500));
            lines.add(line(user + "-3", "view", user, T0 + 2 * MIN, 20));
            lines.add(line(user + "-4", "cart_add", user, T0 + 3 * MIN, 20)); // abandoned at 33 min
        }
        // later traffic of someone else moves event time past the request and the abandonment deadlines
        for (int i = 0; i < 6; i++) {
            lines.add(line("carol-" + i, "view", "carol", T0 + (20 + 10 * i) * MIN, 5));
        }
        return lines;
    }

    /** The events, held back until the gate opens. */
    private static final class GatedEvents implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

        private final String gate;
        private final ArrayList<String> lines;
        private final EventParser parser = new EventParser(ParserSettings.defaults());

        GatedEvents(String gate, List<String> lines) {
            this.gate = gate;
            this.lines = new ArrayList<>(lines);
            GATES.put(gate, new CountDownLatch(1));
        }

        @Override
        public IngestRecord map(Long index) throws Exception {
            if (index == 0 && !GATES.get(gate).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            return parser.parseJson(lines.get(Math.toIntExact(index)).getBytes(StandardCharsets.UTF_8),
                    "file:gated.jsonl", index + 1);
        }
    }

    private record Run(List<Alert> alerts, List<SegmentChange> changes, List<ErasureRequest> erasures,
            List<RejectedEvent> dead) {}

    private static Run run(boolean erase, String backend) throws Exception {
        List<ControlRecord> control = new ArrayList<>();
        if (erase) {
            control.add(ControlRecord.of(CONTROL, 0, null,
                    "{\"type\":\"erasure\",\"user-id\":\"alice\",\"anonymous-ids\":[\"a-alice\"]}"
                            .getBytes(StandardCharsets.UTF_8), T0 + 10 * MIN));
        }
        control.add(ControlRecord.of(CONTROL, 1, null, "{\"type\":\"erasure\"}")); // bad: no user-id
        List<String> lines = events();
        String gate = UUID.randomUUID().toString();
        GatedEvents source = new GatedEvents(gate, lines);

        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.segments.rfm.enabled = false;
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<SegmentChange> changes = new CollectingSink<>();
        CollectingSink<ErasureRequest> erasures = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        JourneyWorkflow.define(env,
                new DataGeneratorSource<>(source, lines.size(), TypeInformation.of(IngestRecord.class)),
                ControlSources.of(control),
                new WorkflowSinks().alerts("alerts", alerts).segmentChanges("segments", changes)
                        .erasures("erasures", erasures).deadLetters("dead", dead)
                        .lateEvents("late", new CollectingSink<>()),
                config);
        JobClient job = env.executeAsync("erasure test");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (dead.results().stream().noneMatch(d -> d.position == 1) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            GatedEvents.GATES.get(gate).countDown();
            job.getJobExecutionResult().get(120, TimeUnit.SECONDS);
        } finally {
            GatedEvents.GATES.remove(gate).countDown();
        }
        return new Run(alerts.results(), changes.results(), erasures.results(), dead.results());
    }

    private static List<String> of(String user, List<Alert> alerts) {
        return alerts.stream().filter(a -> user.equals(a.subjectKey))
                .map(a -> a.kind + " " + a.alertId + " @" + (a.eventTime - T0) / MIN).sorted().toList();
    }

    /**
     * A user's changes as action and segment: the generator reads with two parallel readers, so a user's events may
     * arrive out of order, and an out-of-order event is evaluated at the latest time already evaluated (README
     * "Segments"), which may differ from run to run; what changes is the same.
     */
    private static List<String> changesOf(String user, List<SegmentChange> changes) {
        return changes.stream().filter(c -> user.equals(c.userId))
                .map(c -> c.action + " " + c.segment).sorted().toList();
    }

    @ParameterizedTest(name = "stateBackend={0}")
    @ValueSource(strings = {"hashmap", "rocksdb"})
    void nothingOfTheErasedUserComesOutAfterTheRequestAndTheOtherUserIsUnchanged(String backend) throws Exception {
        Run plain = run(false, backend);
        Run erased = run(true, backend);

        // without the erasure both abandon their carts and go through the time-driven segment changes
        assertThat(of("alice", plain.alerts)).anyMatch(a -> a.startsWith(AlertKind.CART_ABANDONED.name()));
        assertThat(changesOf("alice", plain.changes)).anyMatch(c -> c.startsWith("EXIT"));

        // with it: alice's state went at 10 min; what she had (ENTER at 1 min) was out before, nothing after
        assertThat(of("alice", erased.alerts)).isEmpty();
        assertThat(erased.alerts).noneMatch(a -> a.subjectKey.contains("alice")
                || String.valueOf(a.evidenceJson).contains("alice"));
        assertThat(erased.changes).filteredOn(c -> c.userId.equals("alice"))
                .allSatisfy(c -> assertThat(c.eventTime).isLessThanOrEqualTo(T0 + 10 * MIN))
                .noneMatch(c -> c.action.name().equals("EXIT"));
        // bob: the very same alerts and changes (ids included)
        assertThat(of("bob", erased.alerts)).isNotEmpty().isEqualTo(of("bob", plain.alerts));
        assertThat(changesOf("bob", erased.changes)).isNotEmpty().isEqualTo(changesOf("bob", plain.changes));
        assertThat(of("carol", erased.alerts)).isEqualTo(of("carol", plain.alerts));

        // the erasure sinks get each key once per gate (the detectors' and the journeys'), with id and hash only
        assertThat(erased.erasures).extracting(r -> r.userKey).containsOnly("alice", "anon:a-alice")
                .contains("alice", "anon:a-alice");
        assertThat(erased.erasures).allSatisfy(r -> {
            assertThat(r.erasureId).isEqualTo(CONTROL + "@0");
            assertThat(r.userHash).isEqualTo(Pseudonymizer.plainErasureHash("alice")).doesNotContain("alice");
            assertThat(r.requestedAt).isEqualTo(T0 + 10 * MIN);
        });
        assertThat(plain.erasures).isEmpty();
        // the bad request is a dead letter without its raw bytes (they may hold an id)
        assertThat(erased.dead).singleElement().satisfies(d -> {
            assertThat(d.detail).startsWith("user-id: required");
            assertThat(d.raw).isNull();
        });
    }
}
