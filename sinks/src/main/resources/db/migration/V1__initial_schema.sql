-- journey-cep schema, version 1: the tables of DESIGN.md §4.
-- Applied by io.journeycep.sinks.jdbc.SchemaMigrator inside one transaction and recorded in schema_version.
-- Times are timestamptz (UTC instants). Every table has a key that makes the job's writes idempotent upserts.

-- Alerts (CART_ABANDONED, HIGH_VALUE_BROWSING, VELOCITY, PATH_ANOMALY, DRIFT). alert_id is deterministic
-- (a hash of kind, rule id/version, subject key and evidence ids), so a replay inserts nothing new.
CREATE TABLE alerts (
    alert_id      text             PRIMARY KEY,
    kind          text             NOT NULL,
    rule_id       text,
    rule_version  integer          NOT NULL,
    subject_key   text             NOT NULL,
    score         double precision,
    threshold     double precision,
    window_start  timestamptz,
    window_end    timestamptz,
    evidence      jsonb            NOT NULL DEFAULT '{}'::jsonb,
    event_time    timestamptz      NOT NULL,
    detected_at   timestamptz      NOT NULL
);
CREATE INDEX alerts_kind_event_time_idx ON alerts (kind, event_time);
CREATE INDEX alerts_subject_key_idx ON alerts (subject_key);

-- Current segment members (a row per user and segment while the user is in it).
CREATE TABLE segment_membership (
    user_id     text        NOT NULL,
    segment     text        NOT NULL,
    entered_at  timestamptz NOT NULL,
    reason      text,
    PRIMARY KEY (user_id, segment)
);
CREATE INDEX segment_membership_segment_idx ON segment_membership (segment);

-- Every ENTER/EXIT, keyed by a deterministic change id.
CREATE TABLE segment_changes (
    change_id    text        PRIMARY KEY,
    user_id      text        NOT NULL,
    segment      text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('ENTER', 'EXIT')),
    reason       text,
    event_time   timestamptz NOT NULL,
    detected_at  timestamptz NOT NULL
);
CREATE INDEX segment_changes_user_idx ON segment_changes (user_id, event_time);
CREATE INDEX segment_changes_segment_idx ON segment_changes (segment, event_time);

-- Global Markov transition counts; count is an absolute value from state (upserted, never incremented).
CREATE TABLE journey_transitions (
    from_state  text        NOT NULL,
    to_state    text        NOT NULL,
    count       bigint      NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (from_state, to_state)
);

-- Drift statistics per metric and bucket.
CREATE TABLE drift_stats (
    metric        text             NOT NULL,
    bucket_start  timestamptz      NOT NULL,
    value         double precision,
    mean          double precision,
    stddev        double precision,
    statistic     double precision,
    PRIMARY KEY (metric, bucket_start)
);

-- Dead letters: records the job could not accept, with their raw bytes. (source, position) is
-- kafka:<topic>/<partition> + offset or file:<name> + line.
CREATE TABLE rejected_events (
    source       text        NOT NULL,
    position     bigint      NOT NULL,
    reason       text        NOT NULL,
    detail       text,
    raw          bytea,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (source, position)
);
CREATE INDEX rejected_events_reason_idx ON rejected_events (reason, received_at);
