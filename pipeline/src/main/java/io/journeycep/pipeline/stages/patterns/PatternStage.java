package io.journeycep.pipeline.stages.patterns;

import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.pass.UserPassOperator;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.sinks.Alert;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

import java.util.List;

/**
 * The CEP stage: every pattern spec (the built-ins, then the rules files') run in one keyed operator per user, the
 * user's pass ({@link UserPassOperator}, uid {@value #UID}): per spec its look-back, the steps it sees held until the
 * watermark and its Flink CEP NFA, all of a user's state one value, one timer per user. Matches become alerts through
 * {@link PatternAlertFunction}.
 *
 * <p>It keeps the upstream partitioning by user key (no shuffle). Erasure markers (README "Privacy") delete the
 * user's value and timers. Adding or removing a spec changes the value's layout: a savepoint taken with other specs
 * does not restore (the pass's state is new in issue 14; no migration from the per-spec operators).
 */
public final class PatternStage {
    public static final String UID = "user-pass-patterns";
    public static final String NAME = "user pass: patterns (look-back + CEP)";

    private PatternStage() {}

    /**
     * @param events deduplicated, on-time events, already partitioned by {@link JourneyEvent#userKey()} (the output of
     *     a keyed operator on that key)
     * @param countOpenAtTheEnd count, when the input ends, the users with a started match per spec (accumulator
     *     {@code openMatches.<spec id>}; a replay's "open carts")
     */
    public static SingleOutputStreamOperator<Alert> apply(
            DataStream<JourneyEvent> events, List<PatternSpec> specs, boolean countOpenAtTheEnd) {
        UserPassOperator<Alert> pass = new UserPassOperator<>(specs, PatternAlertFunction::new);
        if (countOpenAtTheEnd) {
            pass.countingPendingAtTheEnd();
        }
        return DataStreamUtils.reinterpretAsKeyedStream(events, new UserKey())
                .transform(NAME, TypeInformation.of(Alert.class), pass)
                .uid(UID);
    }

    /** Key of the stage: the user key. */
    public static final class UserKey implements KeySelector<JourneyEvent, String> {
        @Override
        public String getKey(JourneyEvent event) {
            return event.userKey();
        }
    }
}
