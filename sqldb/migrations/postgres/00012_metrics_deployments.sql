-- +goose Up
-- A metric of a model version: one row per (item, name) with what pages
-- read most, kept as points arrive: the latest point of any origin, the
-- latest evaluation and the latest training value.
CREATE TABLE metric_series (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id        TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('performance', 'drift')),
    count          BIGINT NOT NULL,
    first_time     BIGINT NOT NULL,
    last_time      BIGINT NOT NULL,
    last_origin    TEXT COLLATE "C" NOT NULL,
    last_value     DOUBLE PRECISION NOT NULL,
    eval_time      BIGINT,
    eval_origin    TEXT COLLATE "C",
    eval_value     DOUBLE PRECISION,
    training_time  BIGINT,
    training_value DOUBLE PRECISION,
    UNIQUE (item_id, name)
);
CREATE INDEX metric_series_name ON metric_series (name);

-- The points; a point is identified by series, time and origin. Origins
-- compare byte by byte, as the server does, whatever the database's locale.
CREATE TABLE metric_points (
    series_id BIGINT NOT NULL,
    time      BIGINT NOT NULL,
    origin    TEXT COLLATE "C" NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, time, origin)
);

-- Aggregates of the points per bucket of fixed width at a few levels
-- (a minute, ten minutes, an hour, a day), kept as points arrive, so that
-- downsampling a long series reads thousands of rows, not millions.
CREATE TABLE metric_rollups (
    series_id   BIGINT NOT NULL,
    level       BIGINT NOT NULL,
    bucket      BIGINT NOT NULL,
    count       BIGINT NOT NULL,
    sum         DOUBLE PRECISION NOT NULL,
    min         DOUBLE PRECISION NOT NULL,
    max         DOUBLE PRECISION NOT NULL,
    last_time   BIGINT NOT NULL,
    last_origin TEXT COLLATE "C" NOT NULL,
    last_value  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, level, bucket)
);

-- Where platforms deploy, and how strictly each place checks governance.
CREATE TABLE deployment_targets (
    name        TEXT PRIMARY KEY,
    stage       TEXT NOT NULL,
    policy      TEXT NOT NULL CHECK (policy IN ('PREVENT', 'WARN', 'NO_CHECK')),
    description TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);

-- The deployment history of model versions and bundles.
CREATE TABLE deployments (
    id          TEXT PRIMARY KEY,
    item_id     TEXT NOT NULL,
    target      TEXT NOT NULL REFERENCES deployment_targets (name),
    status      TEXT NOT NULL CHECK (status IN ('deployed', 'undeployed', 'failed')),
    time        BIGINT NOT NULL,
    reference   TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
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
    cycle         BIGINT NOT NULL,
    time          BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    PRIMARY KEY (item_id, target)
);

-- +goose Down
DROP TABLE deployment_checks;
DROP TABLE deployments;
DROP TABLE deployment_targets;
DROP TABLE metric_rollups;
DROP TABLE metric_points;
DROP TABLE metric_series;
