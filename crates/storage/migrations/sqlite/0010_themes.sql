-- Theme finding (themes crate): themes proposed over a participation process's contributions,
-- which coordinators accept, rename, merge, split and map to a field of action. Contributions
-- are the participation module's; `contribution_id` is its id, used through its functions only.
CREATE TABLE theme_themes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    process_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    words TEXT NOT NULL,
    field INTEGER,
    accepted INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX theme_themes_process ON theme_themes (tenant_id, process_id);
CREATE TABLE theme_members (
    theme_id INTEGER NOT NULL REFERENCES theme_themes(id) ON DELETE CASCADE,
    contribution_id INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    PRIMARY KEY (theme_id, contribution_id)
);
CREATE INDEX theme_members_contribution ON theme_members (contribution_id);
