-- Allocation asks whether a party's key is held on a candidate number; an
-- index led by k finds a party's few keys without walking the table.

-- +goose Up
CREATE INDEX binding_keys_by_key ON binding_keys (k, x);

-- +goose Down
DROP INDEX binding_keys_by_key;
