-- Allocation asks whether a party's key is held on a candidate number. With
-- only the primary key (x, k), MySQL answered that by scanning every key of
-- the table; an index led by k finds a party's few keys directly.

-- +goose Up
CREATE INDEX binding_keys_by_key ON binding_keys (k, x);

-- +goose Down
DROP INDEX binding_keys_by_key ON binding_keys;
