package io.journeycep.pipeline.control;

import io.journeycep.model.JourneyEvent;
import io.journeycep.pipeline.ingest.WallClock;
import io.journeycep.sinks.RejectedEvent;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The control stream (DESIGN §1: Kafka {@code control} → broadcast): the source ({@value #SOURCE_UID}, watermarks by
 * {@link ControlWatermarks}: for the control topic none, always idle; for a replay's control file in event time, each
 * record at its {@code ts}, so it enters before event time passes it) and {@link ParseControl} ({@value #PARSE_UID}),
 * both with parallelism 1. Valid messages are what the rule stages broadcast; bad ones are dead letters.
 *
 * <p>Parallelism 1 is deliberate: control traffic is tiny, and with one upstream instance every parallel instance of
 * a broadcast operator receives the messages in the same order, so their copies of the rule book make the same
 * decisions (Flink orders a broadcast only per upstream channel).
 */
public final class ControlStage {
    public static final String SOURCE_UID = "control-source";
    public static final String PARSE_UID = "control-parse";
    /** The empty control stream of a job without a control topic. */
    public static final String NONE_UID = "control-none";

    static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("rejected-control-messages", TypeInformation.of(RejectedEvent.class));

    private ControlStage() {}

    /** The parsed messages and the dead letters of the control stream. */
    public static final class Output {
        public final DataStream<ControlMessage> messages;
        public final DataStream<RejectedEvent> rejected;

        Output(DataStream<ControlMessage> messages, DataStream<RejectedEvent> rejected) {
            this.messages = messages;
            this.rejected = rejected;
        }
    }

    /**
     * @param events the events the control messages are broadcast beside; used only when {@code source} is
     *     {@code null}
     * @param source the control records; {@code null} when the job has no control topic (replays, file runs, or
     *     {@code source.kafka.control-topic} empty): then the control stream is empty and derived from {@code
     *     events} ({@value #NONE_UID}), so it has exactly their watermarks and idleness and ends when they end (a
     *     bounded run still finishes; an unbounded one is never moved to the end of time by a finished input)
     */
    public static Output apply(
            DataStream<JourneyEvent> events, Source<ControlRecord, ?, ?> source, WallClock clock) {
        return apply(events, source, clock, 365);
    }

    /** @param segmentHorizonDays the longest window a segment rule on the topic may use */
    public static Output apply(DataStream<JourneyEvent> events, Source<ControlRecord, ?, ?> source, WallClock clock,
            int segmentHorizonDays) {
        return apply(events, source, clock, segmentHorizonDays, null);
    }

    /**
     * @param pseudonymizer the events' pseudonymizer, or {@code null}: erasure requests get the ids the state holds
     *     (see {@link ControlMessageParser})
     */
    public static Output apply(DataStream<JourneyEvent> events, Source<ControlRecord, ?, ?> source, WallClock clock,
            int segmentHorizonDays, io.journeycep.pipeline.privacy.Pseudonymizer pseudonymizer) {
        SingleOutputStreamOperator<ControlMessage> messages;
        if (source == null) {
            messages = events
                    .flatMap(new NoControl(), TypeInformation.of(ControlMessage.class))
                    .name("no control topic")
                    .uid(NONE_UID);
        } else {
            messages = events.getExecutionEnvironment()
                    .fromSource(source, ControlSources.isInEventTime(source)
                                    ? ControlWatermarks.atRecordTimes() : ControlWatermarks.<ControlRecord>strategy(),
                            "control",
                            TypeInformation.of(ControlRecord.class))
                    .uid(SOURCE_UID)
                    .setParallelism(1)
                    .process(new ParseControl(new ControlMessageParser(clock, segmentHorizonDays, pseudonymizer), REJECTED),
                            TypeInformation.of(ControlMessage.class))
                    .name("parse control messages")
                    .uid(PARSE_UID)
                    .setParallelism(1);
        }
        return new Output(messages, messages.getSideOutput(REJECTED));
    }

    /**
     * The valid messages of a control source whose records are known before the job runs ({@link
     * ControlSources#knownRecords}), parsed as {@link ParseControl} will parse them; empty for the control topic.
     */
    public static java.util.Optional<java.util.List<ControlMessage>> knownMessages(Source<ControlRecord, ?, ?> source,
            WallClock clock, int segmentHorizonDays, io.journeycep.pipeline.privacy.Pseudonymizer pseudonymizer) {
        if (source == null) {
            return java.util.Optional.empty();
        }
        ControlMessageParser parser = new ControlMessageParser(clock, segmentHorizonDays, pseudonymizer);
        return ControlSources.knownRecords(source).map(records -> records.stream()
                .map(parser::parse).filter(ControlMessageParser.Result::isAccepted).map(r -> r.message).toList());
    }

    /**
     * The rule messages of {@code control} (velocity and segment rules) at their time, for the rule stages' broadcast
     * inputs: for a control source in event time ({@link ControlSources#isInEventTime}, a replay's {@code --control}
     * file) each is held until the events' watermark reaches its {@code ts} ({@link RuleChangesAtTheirTime}); for any
     * other source (the control topic) {@code control.messages} as they arrive.
     */
    public static DataStream<ControlMessage> rulesAtTheirTime(Output control, DataStream<JourneyEvent> events,
            Source<ControlRecord, ?, ?> source) {
        if (source == null || !ControlSources.isInEventTime(source)) {
            return control.messages;
        }
        DataStream<ControlMessage> eventTime = events
                .flatMap(new NoControl(), TypeInformation.of(ControlMessage.class))
                .name("events' watermarks for the rule changes")
                .uid(RuleChangesAtTheirTime.UID + "-event-time");
        return control.messages.union(eventTime)
                .transform(RuleChangesAtTheirTime.NAME, TypeInformation.of(ControlMessage.class),
                        new RuleChangesAtTheirTime())
                .uid(RuleChangesAtTheirTime.UID)
                .setParallelism(1);
    }

    /** Emits nothing; only its watermarks and end of input matter. */
    private static final class NoControl implements FlatMapFunction<JourneyEvent, ControlMessage> {
        private static final long serialVersionUID = 1L;

        @Override
        public void flatMap(JourneyEvent event, Collector<ControlMessage> out) {}
    }
}
