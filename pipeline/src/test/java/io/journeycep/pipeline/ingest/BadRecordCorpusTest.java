package io.journeycep.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.testing.BadRecordCorpus;
import io.journeycep.sinks.RejectReason;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The {@link BadRecordCorpus} through the parser alone (what {@code BadRecordCorpusIT} then runs through the job on
 * Kafka and PostgreSQL): every bad case is rejected with its reason, its raw bytes and its position, never thrown;
 * every hostile-but-valid record is accepted with its user id verbatim.
 */
class BadRecordCorpusTest {
    private static final EventParser PARSER = EventParser.withDefaults(); // the wall clock: 9999 and 2100 are future

    @Test
    void everyBadCaseIsRejectedWithItsReasonRawBytesAndPosition() {
        List<BadRecordCorpus.Case> cases = BadRecordCorpus.rejected();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(50);
        long position = 0;
        for (BadRecordCorpus.Case c : cases) {
            IngestRecord r = PARSER.parseJson(c.raw(), "kafka:events/0", position);
            assertThat(r.event).as("%s was accepted: %s", c.name(), r.event).isNull();
            assertThat(r.rejected.reason).as("%s: %s", c.name(), r.rejected).isEqualTo(c.reason().name());
            assertThat(r.rejected.detail).as(c.name()).isNotBlank();
            assertThat(r.rejected.source).isEqualTo("kafka:events/0");
            assertThat(r.rejected.position).isEqualTo(position);
            assertThat(r.rejected.raw).as("%s: the raw bytes", c.name()).isEqualTo(c.expectedRaw());
            position++;
        }
        Map<RejectReason, Long> byReason = cases.stream()
                .collect(Collectors.groupingBy(BadRecordCorpus.Case::reason, TreeMap::new, Collectors.counting()));
        assertThat(byReason.keySet()).as("every ingestion reason is covered").contains(RejectReason.MALFORMED,
                RejectReason.BAD_ENCODING, RejectReason.TOO_LARGE, RejectReason.UNKNOWN_SHAPE, RejectReason.MISSING_USER,
                RejectReason.MISSING_TIME, RejectReason.BAD_TIME, RejectReason.FUTURE_TIME, RejectReason.MISSING_TYPE,
                RejectReason.BAD_FIELD);
    }

    @Test
    void hostileButValidRecordsAreAcceptedVerbatim() {
        List<BadRecordCorpus.Valid> valid = BadRecordCorpus.valid("run1", BadRecordCorpus.TS);
        long position = 1000;
        for (BadRecordCorpus.Valid v : valid) {
            IngestRecord r = PARSER.parseJson(v.raw(), "kafka:events/0", position++);
            assertThat(r.rejected).as("%s was rejected", v.name()).isNull();
            assertThat(r.event.userId).as(v.name()).isEqualTo(v.user());
        }
        assertThat(BadRecordCorpus.abandoningUsers(valid)).hasSize(6).doesNotHaveDuplicates();
    }
}
