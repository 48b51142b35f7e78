-- Participation (participation crate): the registry of organisations and their contact people.
-- Lists of field numbers and language codes are stored comma-separated (",1,4," form is
-- matched with LIKE on both backends).
CREATE TABLE part_organisations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    municipality TEXT NOT NULL,
    fields TEXT NOT NULL,
    languages TEXT NOT NULL,
    notes TEXT NOT NULL,
    fictitious INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX part_organisations_name ON part_organisations (tenant_id, name);
CREATE INDEX part_organisations_kind ON part_organisations (tenant_id, kind, municipality);
CREATE TABLE part_contacts (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    organisation_id INTEGER NOT NULL REFERENCES part_organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    consent_at INTEGER,
    consent_how TEXT NOT NULL,
    user_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX part_contacts_email ON part_contacts (tenant_id, email);
CREATE INDEX part_contacts_org ON part_contacts (organisation_id);
