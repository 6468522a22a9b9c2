-- +goose Up
-- Times are Unix milliseconds (UTC) in both dialects.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE user_groups (
    name        TEXT PRIMARY KEY,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_name TEXT NOT NULL REFERENCES user_groups (name) ON DELETE CASCADE,
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    PRIMARY KEY (group_name, username)
);
CREATE INDEX group_members_username ON group_members (username);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_username ON api_tokens (username);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    time     INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (username, address, time);
CREATE INDEX login_failures_time ON login_failures (time);

-- Events are append-only: the code has no UPDATE or DELETE for them. On
-- SQLite one writer commits in id order, so the sealer follows ids.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    time        INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    request_id  TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    before      TEXT,
    after       TEXT
);
CREATE INDEX events_object ON events (object_type, object_id, id);
CREATE INDEX events_actor ON events (actor, id);
CREATE INDEX events_action ON events (action, id);
CREATE INDEX events_time ON events (time);

-- The hash chain: seal seq chains event event_id to the seal before it.
-- No foreign key, so that a deleted event leaves its seal behind as evidence.
CREATE TABLE event_seals (
    seq      INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL UNIQUE,
    hash     TEXT NOT NULL
);

-- The newest seal, kept apart so that deleting the newest events is detected.
CREATE TABLE audit_anchor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    cursor_xid INTEGER NOT NULL,
    cursor_id  INTEGER NOT NULL,
    sealed_at  INTEGER NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash, cursor_xid, cursor_id, sealed_at) VALUES (1, 0, '', 0, 0, 0);
