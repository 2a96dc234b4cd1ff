package io.journeycep.pipeline.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the journey report shows, as read from the job's tables by {@link ReportRepository}. Times are UTC; time
 * series are counted per {@link #bucket} starting at each bucket's start.
 *
 * @param generatedAt when the data was read
 * @param since the report's lower time bound (inclusive) or null
 * @param until the report's upper time bound (inclusive) or null
 * @param bucket the width of a time-series bucket
 * @param transitions {@code journey_transitions}: every counted transition (all time; the table has no times)
 * @param segmentSizes {@code segment_membership}: current members per segment
 * @param segmentChanges {@code segment_changes} in the window: ENTER and EXIT per bucket and segment
 * @param netChangeAfter per segment, ENTERs minus EXITs after {@code until} (empty without {@code until}); with
 *     the current sizes it gives the sizes at the end of the window
 * @param alertCounts {@code alerts} in the window: count per bucket and kind
 * @param velocityRules {@code alerts} of kind VELOCITY in the window per {@code rule_id}, most alerts first
 * @param withheld per trigger kind in {@code triggers_withheld}, on the UTC days of the window: the triggers sent and
 *     those withheld for consent, most withheld first (empty when nothing was withheld)
 */
public record ReportData(
        Instant generatedAt,
        Instant since,
        Instant until,
        Bucket bucket,
        List<Transition> transitions,
        Map<String, Long> segmentSizes,
        List<SegmentChangeCount> segmentChanges,
        Map<String, Long> netChangeAfter,
        List<AlertCount> alertCounts,
        List<RuleCount> velocityRules,
        List<Withheld> withheld) {

    /** One row of {@code journey_transitions}. */
    public record Transition(String from, String to, long count) {}

    /** ENTERs and EXITs of one segment in one bucket. */
    public record SegmentChangeCount(Instant bucketStart, String segment, long enters, long exits) {}

    /** Alerts of one kind in one bucket. */
    public record AlertCount(Instant bucketStart, String kind, long count) {}

    /** A velocity rule's alerts: how many, for how many distinct subjects, the latest alert's event time. */
    public record RuleCount(String ruleId, long alerts, long subjects, Instant lastAlert) {}

    /**
     * The triggers of one kind (an alert kind, or {@code SEGMENT_ENTER:<segment>}) sent ({@code alerts}, or the
     * segment's ENTERs in {@code segment_changes}) and withheld for consent ({@code triggers_withheld}).
     */
    public record Withheld(String kind, long sent, long withheld) {
        /** withheld / (sent + withheld). */
        public double share() {
            return sent + withheld == 0 ? 0 : (double) withheld / (sent + withheld);
        }
    }

    /** A report with nothing in it (every section says "no data yet"). */
    public static ReportData empty(Instant generatedAt) {
        return new ReportData(generatedAt, null, null, Bucket.DAY, List.of(), Map.of(), List.of(), Map.of(), List.of(),
                List.of(), List.of());
    }
}
