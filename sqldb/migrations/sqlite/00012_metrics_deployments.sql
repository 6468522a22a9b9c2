-- +goose Up
-- A metric of a model version: one row per (item, name) with what pages
-- read most, kept as points arrive: the latest point of any origin, the
-- latest evaluation and the latest training value.
CREATE TABLE metric_series (
    id             INTEGER PRIMARY KEY,
    item_id        TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('performance', 'drift')),
    count          INTEGER NOT NULL,
    first_time     INTEGER NOT NULL,
    last_time      INTEGER NOT NULL,
    last_origin    TEXT NOT NULL,
    last_value     REAL NOT NULL,
    eval_time      INTEGER,
    eval_origin    TEXT,
    eval_value     REAL,
    training_time  INTEGER,
    -- rollup_base is the finest rollup level the series keeps, chosen by
    -- its density when it grew long enough for rollups.
    rollup_base    INTEGER NOT NULL DEFAULT 0,
    training_value REAL,
    UNIQUE (item_id, name)
);
CREATE INDEX metric_series_name ON metric_series (name);

-- The points; a point is identified by series, time and origin.
CREATE TABLE metric_points (
    series_id INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    origin    TEXT NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (series_id, time, origin)
) WITHOUT ROWID;

-- Aggregates of the points per bucket of fixed width at a few levels
-- (a minute, ten minutes, an hour, a day), kept as points arrive, so that
-- downsampling a long series reads thousands of rows, not millions.
CREATE TABLE metric_rollups (
    series_id   INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    bucket      INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    sum         REAL NOT NULL,
    min         REAL NOT NULL,
    max         REAL NOT NULL,
    last_time   INTEGER NOT NULL,
    last_origin TEXT NOT NULL,
    last_value  REAL NOT NULL,
    PRIMARY KEY (series_id, level, bucket)
) WITHOUT ROWID;

-- Where platforms deploy, and how strictly each place checks governance.
CREATE TABLE deployment_targets (
    name        TEXT PRIMARY KEY,
    stage       TEXT NOT NULL,
    policy      TEXT NOT NULL CHECK (policy IN ('PREVENT', 'WARN', 'NO_CHECK')),
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT NOT NULL
);

-- The deployment history of model versions and bundles.
CREATE TABLE deployments (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL,
    target      TEXT NOT NULL REFERENCES deployment_targets (name),
    status      TEXT NOT NULL CHECK (status IN ('deployed', 'undeployed', 'failed')),
    time        INTEGER NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (item_id, target, time, status)
);
CREATE INDEX deployments_target ON deployments (target, time);

-- The latest check of each item against each target; the events keep
-- every check. cycle is the gating sign-off's cycle at the time, so that
-- a reset ends the lock that a check under PREVENT started.
CREATE TABLE deployment_checks (
    item_id       TEXT NOT NULL,
    target        TEXT NOT NULL,
    decision      TEXT NOT NULL,
    policy        TEXT NOT NULL,
    signoff_state TEXT NOT NULL,
    cycle         INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    PRIMARY KEY (item_id, target)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE deployment_checks;
DROP TABLE deployments;
DROP TABLE deployment_targets;
DROP TABLE metric_rollups;
DROP TABLE metric_points;
DROP TABLE metric_series;
