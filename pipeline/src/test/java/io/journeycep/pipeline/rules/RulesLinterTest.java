package io.journeycep.pipeline.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.journeycep.patterns.spec.Finding;
import io.journeycep.patterns.spec.PatternLint;
import io.journeycep.patterns.spec.PatternSpecReader;
import io.journeycep.pipeline.config.ConfigException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Each mistake the linter rejects, with its exact message, file, line and field; and what it only warns about. */
class RulesLinterTest {

    /** A valid pattern to start from: checkout → payment_failed → no purchase, within 15 min. */
    private static final String HEAD = String.join("\n",
            "patterns:",
            "  - id: p",
            "    kind: JOURNEY_PATTERN",
            "    within: 15m",
            "    steps:",
            "      - name: checkout",
            "        event-types: [checkout]");

    private static List<String> lint(String yaml) {
        return lint(yaml, "rules.yaml");
    }

    private static List<String> lint(String text, String origin) {
        RulesLinter.Result r = RulesLinter.lintDocuments(List.of(PatternSpecReader.read(text, origin)),
                PatternLint.DEFAULT_MAX_WINDOW);
        return r.findings.stream().map(Finding::format).collect(Collectors.toList());
    }

    private static String steps(String... lines) {
        return HEAD + "\n" + String.join("\n", lines) + "\n";
    }

    @Test
    void theExampleAndTheBuiltInsAreClean() throws Exception {
        assertThat(RulesLinter.lint(List.of(Path.of("..", "rules", "examples", "checkout-payment-failed.yaml")),
                PatternLint.DEFAULT_MAX_WINDOW).findings).isEmpty();
        for (String builtIn : List.of("cart-abandonment.yaml", "high-value-browsing.yaml")) {
            RulesLinter.Result r = RulesLinter.lintDocuments(
                    List.of(PatternSpecReader.readResource(builtIn)), PatternLint.DEFAULT_MAX_WINDOW);
            // the built-ins pass, apart from their ids being reserved for themselves
            assertThat(r.findings).extracting(f -> f.message).allMatch(m -> m.contains("a built-in pattern"));
        }
    }

    @Test
    void unknownEventTypeWithSuggestion() {
        assertThat(lint(steps("      - name: failed", "        event-types: [chekout, payment_failed]",
                "      - name: none", "        event-types: [purchase]", "        negate: true")))
                .containsExactly("rules.yaml:9: error: patterns[0].steps[1].event-types[0]: unknown event type"
                        + " 'chekout' (did you mean 'checkout'?); canonical types are view, cart_add, cart_remove,"
                        + " checkout, purchase, login, login_failed, payment_failed, signup, search, page, other");
    }

    @Test
    void negationAtTheEndWithoutAWindow() {
        String yaml = steps("      - name: none", "        event-types: [purchase]", "        negate: true")
                .replace("    within: 15m\n", "");
        assertThat(lint(yaml)).containsExactly("rules.yaml:9: error: patterns[0].steps[1].negate: a negated last"
                + " step needs a window (within): without one, 'no purchase followed' never becomes true and the match"
                + " never completes");
    }

