-- +goose Up
-- Sources are the ML platforms; governable items are Assent's copies of
-- their objects, changed only by sync. Attributes are the platform's own
-- data, kept as JSON text and compared whole.
--
-- source_id and parent_id have no foreign keys: a sync inserts thousands of
-- rows per batch, and PostgreSQL checks each key with a trigger per row (40%
-- of the time of a sync). The store resolves both in the inserting
-- transaction, and governable items are never deleted.
CREATE TABLE sources (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    link_template TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_sync_at  BIGINT
);

CREATE TABLE governable_items (
    id                TEXT PRIMARY KEY,
    source_id         TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('project', 'bundle', 'model', 'model_version')),
    key               TEXT NOT NULL,
    parent_id         TEXT,
    name              TEXT NOT NULL,
    attributes        TEXT NOT NULL DEFAULT '{}',
    status            TEXT NOT NULL CHECK (status IN ('governable', 'governed', 'hidden')),
    deleted_in_source BOOLEAN NOT NULL DEFAULT FALSE,
    governed_item_id  TEXT REFERENCES items (id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (source_id, key),
    CHECK ((status = 'governed') = (governed_item_id IS NOT NULL))
);
-- Lists of a kind by name, children of a parent, and the source objects of
-- a governed item. Each index costs sync time, so there are no more.
CREATE INDEX governable_kind_name ON governable_items (kind, name, id);
CREATE INDEX governable_parent ON governable_items (parent_id, kind, name, id);
CREATE INDEX governable_governed ON governable_items (governed_item_id) WHERE governed_item_id IS NOT NULL;

-- The items seen by each batch of a full sync that is not final yet. The
-- final batch marks the source's other items deleted and forgets the run.
CREATE TABLE sync_run_items (
    source_id TEXT NOT NULL,
    run       TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (source_id, run, item_id)
);

-- Auto-governance: one rule per kind for the instance (parent_id ''), and
-- overrides for the upcoming children of one governed item.
CREATE TABLE governance_rules (
    kind        TEXT NOT NULL,
    parent_id   TEXT NOT NULL DEFAULT '',
    mode        TEXT NOT NULL CHECK (mode IN ('automated', 'recommended', 'none')),
    template_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, parent_id)
);

-- Searching names ("contains") uses a trigram index when pg_trgm can be
-- installed (it is a trusted extension: the database owner may); without
-- it, a search scans the names.
-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema TEXT;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%); name searches will scan', SQLERRM;
    END;
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format('CREATE INDEX governable_name_trgm ON governable_items USING gin (name %I.gin_trgm_ops)', trgm_schema);
    END IF;
END $$;
-- +goose StatementEnd
