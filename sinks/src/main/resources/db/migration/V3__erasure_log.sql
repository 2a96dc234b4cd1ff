-- journey-cep schema, version 3: the log of executed erasure requests (README "Privacy").
-- erasure_log(erasure_id PK, user_hash, requested_at, executed_at): one row per request of the control topic.
-- erasure_id is <source>@<offset> of the request; user_hash is 'sha256:<hex>' of the user id, or
-- 'hmac-sha256:<hex>' of 'erasure:<user id>' with the pseudonymization key when there is one: never the id.
-- executed_at is the latest time the request's rows were deleted (a replayed request deletes again).
-- The deletes use V1's alerts_subject_key_idx, segment_changes_user_idx and segment_membership's primary key.

CREATE TABLE erasure_log (
    erasure_id   text PRIMARY KEY,
    user_hash    text NOT NULL,
    requested_at timestamptz NOT NULL,
    executed_at  timestamptz NOT NULL
);
