-- +goose Up
-- Who follows which item. A row with subscribed false records that the
-- user unsubscribed, so that acting on the item again does not subscribe
-- them anew. Following a project covers its children.
CREATE TABLE subscriptions (
    item_id    TEXT NOT NULL REFERENCES items (id),
    username   TEXT NOT NULL,
    subscribed BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, username)
);
