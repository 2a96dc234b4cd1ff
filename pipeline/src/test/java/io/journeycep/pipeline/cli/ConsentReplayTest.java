package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A replay with the default consent settings (README "Consent"): a cart abandoned by a user whose Segment consent
 * refuses {@code Marketing} is withheld and counted in the summary's {@code withheld} line, not under the alerts; a
 * user never seen with consent is granted (the default), so a shop that collects none sees what it saw before.
 */
class ConsentReplayTest {
    private static final long MIN = 60_000L;
    private static final long T0 = 1_700_000_000_000L; // 2023-11-14T22:13:20Z

    @TempDir
    Path dir;

    private static String track(String event, String user, long minute, String context) {
        return String.format("{\"type\":\"track\",\"event\":\"%s\",\"messageId\":\"%s-%d\",\"userId\":\"%s\","
                + "\"timestamp\":\"%s\",\"properties\":{\"product_id\":\"i-1\",\"price\":10}%s}", event, user, minute,
                user, Instant.ofEpochMilli(T0 + minute * MIN), context == null ? "" : ",\"context\":" + context);
    }

    @Test
    void aWithheldTriggerIsCountedInTheSummaryAndNotAmongTheAlerts() throws Exception {
        Path input = dir.resolve("events.jsonl");
        String refused = "{\"consent\":{\"categoryPreferences\":{\"Marketing\":false,\"Analytics\":true}}}";
        Files.write(input, List.of(
                track("Product Viewed", "refuser", 0, refused), track("Product Added", "refuser", 1, null),
                track("Product Viewed", "silent", 0, null), track("Product Added", "silent", 1, null)));
        VerbRun r = VerbRun.of("replay", "--input", input.toString(), "--drain", "--state-backend", "hashmap");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out())
                .containsPattern("CART_ABANDONED +1\\n") // silent's; refuser's is withheld
                .containsPattern("  withheld +1   \\(marketing triggers without the user's consent: not sent\\)\\n");
    }
}
