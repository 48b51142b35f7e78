-- Participation (participation crate): processes with phases, invitation campaigns, personal
-- invitation links, and contributions.
CREATE TABLE part_processes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    moderation TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE part_process_texts (
    process_id INTEGER NOT NULL REFERENCES part_processes(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (process_id, locale)
);
CREATE TABLE part_phases (
    id INTEGER PRIMARY KEY,
    process_id INTEGER NOT NULL REFERENCES part_processes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    starts_on INTEGER NOT NULL,
    ends_on INTEGER NOT NULL
);
CREATE TABLE part_campaigns (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER NOT NULL REFERENCES part_processes(id),
    name TEXT NOT NULL,
    filter TEXT NOT NULL,
    link_days INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE TABLE part_campaign_texts (
    campaign_id INTEGER NOT NULL REFERENCES part_campaigns(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (campaign_id, locale)
);
CREATE TABLE part_invitations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    campaign_id INTEGER NOT NULL REFERENCES part_campaigns(id),
    contact_id INTEGER NOT NULL REFERENCES part_contacts(id),
    organisation_id INTEGER NOT NULL REFERENCES part_organisations(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    opened_at INTEGER,
    answered_at INTEGER,
    devices TEXT NOT NULL,
    extra_tokens TEXT NOT NULL DEFAULT '',
    code_hash TEXT,
    code_expires_at INTEGER,
    reminders INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (campaign_id, contact_id)
);
CREATE INDEX part_invitations_campaign ON part_invitations (campaign_id);
CREATE TABLE part_contributions (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER NOT NULL REFERENCES part_processes(id),
    phase TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    details TEXT NOT NULL,
    fields TEXT NOT NULL,
    locale TEXT NOT NULL,
    organisation_id INTEGER REFERENCES part_organisations(id),
    author_user_id INTEGER,
    pseudonym TEXT NOT NULL,
    invitation_id INTEGER REFERENCES part_invitations(id),
    status TEXT NOT NULL,
    status_goal TEXT,
    status_reason TEXT NOT NULL,
    published INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX part_contributions_process ON part_contributions (tenant_id, process_id, status);
CREATE INDEX part_contributions_org ON part_contributions (organisation_id);
