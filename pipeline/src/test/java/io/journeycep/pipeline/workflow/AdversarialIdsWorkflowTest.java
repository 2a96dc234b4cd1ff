package io.journeycep.pipeline.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.model.UserKeys;
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

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15 part 1 through the whole job (MiniCluster, parallelism 2): user ids chosen to look like anonymous ids (and
 * the other way round) stay identities of their own, for the detectors and for erasure (README "User keys").
 *
 * <ul>
 *   <li>visitor {@code x} views and adds to the cart, user {@code anon:x} buys 3 min later: the visitor's cart is
 *       still abandoned (CART_ABANDONED for {@code anon:x});
 *   <li>user {@code anon:y} views, visitor {@code y} adds to the cart without a view of its own: no alert is made of
 *       the two; user {@code anon:y}'s own cart add later is abandoned with only the user's events as evidence;
 *   <li>user {@code anon:z} views and adds to the cart, user {@code user:anon:z} (the escaped form of the first) buys:
 *       user {@code anon:z}'s cart is abandoned;
 *   <li>visitor {@code v} views and adds to the cart, user {@code a:v} (the identity stitcher's key of visitor
 *       {@code v}) buys: the visitor's cart is abandoned;
 *   <li>visitor {@code café} (composed é) views and adds to the cart, visitor {@code café} (e + combining accent)
 *       buys: the composed one's cart is abandoned (ids are not Unicode-normalised, so they are two visitors);
 *   <li>an erasure of user {@code anon:x} with anonymous id {@code y}, at 10 min, reaches the keys
 *       {@code user:anon:x} and {@code anon:y} only: visitor {@code x}'s cart, added before it, is still abandoned at
 *       31 min, and user {@code anon:y}'s view from before it still makes the user's alert.
 * </ul>
 * Run once with raw ids and once with the anonymous ids pseudonymized (user ids kept raw), where the look-alike user
 * ids are {@code anon:} + the visitor's pseudonym: the pseudonymized form of the same attack.
 */
class AdversarialIdsWorkflowTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_760_000_000_000L;
    private static final String CONTROL = "test:control";
    private static final String KEY = "adversarial-ids-test-key-0123456789abcdef";
    private static final String NFC = "caf\u00e9";
    private static final String NFD = "cafe\u0301";

    @TempDir
    Path dir;

    /** How an anonymous id appears in the job: raw, or its pseudonym. */
    private record Ids(Pseudonymizer pseudonymizer) {
        String anonymousInState(String anonymousId) {
            return pseudonymizer == null ? anonymousId
                    : pseudonymizer.pseudonym(Pseudonymizer.Field.ANONYMOUS, anonymousId);
        }

        /** The key visitor {@code anonymousId} has in the job. */
        String visitorKey(String anonymousId) {
            return UserKeys.anonymous(anonymousInState(anonymousId));
        }

        /** A user id that is the visitor's key as it was before keys were escaped. */
        String lookAlikeUser(String anonymousId) {
            return "anon:" + anonymousInState(anonymousId);
        }
    }

    private static String line(String id, String type, String user, String anon, long offsetMinutes) {
        return "{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\""
                + (user == null ? "" : ",\"user_id\":\"" + user + "\"")
                + (anon == null ? "" : ",\"anonymous_id\":\"" + anon + "\"")
                + ",\"ts\":" + (T0 + offsetMinutes * MIN) + ",\"item_id\":\"p-1\",\"price\":20}";
    }

    private static List<String> events(Ids ids) {
        String anonX = ids.lookAlikeUser("x");
        String anonY = ids.lookAlikeUser("y");
        String anonZ = ids.lookAlikeUser("z");
        List<String> l = new ArrayList<>();
        l.add(line("x-v0", "view", null, "x", 0));
        l.add(line("x-c1", "cart_add", null, "x", 1));
        l.add(line("x-p3", "purchase", anonX, null, 3));
        l.add(line("y-v0", "view", anonY, null, 0));
        l.add(line("y-c1", "cart_add", null, "y", 1));
        l.add(line("y-c12", "cart_add", anonY, null, 12));
        l.add(line("z-v0", "view", anonZ, null, 0));
        l.add(line("z-c1", "cart_add", anonZ, null, 1));
        l.add(line("z-p3", "purchase", "user:" + anonZ, null, 3));
        // later traffic of someone else moves event time past the request and every abandonment deadline
        l.add(line("w-0", "view", "walker", null, 20));
        // the second half: the generator's two readers read one half each, and a scenario stays in one half
        l.add(line("v-v0", "view", null, "v", 0));
        l.add(line("v-c1", "cart_add", null, "v", 1));
        l.add(line("v-p3", "purchase", "a:" + ids.anonymousInState("v"), null, 3));
        l.add(line("nfc-v0", "view", null, NFC, 0));
        l.add(line("nfc-c1", "cart_add", null, NFC, 1));
        l.add(line("nfd-p3", "purchase", null, NFD, 3));
        for (int i = 1; i < 5; i++) {
            l.add(line("w-" + i, "view", "walker", null, 20 + 10 * i));
        }
        return l;
    }

    /** The events, held back (in both readers) until the control stream has parsed the request. */
    private static final class GatedEvents implements GeneratorFunction<Long, IngestRecord> {
        private static final long serialVersionUID = 1L;
        static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

        private final String gate;
        private final ArrayList<String> lines;
        private final EventParser parser;

        GatedEvents(String gate, List<String> lines, Pseudonymizer pseudonymizer) {
            this.gate = gate;
            this.lines = new ArrayList<>(lines);
            this.parser = new EventParser(ParserSettings.defaults().withPseudonymizer(pseudonymizer));
            GATES.put(gate, new CountDownLatch(1));
        }

        @Override
        public IngestRecord map(Long index) throws Exception {
            if (!GATES.get(gate).await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never opened the gate");
            }
            return parser.parseJson(lines.get(Math.toIntExact(index)).getBytes(StandardCharsets.UTF_8),
                    "file:gated.jsonl", index + 1);
        }
    }

    private record Run(List<Alert> alerts, List<ErasureRequest> erasures) {}

    private Run run(JobConfig config, Ids ids) throws Exception {
        String request = "{\"type\":\"erasure\",\"user-id\":\"" + ids.lookAlikeUser("x")
                + "\",\"anonymous-ids\":[\"y\"]}";
        List<ControlRecord> control = List.of(
                ControlRecord.of(CONTROL, 0, null, request.getBytes(StandardCharsets.UTF_8), T0 + 10 * MIN),
                ControlRecord.of(CONTROL, 1, null, "{\"type\":\"erasure\"}")); // bad: its dead letter opens the gate
        List<String> lines = events(ids);
        String gate = UUID.randomUUID().toString();
        GatedEvents source = new GatedEvents(gate, lines, ids.pseudonymizer);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        CollectingSink<Alert> alerts = new CollectingSink<>();
        CollectingSink<ErasureRequest> erasures = new CollectingSink<>();
        CollectingSink<RejectedEvent> dead = new CollectingSink<>();
        JourneyWorkflow.define(env,
                new DataGeneratorSource<>(source, lines.size(), TypeInformation.of(IngestRecord.class)),
                ControlSources.of(control),
                new WorkflowSinks().alerts("alerts", alerts).segmentChanges("segments", new CollectingSink<>())
                        .erasures("erasures", erasures).deadLetters("dead", dead)
                        .lateEvents("late", new CollectingSink<>()),
                config);
        JobClient job = env.executeAsync("adversarial ids test");
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
        assertThat(dead.results()).as("every event was accepted").singleElement()
                .satisfies(d -> assertThat(d.position).isEqualTo(1));
        return new Run(alerts.results(), erasures.results());
    }

    private JobConfig config(boolean pseudonymized) throws Exception {
        JobConfig config = new JobConfig();
        config.eventTime.quietPeriod = null;
        config.eventTime.idleTimeout = null;
        config.segments.rfm.enabled = false;
        if (pseudonymized) {
            Path keyFile = dir.resolve("pseudonymization.key");
            Files.writeString(keyFile, KEY + "\n");
            config.privacy.pseudonymize = true;
            config.privacy.keyFile = keyFile.toString();
            config.privacy.fields = new ArrayList<>(List.of("anonymous"));
        }
        return config;
    }

    @ParameterizedTest(name = "pseudonymized={0}")
    @ValueSource(booleans = {false, true})
    void eachIdStaysItsOwnIdentityForTheDetectorsAndForErasure(boolean pseudonymized) throws Exception {
        JobConfig config = config(pseudonymized);
        Ids ids = new Ids(config.pseudonymizer());
        Run run = run(config, ids);

        List<Alert> carts = run.alerts.stream().filter(a -> a.kind == AlertKind.CART_ABANDONED).toList();
        String userAnonY = UserKeys.user(ids.lookAlikeUser("y"));
        assertThat(carts).extracting(a -> a.subjectKey).containsExactlyInAnyOrder(
                ids.visitorKey("x"), // not closed by user anon:x's purchase, not erased with user anon:x
                userAnonY, // the user's own cart, from the view before the erasure of visitor y
                UserKeys.user(ids.lookAlikeUser("z")), // not closed by user user:anon:z's purchase
                ids.visitorKey("v"), // not closed by user a:v's purchase
                ids.visitorKey(NFC)); // not closed by the decomposed look-alike's purchase
        assertThat(carts).allSatisfy(a -> assertThat(a.subjectKey).doesNotContain(ids.anonymousInState(NFD)));
        assertThat(carts).filteredOn(a -> a.subjectKey.equals(ids.visitorKey("x"))).singleElement()
                .satisfies(a -> {
                    assertThat(a.evidenceEventIds).containsExactly("x-v0", "x-c1");
                    assertThat(a.eventTime).as("after the erasure of user anon:x").isEqualTo(T0 + 31 * MIN);
                });
        assertThat(carts).filteredOn(a -> a.subjectKey.equals(userAnonY)).singleElement()
                .satisfies(a -> assertThat(a.evidenceEventIds).as("visitor y's cart add is not the user's")
                        .contains("y-v0", "y-c12").doesNotContain("y-c1"));
        assertThat(run.alerts).as("no alert of any kind for visitor y or made of its cart add")
                .noneMatch(a -> a.subjectKey.equals(ids.visitorKey("y")) || a.evidenceEventIds.contains("y-c1"));

        // the erasure reaches exactly the request's two identities (once per gate), so its deletes by key reach no
        // other identity's rows
        assertThat(run.erasures).extracting(r -> r.userKey)
                .containsOnly(UserKeys.user(ids.lookAlikeUser("x")), ids.visitorKey("y"))
                .contains(UserKeys.user(ids.lookAlikeUser("x")), ids.visitorKey("y"));
        assertThat(UserKeys.user(ids.lookAlikeUser("x"))).isNotEqualTo(ids.visitorKey("x"));
    }
}
