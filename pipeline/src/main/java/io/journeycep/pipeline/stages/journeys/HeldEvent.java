package io.journeycep.pipeline.stages.journeys;

/** What the session stage keeps of an event until the watermark passes it (then events are taken in order). */
public class HeldEvent {
    public String eventId;
    public String state;
    public String sessionId;
    public long timestamp;
    public long position;

    public HeldEvent() {}
}
