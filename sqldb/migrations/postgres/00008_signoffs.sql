-- +goose Up
-- The sign-off of each step that has one: its state, the configuration
-- copied from the template, who requested what, the final approval and
-- delegations of the current cycle. Every change bumps revision; actions
-- are applied with a guarded update on (state, revision).
CREATE TABLE signoffs (
    item_id               TEXT NOT NULL REFERENCES items (id),
    step_id               TEXT NOT NULL,
    state                 TEXT NOT NULL CHECK (state IN ('NOT_STARTED', 'WAITING_FOR_FEEDBACK', 'WAITING_FOR_APPROVAL', 'APPROVED', 'REJECTED', 'ABANDONED')),
    cycle                 INTEGER NOT NULL,
    revision              BIGINT NOT NULL,
    config                TEXT NOT NULL,
    -- gating: the configuration gates deployment (lists filter on it).
    gating                BOOLEAN NOT NULL DEFAULT FALSE,
    feedback_requested_by TEXT NOT NULL DEFAULT '',
    approval_requested_by TEXT NOT NULL DEFAULT '',
    notified              TEXT NOT NULL DEFAULT '[]',
    approval              TEXT,
    delegates             TEXT NOT NULL DEFAULT '{}',
    state_before_abandon  TEXT NOT NULL DEFAULT '',
    updated_at            BIGINT NOT NULL,
    PRIMARY KEY (item_id, step_id)
);
-- "My tasks" reads the sign-offs waiting for someone, newest first.
CREATE INDEX signoffs_waiting ON signoffs (state, updated_at);
CREATE INDEX signoffs_gating ON signoffs (item_id) WHERE gating;

-- The cycles a reset closed: how each ended. Their feedback stays below.
CREATE TABLE signoff_cycles (
    item_id  TEXT NOT NULL,
    step_id  TEXT NOT NULL,
    cycle    INTEGER NOT NULL,
    state    TEXT NOT NULL,
    approval TEXT,
    reset_by TEXT NOT NULL,
    reset_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, step_id, cycle),
    FOREIGN KEY (item_id, step_id) REFERENCES signoffs (item_id, step_id)
);

-- Feedback of every cycle; a reset starts a new cycle and keeps these.
CREATE TABLE signoff_feedback (
    id         TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL,
    step_id    TEXT NOT NULL,
    cycle      INTEGER NOT NULL,
    group_id   TEXT NOT NULL,
    author     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('APPROVED', 'MINOR_ISSUE', 'MAJOR_ISSUE')),
    comment    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    FOREIGN KEY (item_id, step_id) REFERENCES signoffs (item_id, step_id)
);
-- One feedback per reviewer and group in a cycle: a second is an edit.
CREATE UNIQUE INDEX signoff_feedback_author ON signoff_feedback (item_id, step_id, cycle, group_id, author);
