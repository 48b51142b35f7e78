-- Platform (storage crate): tenants, region master data, audit log, site pages, feedback.
CREATE TABLE tenants (
    id INTEGER PRIMARY KEY,
    host TEXT UNIQUE,
    name TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    locales TEXT NOT NULL,
    demo_loaded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE region_municipalities (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    population INTEGER NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    actor_user_id INTEGER,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    detail TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_type, object_id);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_user_id);
CREATE TABLE site_pages (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    kind TEXT NOT NULL,
    locale TEXT NOT NULL,
    body TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, locale)
);
CREATE TABLE site_feedback (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    page TEXT NOT NULL,
    message TEXT NOT NULL,
    contact TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Accounts (auth crate).
CREATE TABLE auth_users (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    locale TEXT NOT NULL,
    email_confirmed_at INTEGER,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    user_id INTEGER NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
    second_factor_done INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
CREATE TABLE auth_consents (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    user_id INTEGER NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    text_version TEXT NOT NULL,
    given_at INTEGER NOT NULL
);
CREATE TABLE auth_links (
    token_hash TEXT PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    user_id INTEGER NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE TABLE auth_api_tokens (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    user_id INTEGER NOT NULL REFERENCES auth_users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER,
    last_used_at INTEGER
);
CREATE TABLE auth_rate_events (
    id INTEGER PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX auth_rate_events_key ON auth_rate_events (bucket, key, at);

-- E-mail outbox (mail crate).
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    dedupe_key TEXT UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- The integration concept (concept crate). Fields of action and goals keep a stable identity
-- (id and number) across versions; what a version says about them lives in *_texts.
CREATE TABLE concept_versions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    number INTEGER NOT NULL,
    status TEXT NOT NULL,
    based_on INTEGER REFERENCES concept_versions(id),
    created_at INTEGER NOT NULL,
    adopted_at INTEGER,
    UNIQUE (tenant_id, number)
);
CREATE TABLE concept_version_texts (
    version_id INTEGER NOT NULL REFERENCES concept_versions(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    PRIMARY KEY (version_id, locale)
);
CREATE TABLE concept_fields (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    number INTEGER NOT NULL,
    UNIQUE (tenant_id, number)
);
CREATE TABLE concept_goals (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    field_id INTEGER NOT NULL REFERENCES concept_fields(id),
    number TEXT NOT NULL,
    illustrative INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, number)
);
CREATE TABLE concept_field_texts (
    version_id INTEGER NOT NULL REFERENCES concept_versions(id) ON DELETE CASCADE,
    field_id INTEGER NOT NULL REFERENCES concept_fields(id),
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (version_id, field_id, locale)
);
CREATE TABLE concept_goal_texts (
    version_id INTEGER NOT NULL REFERENCES concept_versions(id) ON DELETE CASCADE,
    goal_id INTEGER NOT NULL REFERENCES concept_goals(id),
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (version_id, goal_id, locale)
);
