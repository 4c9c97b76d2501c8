-- The first schema of the store. Times are Unix milliseconds, money is in
-- minor units, and real numbers appear only sealed (*_sealed) or as blind
-- indexes (*_index, blacklist.idx).

-- +goose Up
CREATE TABLE tenants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL UNIQUE,
    grace_seconds  INTEGER NOT NULL DEFAULT 0,
    fallback_areas TEXT    NOT NULL DEFAULT '',
    webhook_url    TEXT    NOT NULL DEFAULT '',
    webhook_secret TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL DEFAULT 0,
    name       TEXT    NOT NULL DEFAULT '',
    hash       TEXT    NOT NULL UNIQUE,
    scopes     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE numbers (
    x            TEXT    NOT NULL PRIMARY KEY,
    area_code    TEXT    NOT NULL,
    kind         TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL,
    monthly_cost INTEGER NOT NULL DEFAULT 0,
    tenant_id    INTEGER NOT NULL DEFAULT 0,
    mode         TEXT    NOT NULL DEFAULT '',
    bindings     INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL
);
-- Allocation: the pool (tenant), available numbers, by mode and area.
CREATE INDEX numbers_alloc ON numbers (tenant_id, state, mode, area_code, x);
CREATE INDEX numbers_area ON numbers (area_code, x);

CREATE TABLE bindings (
    id             TEXT    NOT NULL PRIMARY KEY,
    tenant_id      INTEGER NOT NULL,
    mode           TEXT    NOT NULL,
    x              TEXT    NOT NULL REFERENCES numbers (x),
    extension      TEXT    NOT NULL DEFAULT '',
    a_sealed       TEXT    NOT NULL DEFAULT '',
    a_index        TEXT    NOT NULL DEFAULT '',
    b_sealed       TEXT    NOT NULL DEFAULT '',
    b_index        TEXT    NOT NULL DEFAULT '',
    n_sealed       TEXT    NOT NULL DEFAULT '',
    n_index        TEXT    NOT NULL DEFAULT '',
    out_id         TEXT    NOT NULL DEFAULT '',
    record         INTEGER NOT NULL DEFAULT 0,
    call_restrict  TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL,
    ended_at       INTEGER NOT NULL DEFAULT 0,
    cooldown_until INTEGER NOT NULL DEFAULT 0,
    released       INTEGER NOT NULL DEFAULT 0,
    last_caller    TEXT    NOT NULL DEFAULT '',
    last_caller_at INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX bindings_out ON bindings (tenant_id, out_id);
CREATE INDEX bindings_expiry ON bindings (state, expires_at);
CREATE INDEX bindings_release ON bindings (released, cooldown_until);
CREATE INDEX bindings_x ON bindings (x);

-- The primary key is what guarantees that no routing key is owned twice,
-- whichever node inserts it.
CREATE TABLE binding_keys (
    x          TEXT NOT NULL,
    k          TEXT NOT NULL,
    binding_id TEXT NOT NULL,
    PRIMARY KEY (x, k)
);
CREATE INDEX binding_keys_binding ON binding_keys (binding_id);

CREATE TABLE idempotency (
    tenant_id    INTEGER NOT NULL,
    idem_key     TEXT    NOT NULL,
    request_hash TEXT    NOT NULL DEFAULT '',
    status       INTEGER NOT NULL DEFAULT 0,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, idem_key)
);
CREATE INDEX idempotency_created ON idempotency (created_at);

CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    key_id     INTEGER NOT NULL DEFAULT 0,
    tenant_id  INTEGER NOT NULL DEFAULT 0,
    binding_id TEXT    NOT NULL DEFAULT '',
    action     TEXT    NOT NULL,
    reason     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_binding ON audit (binding_id, id);

CREATE TABLE blacklist (
    idx        TEXT    NOT NULL PRIMARY KEY,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE calls (
    id                 TEXT    NOT NULL PRIMARY KEY,
    binding_id         TEXT    NOT NULL DEFAULT '',
    tenant_id          INTEGER NOT NULL DEFAULT 0,
    mode               TEXT    NOT NULL DEFAULT '',
    x                  TEXT    NOT NULL DEFAULT '',
    extension          TEXT    NOT NULL DEFAULT '',
    caller_sealed      TEXT    NOT NULL DEFAULT '',
    callee_sealed      TEXT    NOT NULL DEFAULT '',
    direction          TEXT    NOT NULL DEFAULT '',
    invite_at          INTEGER NOT NULL,
    ring_at            INTEGER NOT NULL DEFAULT 0,
    answer_at          INTEGER NOT NULL DEFAULT 0,
    end_at             INTEGER NOT NULL DEFAULT 0,
    duration_s         INTEGER NOT NULL DEFAULT 0,
    bill_sec           INTEGER NOT NULL DEFAULT 0,
    release_side       TEXT    NOT NULL DEFAULT '',
    release_code       INTEGER NOT NULL DEFAULT 0,
    release_q850       INTEGER NOT NULL DEFAULT 0,
    unconnected_reason TEXT    NOT NULL DEFAULT '',
    recording          TEXT    NOT NULL DEFAULT '',
    out_id             TEXT    NOT NULL DEFAULT '',
    node               TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX calls_binding ON calls (binding_id, invite_at);
CREATE INDEX calls_tenant ON calls (tenant_id, invite_at);
CREATE INDEX calls_invite ON calls (invite_at);

-- +goose Down
DROP TABLE calls;
DROP TABLE blacklist;
DROP TABLE audit;
DROP TABLE idempotency;
DROP TABLE binding_keys;
DROP TABLE bindings;
DROP TABLE numbers;
DROP TABLE api_keys;
DROP TABLE tenants;
