-- +goose Up
-- Files held by file fields. The content lives in the blob store under its
-- SHA-256; a content no attachment uses is swept.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL REFERENCES items (id),
    field        TEXT NOT NULL,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX attachments_item ON attachments (item_id, created_at);
CREATE INDEX attachments_sha256 ON attachments (sha256);
