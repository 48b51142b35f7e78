-- Monitoring (monitoring crate): indicators with their definition, unit, source and the goals
-- they inform (by the concept's goal number), and their values per municipality (by the
-- municipality's key) and year. Localised short texts are JSON objects {"de": …, "en": …}.
CREATE TABLE mon_indicators (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    unit TEXT NOT NULL,
    source TEXT NOT NULL,
    goals TEXT NOT NULL,
    higher_is_better INTEGER,
    aggregate TEXT NOT NULL,
    illustrative INTEGER NOT NULL,
    position INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE TABLE mon_values (
    indicator_id INTEGER NOT NULL REFERENCES mon_indicators(id) ON DELETE CASCADE,
    municipality TEXT NOT NULL,
    year INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (indicator_id, municipality, year)
);
