-- +goose Up
-- Webhooks: where governance events go. The secret signs each delivery, so
-- it is kept as is (unlike API tokens, which are only compared).
CREATE TABLE webhooks (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    secret               TEXT NOT NULL,
    event_types          TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    created_by           TEXT NOT NULL
);

-- The outbox: messages written in the transaction of the change they
-- announce, delivered at least once by a worker. A worker takes a row by
-- setting locked_until; a row whose lease ran out (a crashed worker) is
-- taken again. The id is the delivery id receivers deduplicate on.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('webhook', 'email')),
    target          TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_target ON outbox (target, created_at);

CREATE TABLE outbox_attempts (
    outbox_id   TEXT NOT NULL REFERENCES outbox (id),
    at          INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_attempts_message ON outbox_attempts (outbox_id, at);
