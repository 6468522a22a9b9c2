-- +goose Up
-- Browser sessions. The cookie holds a secret; only its hash is stored.
CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    username     TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_username ON sessions (username);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
