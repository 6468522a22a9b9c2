-- +goose Up
-- Templates and their versions. A definition is stored as JSON, as the API
-- returns it; built-in versions come from the binary and cannot be deleted.
CREATE TABLE templates (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    item_type  TEXT NOT NULL,
    builtin    BOOLEAN NOT NULL DEFAULT FALSE,
    -- Version numbers are never reused, even after a deletion.
    next_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE template_versions (
    template_id TEXT NOT NULL REFERENCES templates (id),
    version     INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    builtin     BOOLEAN NOT NULL DEFAULT FALSE,
    definition  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (template_id, version)
);

-- Governed items. Fields hold a JSON object keyed by field id; steps a JSON
-- array of {id, status} in the template's order.
CREATE TABLE items (
    id               TEXT PRIMARY KEY,
    type             TEXT NOT NULL,
    name             TEXT NOT NULL,
    template_id      TEXT NOT NULL,
    template_version INTEGER NOT NULL,
    revision         INTEGER NOT NULL,
    parent_id        TEXT REFERENCES items (id),
    fields           TEXT NOT NULL DEFAULT '{}',
    steps            TEXT NOT NULL DEFAULT '[]',
    current_step     TEXT NOT NULL DEFAULT '',
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    created_by       TEXT NOT NULL,
    FOREIGN KEY (template_id, template_version) REFERENCES template_versions (template_id, version)
);
CREATE INDEX items_template ON items (template_id, template_version);
CREATE INDEX items_type ON items (type, archived, name, id);
CREATE INDEX items_step ON items (type, current_step);
CREATE INDEX items_parent ON items (parent_id);
