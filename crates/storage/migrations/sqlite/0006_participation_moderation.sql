-- Participation (participation crate): notification opt-in, reports, the moderation log,
-- and supports ("I support this": one per person, withdrawable).
ALTER TABLE part_contributions ADD COLUMN notify_email TEXT NOT NULL DEFAULT '';
CREATE TABLE part_reports (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    contribution_id INTEGER NOT NULL REFERENCES part_contributions(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX part_reports_open ON part_reports (tenant_id, resolved_at);
CREATE TABLE part_moderation_log (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    contribution_id INTEGER NOT NULL REFERENCES part_contributions(id) ON DELETE CASCADE,
    actor_user_id INTEGER,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE part_supports (
    contribution_id INTEGER NOT NULL REFERENCES part_contributions(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (contribution_id, user_id)
);
