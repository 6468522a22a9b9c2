-- +goose Up
-- How Assent reaches its SMTP server: one row, id 1. The password is kept
-- as given, since the SMTP server wants it back; it is never returned by
-- the API nor written to events or logs.
CREATE TABLE email_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    host       TEXT NOT NULL DEFAULT '',
    port       INTEGER NOT NULL,
    tls        TEXT NOT NULL CHECK (tls IN ('none', 'starttls', 'tls')),
    username   TEXT NOT NULL DEFAULT '',
    password   TEXT NOT NULL DEFAULT '',
    sender     TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
