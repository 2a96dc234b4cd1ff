-- journey-cep schema, version 4: the triggers withheld for consent (issue 15, README "Consent").
-- triggers_withheld(kind, day, withheld, updated_at, PK(kind, day)): per trigger kind and UTC day of the triggers'
-- event time, how many the job did not send because the user had not granted their consent category. kind is the
-- alert kind (CART_ABANDONED, HIGH_VALUE_BROWSING, JOURNEY_PATTERN, ...) or 'SEGMENT_ENTER:<segment>'. withheld is an
-- absolute count from the job's state (upserted, never incremented); updated_at is the event time of the latest
-- trigger counted. No user is named: a withheld trigger leaves nothing about its user in the outputs.

CREATE TABLE triggers_withheld (
    kind        text        NOT NULL,
    day         date        NOT NULL,
    withheld    bigint      NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (kind, day)
);
