-- +goose Up
-- Indexes for the list views of items (tables, boards by step, matrices of
-- two ratings), so that a view of 10,000 projects reads a page of rows, not
-- every item. Each ends in (name, id): views list items in name order
-- within a step or a rating, and page by that key.

-- Tables sorted by the time of the last change.
CREATE INDEX items_type_updated ON items (type, archived, updated_at, id);

-- Board columns: counts per step from the index alone, then each step's
-- first items by name. It replaces items_step, which it covers.
DROP INDEX items_step;
CREATE INDEX items_type_step ON items (type, archived, current_step, name, id);

-- Children per parent (an initiative's projects) counted from the index
-- alone. It replaces the index on parent_id, which it covers.
DROP INDEX items_parent;
CREATE INDEX items_parent ON items (parent_id, type, archived);

-- The project ratings that the projects table filters and sorts on, and
-- the default axes of the matrix (feasibility × value), read in order. The
-- field ids are written literally: queries name them the same way, so that
-- both databases match the expression.
CREATE INDEX items_value_rating ON items (type, archived, (fields ->> 'qualification_value_rating'), name, id);
CREATE INDEX items_feasibility_value ON items (type, archived, (fields ->> 'qualification_feasibility_rating'), (fields ->> 'qualification_value_rating'), name, id);
