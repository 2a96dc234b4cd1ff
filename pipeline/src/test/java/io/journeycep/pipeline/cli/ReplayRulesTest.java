package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code replay --rules FILE}: a new rule tried on history. The file's pattern runs besides the built-ins, its
 * velocity rules replace the config's, and the summary prints how many alerts each rule fired.
 */
class ReplayRulesTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private static String event(String id, String type, String user, long minute) {
        return String.format("{\"event_id\":\"%s\",\"event_type\":\"%s\",\"user_id\":\"%s\",\"ts\":%d,"
                + "\"item_id\":\"i-%s\",\"price\":10.0,\"card_id\":\"card-%s\"}", id, type, user, T0 + minute * MIN, id,
                user);
    }

    @Test
    void replayWithARulesFileCountsAlertsPerRule() throws Exception {
        List<String> lines = new ArrayList<>();
        // two failed checkouts without a purchase, one saved by a purchase
        for (String u : List.of("a", "b", "c")) {
            lines.add(event(u + "-c", "checkout", u, 0));
            lines.add(event(u + "-f1", "payment_failed", u, 1));
            lines.add(event(u + "-f2", "payment_failed", u, 2));
        }
        lines.add(event("c-p", "purchase", "c", 5));
        // one abandoned cart (a built-in, still running)
        lines.add(event("d-v", "view", "d", 0));
        lines.add(event("d-c", "cart_add", "d", 1));
        // five failed logins: the config's default velocity rule would fire; the file's rules replace it
        for (int i = 0; i < 5; i++) {
            lines.add(event("e-lf" + i, "login_failed", "e", i));
        }
        lines.add(event("z-v", "view", "z", 300));
        Path input = dir.resolve("events.jsonl");
        Files.write(input, lines);
        Path rules = dir.resolve("try.yaml");
        Files.writeString(rules, Files.readString(Path.of("..", "rules", "examples", "checkout-payment-failed.yaml"))
                + String.join("\n",
                "velocity:",
                "  - rule-id: payment-failed-twice-per-card",
                "    event-types: [payment_failed]",
                "    dimension: card",
                "    aggregate: count",
                "    threshold: 2",
                "    window: 10m",
                ""));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        int code;
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            code = ReplayVerb.run(new String[] {"replay", "--input", input.toString(), "--rules", rules.toString(),
                    "--state-backend", "hashmap"});
        } finally {
            System.setOut(previous);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(out).isZero();
        assertThat(out)
                .containsPattern("JOURNEY_PATTERN +2\\n")
                .containsPattern("CART_ABANDONED +1\\n")
                .containsPattern("VELOCITY +3\\n")
                .contains(String.format("  alerts by rule%n"
                        + "    cart-abandonment                      1%n"
                        + "    checkout-payment-failed               2%n"
                        + "    high-value-browsing                   0%n"
                        + "    path-anomaly                          0%n" // journeys (on by default)
                        + "    payment-failed-twice-per-card         3%n"
                        + "  job runtime"));
        assertThat(out).as("the config's login-failed rule was replaced").doesNotContain("login-failed-per-user");
    }
}
