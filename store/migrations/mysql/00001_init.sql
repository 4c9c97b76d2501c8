-- The first schema of the store. Times are Unix milliseconds, money is in
-- minor units, and real numbers appear only sealed (*_sealed) or as blind
-- indexes (*_index, blacklist.idx). Identifiers, keys, sealed values and
-- indexes are ASCII compared byte for byte; text is utf8mb4, also compared
-- byte for byte, so both dialects match strings alike. MySQL commits DDL
-- at once, so every statement may run again after a failed attempt.

-- +goose Up
CREATE TABLE IF NOT EXISTS tenants (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name           VARCHAR(128) NOT NULL,
    grace_seconds  INT          NOT NULL DEFAULT 0,
    fallback_areas VARCHAR(255) NOT NULL DEFAULT '',
    webhook_url    VARCHAR(1024) NOT NULL DEFAULT '',
    webhook_secret TEXT         NOT NULL,
    created_at     BIGINT       NOT NULL,
    UNIQUE KEY tenants_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS api_keys (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    tenant_id  BIGINT       NOT NULL DEFAULT 0,
    name       VARCHAR(128) NOT NULL DEFAULT '',
    hash       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    scopes     VARCHAR(255) NOT NULL DEFAULT '',
    created_at BIGINT       NOT NULL,
    UNIQUE KEY api_keys_hash (hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS numbers (
    x            VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    area_code    VARCHAR(8)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    kind         VARCHAR(16) NOT NULL DEFAULT '',
    state        VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    monthly_cost BIGINT      NOT NULL DEFAULT 0,
    tenant_id    BIGINT      NOT NULL DEFAULT 0,
    mode         VARCHAR(8)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    bindings     INT         NOT NULL DEFAULT 0,
    updated_at   BIGINT      NOT NULL,
    KEY numbers_alloc (tenant_id, state, mode, area_code, x),
    KEY numbers_area (area_code, x)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS bindings (
    id             VARCHAR(40)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    tenant_id      BIGINT       NOT NULL,
    mode           VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    x              VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    extension      VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    a_sealed       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    a_index        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    b_sealed       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    b_index        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    n_sealed       VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    n_index        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    out_id         VARCHAR(128) NOT NULL DEFAULT '',
    record         TINYINT(1)   NOT NULL DEFAULT 0,
    call_restrict  VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    state          VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    expires_at     BIGINT       NOT NULL,
    ended_at       BIGINT       NOT NULL DEFAULT 0,
    cooldown_until BIGINT       NOT NULL DEFAULT 0,
    released       TINYINT(1)   NOT NULL DEFAULT 0,
    last_caller    VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    last_caller_at BIGINT       NOT NULL DEFAULT 0,
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    KEY bindings_out (tenant_id, out_id),
    KEY bindings_expiry (state, expires_at),
    KEY bindings_release (released, cooldown_until),
    KEY bindings_x (x),
    CONSTRAINT bindings_number FOREIGN KEY (x) REFERENCES numbers (x)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The primary key is what guarantees that no routing key is owned twice,
-- whichever node inserts it.
CREATE TABLE IF NOT EXISTS binding_keys (
    x          VARCHAR(20) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    k          VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    binding_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    PRIMARY KEY (x, k),
    KEY binding_keys_binding (binding_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS idempotency (
    tenant_id    BIGINT       NOT NULL,
    idem_key     VARCHAR(128) NOT NULL,
    request_hash VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    status       INT          NOT NULL DEFAULT 0,
    body         MEDIUMBLOB,
    created_at   BIGINT       NOT NULL,
    PRIMARY KEY (tenant_id, idem_key),
    KEY idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at         BIGINT       NOT NULL,
    key_id     BIGINT       NOT NULL DEFAULT 0,
    tenant_id  BIGINT       NOT NULL DEFAULT 0,
    binding_id VARCHAR(40)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    action     VARCHAR(64)  NOT NULL,
    reason     VARCHAR(1024) NOT NULL DEFAULT '',
    KEY audit_binding (binding_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS blacklist (
    idx        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    note       VARCHAR(255) NOT NULL DEFAULT '',
    created_at BIGINT       NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS calls (
    id                 VARCHAR(40)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    binding_id         VARCHAR(40)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    tenant_id          BIGINT       NOT NULL DEFAULT 0,
    mode               VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    x                  VARCHAR(20)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    extension          VARCHAR(8)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    caller_sealed      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    callee_sealed      VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
    direction          VARCHAR(16)  NOT NULL DEFAULT '',
    invite_at          BIGINT       NOT NULL,
    ring_at            BIGINT       NOT NULL DEFAULT 0,
    answer_at          BIGINT       NOT NULL DEFAULT 0,
    end_at             BIGINT       NOT NULL DEFAULT 0,
    duration_s         INT          NOT NULL DEFAULT 0,
    bill_sec           INT          NOT NULL DEFAULT 0,
    release_side       VARCHAR(16)  NOT NULL DEFAULT '',
    release_code       INT          NOT NULL DEFAULT 0,
    release_q850       INT          NOT NULL DEFAULT 0,
    unconnected_reason VARCHAR(32)  NOT NULL DEFAULT '',
    recording          VARCHAR(512) NOT NULL DEFAULT '',
    out_id             VARCHAR(128) NOT NULL DEFAULT '',
    node               VARCHAR(64)  NOT NULL DEFAULT '',
    KEY calls_binding (binding_id, invite_at),
    KEY calls_tenant (tenant_id, invite_at),
    KEY calls_invite (invite_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- +goose Down
DROP TABLE IF EXISTS calls;
DROP TABLE IF EXISTS blacklist;
DROP TABLE IF EXISTS audit;
DROP TABLE IF EXISTS idempotency;
DROP TABLE IF EXISTS binding_keys;
DROP TABLE IF EXISTS bindings;
DROP TABLE IF EXISTS numbers;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS tenants;
