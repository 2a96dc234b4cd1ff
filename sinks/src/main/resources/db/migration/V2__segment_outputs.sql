-- journey-cep schema, version 2: what the segment engine's sinks (issue 5) need in the segment tables of V1.
-- segment_membership(user_id, segment, entered_at, reason, rule_version, PK(user_id, segment)): current members.
-- segment_changes(change_id PK, user_id, segment, action ENTER|EXIT, reason, rule_version, event_time, entered_at,
--   detected_at): every change. entered_at is the start of the membership a change opens (ENTER: its own
--   event_time) or closes (EXIT); JdbcSinks.segmentChanges matches on it so that a replayed EXIT only deletes the
--   membership it closed, and a replayed ENTER does not bring back a membership an EXIT already closed.
--
-- No job wrote these tables before this version; rows put there by hand are kept and backfilled: rule_version 0,
-- entered_at = event_time for an ENTER, the latest earlier ENTER's (or the event_time) for an EXIT.

ALTER TABLE segment_membership ADD COLUMN rule_version integer NOT NULL DEFAULT 0;
ALTER TABLE segment_membership ALTER COLUMN rule_version DROP DEFAULT;

ALTER TABLE segment_changes
    ADD COLUMN rule_version integer NOT NULL DEFAULT 0,
    ADD COLUMN entered_at timestamptz;
UPDATE segment_changes c SET entered_at = COALESCE(
    CASE WHEN c.action = 'EXIT' THEN
        (SELECT max(e.event_time) FROM segment_changes e
         WHERE e.user_id = c.user_id AND e.segment = c.segment AND e.action = 'ENTER' AND e.event_time <= c.event_time)
    END,
    c.event_time);
ALTER TABLE segment_changes
    ALTER COLUMN rule_version DROP DEFAULT,
    ALTER COLUMN entered_at SET NOT NULL;

-- Indexes. Erasure by user: segment_membership's primary key (user_id, segment) and V1's
-- segment_changes_user_idx (user_id, event_time) both lead with user_id. Reports by segment: V1's
-- segment_changes_segment_idx (segment, event_time) and segment_membership_segment_idx (segment).
-- New: the EXITs of a user's segment by the membership they closed, looked up by every ENTER the sink writes.
CREATE INDEX segment_changes_exit_idx ON segment_changes (user_id, segment, entered_at) WHERE action = 'EXIT';
