-- Measures (measures crate): the catalogue of measures with their goals (by the concept's goal
-- number, never a reference into concept_*), relations, origins in the participation process
-- (contribution ids, used through the participation module's functions only), tracking
-- (milestones, dated updates) and the planner's saved scenarios. Localised short texts are JSON
-- objects {"de": …, "en": …}.
CREATE TABLE measure_measures (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    key TEXT NOT NULL,
    field INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    partners TEXT NOT NULL,
    planned_start INTEGER NOT NULL,
    duration_years INTEGER,
    staff_fte REAL NOT NULL,
    money_eur REAL NOT NULL,
    funding TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL,
    weight REAL NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE TABLE measure_goals (
    measure_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    goal TEXT NOT NULL,
    score REAL NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (measure_id, goal)
);
CREATE TABLE measure_relations (
    measure_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    other_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (measure_id, other_id, kind)
);
CREATE TABLE measure_origins (
    measure_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    contribution_id INTEGER NOT NULL,
    PRIMARY KEY (measure_id, contribution_id)
);
CREATE TABLE measure_milestones (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    due TEXT NOT NULL,
    title TEXT NOT NULL,
    done INTEGER NOT NULL
);
CREATE INDEX measure_milestones_measure ON measure_milestones (measure_id);
CREATE TABLE measure_updates (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES measure_measures(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX measure_updates_measure ON measure_updates (measure_id, day);
CREATE TABLE measure_scenarios (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    scenario TEXT NOT NULL,
    plan TEXT,
    solved_at INTEGER,
    input_hash TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX measure_scenarios_tenant ON measure_scenarios (tenant_id);
