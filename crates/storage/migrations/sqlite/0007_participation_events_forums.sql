-- Participation (participation crate): events (discussion forums and workshops) with
-- registration and waiting list, their record (minutes, attendance, outcomes); discussion
-- forums per field of action with threads, replies, reports and a moderation log; e-mail
-- digests; and the retention bookkeeping of a process.
CREATE TABLE part_events (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER NOT NULL REFERENCES part_processes(id),
    kind TEXT NOT NULL,
    fields TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    place TEXT NOT NULL,
    address TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    online_url TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0,
    minutes TEXT NOT NULL DEFAULT '',
    minutes_locale TEXT NOT NULL DEFAULT 'de',
    created_at INTEGER NOT NULL
);
CREATE INDEX part_events_when ON part_events (tenant_id, starts_at);
CREATE TABLE part_event_texts (
    event_id INTEGER NOT NULL REFERENCES part_events(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    agenda TEXT NOT NULL,
    PRIMARY KEY (event_id, locale)
);
CREATE TABLE part_registrations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    event_id INTEGER NOT NULL REFERENCES part_events(id) ON DELETE CASCADE,
    person_key TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    user_id INTEGER,
    organisation_id INTEGER REFERENCES part_organisations(id),
    org_kind TEXT NOT NULL,
    needs TEXT NOT NULL,
    locale TEXT NOT NULL,
    status TEXT NOT NULL,
    seq INTEGER NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    reminded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (event_id, person_key)
);
CREATE INDEX part_registrations_event ON part_registrations (event_id, status, seq);
CREATE TABLE part_event_attendance (
    event_id INTEGER NOT NULL REFERENCES part_events(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (event_id, kind)
);
CREATE TABLE part_event_outcomes (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES part_events(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    contribution_id INTEGER REFERENCES part_contributions(id) ON DELETE SET NULL,
    goal TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE part_threads (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER NOT NULL REFERENCES part_processes(id),
    field INTEGER NOT NULL,
    title TEXT NOT NULL,
    locale TEXT NOT NULL,
    posts INTEGER NOT NULL DEFAULT 0,
    last_post_at INTEGER NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX part_threads_forum ON part_threads (tenant_id, process_id, field, last_post_at);
CREATE TABLE part_posts (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    thread_id INTEGER NOT NULL REFERENCES part_threads(id) ON DELETE CASCADE,
    root_id INTEGER NOT NULL,
    parent_id INTEGER REFERENCES part_posts(id),
    quote_id INTEGER,
    quote_text TEXT NOT NULL,
    body TEXT NOT NULL,
    locale TEXT NOT NULL,
    author_user_id INTEGER,
    pseudonym TEXT NOT NULL,
    organisation_id INTEGER REFERENCES part_organisations(id),
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE INDEX part_posts_thread ON part_posts (thread_id, root_id, id);
CREATE INDEX part_posts_since ON part_posts (tenant_id, created_at);
CREATE TABLE part_post_reports (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    post_id INTEGER NOT NULL REFERENCES part_posts(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX part_post_reports_open ON part_post_reports (tenant_id, resolved_at);
CREATE TABLE part_forum_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    post_id INTEGER NOT NULL REFERENCES part_posts(id) ON DELETE CASCADE,
    actor_user_id INTEGER,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE part_digests (
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    user_id INTEGER NOT NULL,
    frequency TEXT NOT NULL,
    last_sent_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
ALTER TABLE part_processes ADD COLUMN erased_at INTEGER;
-- Contributions are searched in SQL by their lower-cased text (Unicode rules, computed by the
-- participation crate); the registry is listed by name without sorting it on every page.
ALTER TABLE part_contributions ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX part_organisations_sorted ON part_organisations (tenant_id, LOWER(name), id);
CREATE INDEX part_contributions_tenant ON part_contributions (tenant_id, id);
-- Invitations recorded for a letter by post were not mailed; statistics count the rest as sent
-- unless the outbox says otherwise.
ALTER TABLE part_invitations ADD COLUMN mailed INTEGER NOT NULL DEFAULT 1;
