-- Directory (directory crate): the Wegweiser's services, locations and opening hours (HSDS
-- 3.0), changes by organisations awaiting review, the recognition table, and the
-- administration's language coverage (units, staff languages, demand, interpreter requests).
-- Organisations are the participation registry's; `org_id` is its id, used through its
-- functions only.
CREATE TABLE dir_state (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id),
    rev INTEGER NOT NULL DEFAULT 0,
    reverify_days INTEGER NOT NULL DEFAULT 365
);
CREATE TABLE dir_locations (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    org_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    street TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    municipality TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    step_free INTEGER NOT NULL,
    transport TEXT NOT NULL,
    accessibility TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX dir_locations_org ON dir_locations (tenant_id, org_id);
CREATE TABLE dir_services (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    org_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    status TEXT NOT NULL,
    review TEXT NOT NULL,
    email TEXT NOT NULL,
    url TEXT NOT NULL,
    phone TEXT NOT NULL,
    contact TEXT NOT NULL,
    free INTEGER NOT NULL,
    by_appointment INTEGER NOT NULL,
    age_min INTEGER,
    age_max INTEGER,
    groups TEXT NOT NULL,
    topics TEXT NOT NULL,
    languages TEXT NOT NULL,
    areas TEXT NOT NULL,
    fictitious INTEGER NOT NULL DEFAULT 0,
    verified_at INTEGER NOT NULL,
    reminded_at INTEGER NOT NULL DEFAULT 0,
    rev INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, key)
);
CREATE INDEX dir_services_rev ON dir_services (tenant_id, rev);
CREATE INDEX dir_services_org ON dir_services (tenant_id, org_id);
CREATE TABLE dir_service_texts (
    service_id INTEGER NOT NULL REFERENCES dir_services(id) ON DELETE CASCADE,
    locale TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    fees TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    bring TEXT NOT NULL,
    PRIMARY KEY (service_id, locale)
);
CREATE TABLE dir_service_locations (
    service_id INTEGER NOT NULL REFERENCES dir_services(id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES dir_locations(id),
    position INTEGER NOT NULL,
    PRIMARY KEY (service_id, location_id)
);
CREATE TABLE dir_schedules (
    id INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES dir_services(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL,
    opens INTEGER NOT NULL,
    closes INTEGER NOT NULL
);
CREATE INDEX dir_schedules_service ON dir_schedules (service_id);
CREATE TABLE dir_changes (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    service_id INTEGER REFERENCES dir_services(id) ON DELETE CASCADE,
    org_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    author_user_id INTEGER,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by INTEGER
);
CREATE INDEX dir_changes_state ON dir_changes (tenant_id, state, id);
CREATE TABLE dir_rec_table (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id),
    version TEXT NOT NULL,
    data TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by INTEGER
);
CREATE TABLE dir_units (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    name TEXT NOT NULL,
    municipality TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE dir_staff (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    unit_id INTEGER NOT NULL REFERENCES dir_units(id),
    user_id INTEGER,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    lead INTEGER NOT NULL DEFAULT 0,
    interprets INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
CREATE INDEX dir_staff_unit ON dir_staff (tenant_id, unit_id);
CREATE INDEX dir_staff_user ON dir_staff (tenant_id, user_id);
CREATE TABLE dir_staff_languages (
    staff_id INTEGER NOT NULL REFERENCES dir_staff(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    level TEXT NOT NULL,
    PRIMARY KEY (staff_id, code)
);
CREATE TABLE dir_language_demand (
    unit_id INTEGER NOT NULL REFERENCES dir_units(id),
    code TEXT NOT NULL,
    period TEXT NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (unit_id, code, period)
);
CREATE TABLE dir_interpreter_requests (
    id INTEGER PRIMARY KEY,
    tenant_id INTEGER NOT NULL REFERENCES tenants(id),
    unit_id INTEGER NOT NULL REFERENCES dir_units(id),
    code TEXT NOT NULL,
    starts_at INTEGER NOT NULL,
    minutes INTEGER NOT NULL,
    place TEXT NOT NULL,
    note TEXT NOT NULL,
    requested_by INTEGER NOT NULL,
    status TEXT NOT NULL,
    interpreter_staff_id INTEGER REFERENCES dir_staff(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX dir_interpreter_requests_unit ON dir_interpreter_requests (tenant_id, unit_id, starts_at);