    @Test
    void aPatternWithoutAWindow() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("    within: 15m\n", "");
        assertThat(lint(yaml)).containsExactly("rules.yaml:2: error: patterns[0].within: required: every pattern"
                + " needs a window, so its partial matches expire and its state stays bounded");
    }

    @Test
    void negationAfterAnOptionalStep() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        optional: true", "      - name: none", "        event-types: [purchase]",
                "        negate: true")))
                .containsExactly("rules.yaml:13: error: patterns[0].steps[2].negate: a negation directly after an"
                        + " optional step (steps[1] 'failed') is not supported by Flink CEP; write two patterns, one"
                        + " with and one without the optional step");
    }

    @Test
    void negationAfterALoopThatMayBeEmpty() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        times: {min: 0, max: 3}", "      - name: none", "        event-types: [purchase]",
                "        negate: true")))
                .containsExactly("rules.yaml:13: error: patterns[0].steps[2].negate: a negation directly after an"
                        + " optional step (steps[1] 'failed') is not supported by Flink CEP; write two patterns, one"
                        + " with and one without the optional step");
    }

    @Test
    void negationAsTheFirstStep() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("        event-types: [checkout]", "        event-types: [checkout]\n        negate: true");
        assertThat(lint(yaml)).containsExactly("rules.yaml:8: error: patterns[0].steps[0].negate: a pattern cannot"
                + " start with a negated step: CEP needs an event to start a match; put the negation after a"
                + " positive step");
    }

    @Test
    void unknownFieldInWhere() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        where: [{field: prise, op: \">=\", value: 500}]")))
                .containsExactly("rules.yaml:10: error: patterns[0].steps[1].where[0].field: unknown field 'prise'"
                        + " (did you mean 'price'?); conditions can test price, quantity, itemId, categoryId,"
                        + " currency, sessionId, ip, deviceId, cardId");
    }

    @Test
    void thresholdOfTheWrongType() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        where:", "          - field: price", "            op: \">=\"",
                "            value: \"500\"")))
                .containsExactly("rules.yaml:13: error: patterns[0].steps[1].where[0].value: price is numeric: the"
                        + " value must be a number, was the text '500'");
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        where: [{field: currency, op: \"==\", value: 978}]")))
                .containsExactly("rules.yaml:10: error: patterns[0].steps[1].where[0].value: currency is text: the"
                        + " value must be a string (quote it), was number 978");
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        where: [{field: itemId, op: \">\", value: \"p-1\"}]")))
                .containsExactly("rules.yaml:10: error: patterns[0].steps[1].where[0].op: '>' compares numbers, and"
                        + " itemId is text; use ==, !=, in or not-in");
    }

    @Test
    void windowLongerThanTheStateHorizon() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("within: 15m", "within: 2d");
        assertThat(lint(yaml)).containsExactly("rules.yaml:4: error: patterns[0].within: 2d is longer than the state"
                + " horizon (1d, patterns.max-window): partial matches and look-back events would be kept that long");
    }

    @Test
    void timesMinGreaterThanMax() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        times: {min: 5, max: 3, loop: strict}")))
                .containsExactly("rules.yaml:10: error: patterns[0].steps[1].times: min 5 is greater than max 3");
    }

    @Test
    void skipToAStepThatDoesNotExist() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("    within: 15m", "    within: 15m\n    skip: skip-to-first:faild");
        assertThat(lint(yaml)).containsExactly("rules.yaml:5: error: patterns[0].skip: skip-to-first names 'faild',"
                + " which is not a step of this pattern");
    }

    @Test
    void duplicateIdsAndStepNames() {
        String one = steps("      - name: checkout", "        event-types: [payment_failed]");
        String yaml = one + one.substring("patterns:\n".length());
        assertThat(lint(yaml)).containsExactly(
                "rules.yaml:8: error: patterns[0].steps[1].name: 'checkout' is already the name of steps[0]; step"
                        + " names must be unique within a pattern",
                "rules.yaml:16: error: patterns[1].steps[1].name: 'checkout' is already the name of steps[0]; step"
                        + " names must be unique within a pattern",
                "rules.yaml:10: error: patterns[1].id: 'p' is already the id of rules.yaml patterns[0]; pattern ids"
                        + " must be unique (they are rule ids and operator uids)");
    }

    @Test
    void aVelocityRuleCannotShareAPatternsId() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]") + String.join("\n",
                "velocity:",
                "  - rule-id: p",
                "    event-types: [login_failed]",
                "    dimension: user",
                "    aggregate: count",
                "    threshold: 5",
                "    window: 10m",
                "");
        assertThat(lint(yaml)).containsExactly("rules.yaml:11: error: velocity[0].rule-id: 'p' is already the id of"
                + " rules.yaml patterns[0]; rule ids must be unique, also across patterns and velocity rules (an id is"
                + " the rule_id of its alerts)");
    }

    @Test
    void aBuiltInIdIsReserved() {
        String yaml = steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("id: p", "id: cart-abandonment");
        assertThat(lint(yaml)).containsExactly("rules.yaml:2: error: patterns[0].id: 'cart-abandonment' is already"
                + " the id of a built-in pattern; pattern ids must be unique (they are rule ids and operator uids)");
    }

    @Test
    void unknownFieldsAndValues() {
        String yaml = steps("      - name: failed", "        evnt-types: [payment_failed]",
                "        contiguity: loose");
        assertThat(lint(yaml)).containsExactly(
                "rules.yaml:9: error: patterns[0].steps[1].evnt-types: unknown field 'evnt-types' (did you mean"
                        + " 'event-types'?); expected name, event-types, where, contiguity, times, optional, negate,"
                        + " until",
                "rules.yaml:8: error: patterns[0].steps[1].event-types: required: a list of canonical event types",
                "rules.yaml:10: error: patterns[0].steps[1].contiguity: unknown value 'loose'; one of strict, relaxed,"
                        + " any");
    }

    @Test
    void aTypoDoesNotHideTheOtherMistakesOfThePattern() {
        String yaml = steps("      - name: failed", "        event-types: [chekout]", "        optional: true",
                "      - name: none", "        event-types: [purchase]", "        negate: true")
                .replace("within: 15m", "within: 2d");
        assertThat(lint(yaml)).extracting(l -> l.substring(0, l.indexOf(": ", l.indexOf("error: ") + 7)))
                .containsExactly(
                        "rules.yaml:9: error: patterns[0].steps[1].event-types[0]",
                        "rules.yaml:4: error: patterns[0].within",
                        "rules.yaml:13: error: patterns[0].steps[2].negate");
    }

    @Test
    void untilOnlyOnOpenEndedLoops() {
        assertThat(lint(steps("      - name: failed", "        event-types: [payment_failed]",
                "        times: {min: 1, max: 3, loop: strict}", "        until: {event-types: [purchase]}")))
                .containsExactly("rules.yaml:11: error: patterns[0].steps[1].until: only an open-ended loop (times"
                        + " with min and no max) can have until");
    }

    @Test
    void velocityRulesAreCheckedAsInTheConfig() {
        String yaml = String.join("\n",
                "velocity:",
                "  - rule-id: too-many-failures",
                "    event-types: [payment_failed]",
                "    dimension: card",
                "    aggregate: count",
                "    threshold: 2.5",
                "    window: 1h",
                "  - rule-id: other",
                "    event-types: [login_failed]",
                "    dimension: user",
                "    aggregate: count",
                "    threshold: 5",
                "    windw: 10m",
                "");
        assertThat(lint(yaml)).containsExactly(
                "rules.yaml:13: error: velocity[1].windw: Unrecognized field \"windw\" (class"
                        + " io.journeycep.pipeline.config.VelocityRuleSpec), not marked as ignorable");
        assertThat(lint(yaml.replace("    windw: 10m", "    window: 10m"))).containsExactly(
                "rules.yaml:6: error: velocity[0].threshold: a count threshold must be a whole number, was 2.5");
    }

    @Test
    void warningsForPatternsThatKeepManyPartialMatches() {
        String yaml = String.join("\n",
                "patterns:",
                "  - id: busy",
                "    kind: RISK_PATTERN",
                "    within: 6h",
                "    skip: no-skip",
                "    steps:",
                "      - name: views",
                "        event-types: [view]",
                "        times: {min: 2}",
                "      - name: fail",
                "        event-types: [payment_failed]",
                "        contiguity: any",
                "");
        assertThat(lint(yaml)).containsExactly(
                "rules.yaml:9: warning: patterns[0].steps[0].times: an open-ended loop with relaxed contiguity and"
                        + " no until keeps a partial match for each event it takes until the window closes; add"
                        + " until, a max, or loop: strict",
                "rules.yaml:12: warning: patterns[0].steps[1].contiguity: 'any' (followedByAny) keeps a partial"
                        + " match for every earlier event this step could follow; expect many partial matches per user"
                        + " (prefer relaxed or strict)",
                "rules.yaml:5: warning: patterns[0].skip: no-skip with a looping step (steps[0] 'views') emits a"
                        + " match for every sub-run and keeps their partial matches; use skip-past-last-event for one"
                        + " alert per run",
                "rules.yaml:8: warning: patterns[0].steps[0].event-types: a step that can start a match on 'view'"
                        + " events without conditions, with a 6h window, starts a partial match on most events and"
                        + " keeps it 6h; narrow it (where, starts-after) or shorten the window");
        assertThat(RulesLinter.lintDocuments(List.of(PatternSpecReader.read(yaml, "rules.yaml")),
                PatternLint.DEFAULT_MAX_WINDOW).hasErrors()).isFalse();
    }

    @Test
    void jsonFilesHaveLinesToo() {
        String json = String.join("\n",
                "{\"patterns\": [",
                "  {\"id\": \"p\", \"kind\": \"JOURNEY_PATTERN\", \"within\": \"15m\",",
                "   \"steps\": [",
                "     {\"name\": \"a\", \"event-types\": [\"checkout\"]},",
                "     {\"name\": \"b\", \"event-types\": [\"payment_faild\"]}",
                "   ]}",
                "]}");
        assertThat(lint(json, "rules.json")).containsExactly("rules.json:5: error: patterns[0].steps[1]"
                + ".event-types[0]: unknown event type 'payment_faild' (did you mean 'payment_failed'?); canonical"
                + " types are view, cart_add, cart_remove, checkout, purchase, login, login_failed, payment_failed,"
                + " signup, search, page, other");
    }

    @Test
    void syntaxErrorsNameTheLine() {
        assertThat(lint("patterns:\n  - id: p\n    within: [15m\n")).containsExactly("rules.yaml:3: error: not"
                + " valid YAML: while parsing a flow sequence; expected ',' or ']', but got <stream end>");
    }

    @Test
    void theJobFailsFastWithTheSameMessages(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, steps("      - name: failed", "        event-types: [payment_failed]")
                .replace("within: 15m", "within: 2d"));
        assertThatThrownBy(() -> RulesLinter.loadOrFail(List.of(file.toString()), Duration.ofHours(24)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("rules files have errors (max pattern window 1d):\n" + file + ":4: error:"
                        + " patterns[0].within: 2d is longer than the state horizon (1d, patterns.max-window):"
                        + " partial matches and look-back events would be kept that long");
        assertThat(RulesLinter.loadOrFail(List.of(file.toString()), Duration.ofDays(3)).patterns).hasSize(1);
    }
}
