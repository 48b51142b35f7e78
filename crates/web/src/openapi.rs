//! The OpenAPI 3.1 document, generated from the route table (paths, methods, parameters,
//! access) and from the request types (bodies). A snapshot test shows every change in review.

use crate::authz::Access;
use crate::routes;
use serde_json::{json, Map, Value};

fn body_schema(method: &str, path: &str) -> Option<Value> {
    let text = json!({
        "type": "object", "additionalProperties": false, "required": ["locale", "title"],
        "properties": {
            "locale": { "type": "string", "enum": th_core::Locale::ALL.iter().map(|l| l.tag()).collect::<Vec<_>>() },
            "title": { "type": "string", "maxLength": th_concept::TITLE_MAX },
            "description": { "type": "string", "maxLength": th_concept::TEXT_MAX }
        }
    });
    let service = json!({
        "type": "object", "required": ["org_id", "topics", "languages", "areas", "texts"],
        "properties": {
            "org_id": { "type": "integer", "description": "the organisation (ignored for changes by organisations: their own)" },
            "status": { "type": "string", "enum": th_directory::STATUSES },
            "email": { "type": "string" }, "url": { "type": "string" }, "phone": { "type": "string" }, "contact": { "type": "string" },
            "free": { "type": "boolean" }, "by_appointment": { "type": "boolean" },
            "age_min": { "type": ["integer", "null"], "minimum": 0, "maximum": 120 }, "age_max": { "type": ["integer", "null"], "minimum": 0, "maximum": 120 },
            "groups": { "type": "array", "items": { "type": "string", "enum": th_directory::GROUPS.iter().map(|g| g.0).collect::<Vec<_>>() } },
            "topics": { "type": "array", "items": { "type": "string", "enum": th_directory::taxonomy::all().iter().map(|t| t.code.as_str()).collect::<Vec<_>>() } },
            "languages": { "type": "array", "items": { "type": "string", "enum": th_directory::languages::SPOKEN.iter().map(|l| l.0).collect::<Vec<_>>() } },
            "areas": { "type": "array", "items": { "type": "string", "description": "municipality key, or region" } },
            "texts": { "type": "object", "description": "per locale: name, description, fees, eligibility, bring (list); German required",
                "additionalProperties": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string" }, "description": { "type": "string" }, "fees": { "type": "string" }, "eligibility": { "type": "string" }, "bring": { "type": "array", "items": { "type": "string" } } } } },
            "schedules": { "type": "array", "items": { "type": "object", "required": ["weekday", "opens", "closes"], "properties": { "weekday": { "type": "integer", "minimum": 1, "maximum": 7 }, "opens": { "type": "integer", "description": "minutes after midnight" }, "closes": { "type": "integer" } } } },
            "location_ids": { "type": "array", "items": { "type": "integer" } }
        }
    });
    Some(match (method, path) {
        ("POST", "/api/v1/guide/services")
        | ("PUT", "/api/v1/guide/services/{id}")
        | ("POST", "/api/v1/me/organisations/{id}/services")
        | ("PUT", "/api/v1/me/organisations/{id}/services/{service}") => service,
        ("POST", "/api/v1/guide/changes/{id}/reject") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["reason"], "properties": { "reason": { "type": "string", "maxLength": 1000 } } })
        }
        ("POST", "/api/v1/guide/import") => {
            json!({ "description": "HSDS 3.0 services: an array, or a page with contents", "oneOf": [{ "type": "array" }, { "type": "object" }] })
        }
        ("PUT", "/api/v1/recognition") => {
            json!({ "type": "object", "required": ["version", "finder_url", "bodies", "professions"], "description": "the whole recognition table (export it from /verwaltung/wegweiser/anerkennung.json)" })
        }
        ("PUT", "/api/v1/staff/me/{id}/languages") => json!({
            "type": "object", "additionalProperties": false, "required": ["languages"],
            "properties": { "interprets": { "type": "boolean" }, "languages": { "type": "array", "items": { "type": "object", "additionalProperties": false, "required": ["code", "level"], "properties": { "code": { "type": "string" }, "level": { "type": "string", "enum": th_directory::languages::LEVELS } } } } }
        }),
        ("POST", "/api/v1/staff/demand") => json!({
            "type": "object", "additionalProperties": false, "required": ["unit", "code", "period", "requests"],
            "properties": { "unit": { "type": "integer" }, "code": { "type": "string" }, "period": { "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" }, "requests": { "type": "integer", "minimum": 0 } }
        }),
        ("POST", "/api/v1/staff/interpreter-requests") => json!({
            "type": "object", "additionalProperties": false, "required": ["code", "starts_at", "minutes", "place"],
            "properties": { "code": { "type": "string" }, "starts_at": { "type": "string", "description": "local time YYYY-MM-DDTHH:MM" }, "minutes": { "type": "integer", "minimum": 15, "maximum": 480 }, "place": { "type": "string" }, "note": { "type": "string" } }
        }),
        ("POST", "/api/v1/concept/draft") => {
            json!({ "type": "object", "additionalProperties": false, "properties": { "base": { "type": "integer", "description": "version number to copy; the adopted version when absent" } } })
        }
        ("PUT", "/api/v1/concept/draft")
        | ("PUT", "/api/v1/concept/draft/fields/{id}")
        | ("PUT", "/api/v1/concept/draft/goals/{id}") => text,
        ("POST", "/api/v1/concept/draft/fields/{id}/goals") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["title"], "properties": { "title": { "type": "string" }, "description": { "type": "string" } } })
        }
        ("POST", "/api/v1/feedback") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["message"], "properties": { "message": { "type": "string", "maxLength": 5000 }, "contact": { "type": "string", "format": "email" } } })
        }
        ("PUT", "/api/v1/pages/{kind}") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["locale", "body"], "properties": { "locale": { "type": "string" }, "body": { "type": "string", "maxLength": 20000 } } })
        }
        ("DELETE", "/api/v1/me") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["password"], "properties": { "password": { "type": "string" } } })
        }
        ("POST", "/api/v1/me/organisations/{id}/contacts") => json!({
            "type": "object", "additionalProperties": false, "required": ["email"],
            "properties": { "name": { "type": "string" }, "email": { "type": "string", "format": "email" }, "role": { "type": "string" } }
        }),
        ("POST", "/api/v1/organisations")
        | ("PUT", "/api/v1/organisations/{id}")
        | ("PUT", "/api/v1/me/organisations/{id}") => json!({
            "type": "object", "additionalProperties": false, "required": ["name", "kind", "municipality"],
            "properties": {
                "name": { "type": "string", "maxLength": 200 },
                "kind": { "type": "string", "enum": th_participation::OrgKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>() },
                "municipality": { "type": "string", "description": "key from /api/v1/municipalities" },
                "fields": { "type": "array", "items": { "type": "integer" } },
                "languages": { "type": "array", "items": { "type": "string" } },
                "notes": { "type": "string" },
                "contact": { "type": "object", "required": ["email"], "properties": { "name": { "type": "string" }, "email": { "type": "string", "format": "email" }, "role": { "type": "string" }, "consent_how": { "type": "string" } } }
            }
        }),
        ("POST", "/api/v1/organisations/import") => {
            return Some(
                json!({ "type": "string", "contentMediaType": "text/csv", "description": "the CSV file; ?dry_run=true checks only" }),
            )
        }
        ("PUT", "/api/v1/contributions/{id}/status") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["status"], "properties": { "status": { "type": "string", "enum": ["received", "under_review", "taken", "merged", "not_taken"] }, "goal": { "type": "string", "description": "goal number, required for taken" }, "reason": { "type": "string", "description": "required for merged and not_taken" } } })
        }
        ("POST", "/api/v1/contributions/{id}/report") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["reason"], "properties": { "reason": { "type": "string", "maxLength": 1000 } } })
        }
        ("POST", "/api/v1/events") | ("PUT", "/api/v1/events/{id}") => json!({
            "type": "object", "additionalProperties": false, "required": ["process_id", "kind", "starts", "ends", "capacity", "texts"],
            "properties": {
                "process_id": { "type": "integer" },
                "kind": { "type": "string", "enum": ["forum", "workshop"] },
                "fields": { "type": "array", "items": { "type": "integer" } },
                "starts": { "type": "string", "description": "German local time, YYYY-MM-DDTHH:MM" },
                "ends": { "type": "string", "description": "German local time, YYYY-MM-DDTHH:MM" },
                "place": { "type": "string" }, "address": { "type": "string" }, "accessibility": { "type": "string" },
                "online_url": { "type": "string", "format": "uri" },
                "capacity": { "type": "integer", "minimum": 1, "maximum": 10000 },
                "texts": { "type": "object", "description": "locale tag -> texts; de is required", "additionalProperties": {
                    "type": "object", "additionalProperties": false,
                    "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "agenda": { "type": "string", "description": "one item per line" } } } }
            }
        }),
        ("POST", "/api/v1/events/{id}/registrations") => json!({
            "type": "object", "additionalProperties": false,
            "description": "signed in: the account registers; otherwise name, email and consent are required",
            "properties": {
                "name": { "type": "string" }, "email": { "type": "string", "format": "email" },
                "org_kind": { "type": "string", "enum": th_participation::OrgKind::ALL.iter().map(|k| k.key()).collect::<Vec<_>>() },
                "needs": { "type": "string", "maxLength": 1000 }, "consent": { "type": "boolean" }
            }
        }),
        ("PUT", "/api/v1/events/{id}/record") => json!({
            "type": "object", "additionalProperties": false,
            "properties": {
                "minutes": { "type": "string" }, "minutes_locale": { "type": "string" },
                "attendance": { "type": "object", "description": "kind of organisation (or individual) -> people", "additionalProperties": { "type": "integer", "minimum": 0 } }
            }
        }),
        ("POST", "/api/v1/events/{id}/outcomes") => json!({
            "type": "object", "additionalProperties": false, "required": ["text"],
            "properties": { "text": { "type": "string", "maxLength": 2000 }, "contribution": { "type": "integer" }, "goal": { "type": "string", "description": "goal number, e.g. 4.2" } }
        }),
        ("POST", "/api/v1/processes/{id}/forum/{field}") => json!({
            "type": "object", "additionalProperties": false, "required": ["title", "body"],
            "properties": { "title": { "type": "string", "maxLength": 200 }, "body": { "type": "string", "maxLength": 20000 } }
        }),
        ("POST", "/api/v1/indicators/values") => json!({
            "type": "object", "additionalProperties": false, "required": ["csv"],
            "properties": { "csv": { "type": "string", "description": "CSV text with the header indicator,municipality,year,value (`;` with decimal commas, or `,`); every line is checked against the indicators and the region's municipalities, nothing is written unless all are right; a value for the same indicator, municipality and year replaces the earlier one" } }
        }),
        ("POST", "/api/v1/measures") => json!({
            "type": "object", "required": ["measures"],
            "description": "measures to add to the catalogue; all are checked (numbers, keys, relations to new or existing measures, no cycle in requires, dates) and all are written, or nothing",
            "properties": { "measures": { "type": "array", "items": { "type": "object",
                "required": ["key", "field", "goals", "title", "planned_start", "staff_fte", "money_eur", "status"],
                "properties": {
                    "key": { "type": "string" }, "field": { "type": "integer" },
                    "goals": { "type": "object", "description": "goal number -> expected contribution; the first is the primary goal", "additionalProperties": { "type": "number", "minimum": 0 } },
                    "title": { "type": "object", "description": "locale -> text", "additionalProperties": { "type": "string" } },
                    "description": { "type": "object", "additionalProperties": { "type": "string" } },
                    "owner": { "type": "string" }, "partners": { "type": "array", "items": { "type": "string" } },
                    "planned_start": { "type": "integer" }, "duration_years": { "type": ["integer", "null"], "minimum": 1 },
                    "staff_fte": { "type": "number", "minimum": 0 }, "money_eur": { "type": "number", "minimum": 0 }, "funding": { "type": "string" },
                    "requires": { "type": "array", "items": { "type": "string" } }, "excludes": { "type": "array", "items": { "type": "string" } },
                    "status": { "type": "string", "enum": ["planned", "funded", "running", "done", "paused", "dropped"] },
                    "progress": { "type": "number", "minimum": 0, "maximum": 100 }, "weight": { "type": "number", "exclusiveMinimum": 0 },
                    "milestones": { "type": "array", "items": { "type": "object", "required": ["date", "title"], "properties": { "date": { "type": "string", "format": "date" }, "title": { "type": "object" }, "done": { "type": "boolean" } } } },
                    "updates": { "type": "array", "items": { "type": "object", "required": ["date", "progress"], "properties": { "date": { "type": "string", "format": "date" }, "status": { "type": "string" }, "progress": { "type": "number" }, "text": { "type": "object" } } } },
                    "origins": { "type": "array", "items": { "type": "integer" }, "description": "ids of contributions this measure came from" }
                } } } }
        }),
        ("POST", "/api/v1/measures/status") => json!({
            "type": "object", "additionalProperties": false, "required": ["csv"],
            "properties": { "csv": { "type": "string", "description": "CSV text with the header key,date,status,progress[,note] (`;` or `,`); every line is checked and nothing applies unless all are right" } }
        }),
        ("POST", "/api/v1/plan") => json!({
            "type": "object", "required": ["horizon", "money_eur", "staff_fte", "measures"],
            "description": "a scenario with its measures, as `teilhabe plan FILE.json` reads it (docs/planner.md); answers the plan, or 422 with every error named where it is",
            "properties": {
                "horizon": { "type": "object", "required": ["first_year", "years"], "properties": { "first_year": { "type": "integer" }, "years": { "type": "integer", "minimum": 1, "maximum": 30 } } },
                "money_eur": { "oneOf": [{ "type": "number", "minimum": 0 }, { "type": "array", "items": { "type": "number", "minimum": 0 } }] },
                "staff_fte": { "oneOf": [{ "type": "number", "minimum": 0 }, { "type": "array", "items": { "type": "number", "minimum": 0 } }] },
                "fte_cost_eur": { "type": "number", "minimum": 0 },
                "goal_weights": { "type": "object", "additionalProperties": { "type": "number", "minimum": 0 } },
                "must": { "type": "array", "items": { "type": "string" } },
                "must_not": { "type": "array", "items": { "type": "string" } },
                "min_share": { "type": "object", "description": "field of action number -> minimum share 0..1", "additionalProperties": { "type": "number", "minimum": 0, "maximum": 1 } },
                "start_flexibility": { "type": "integer", "minimum": 0, "maximum": 10 },
                "include_running": { "type": "boolean" },
                "measures": { "type": "array", "items": { "type": "object", "required": ["key", "field", "goals", "planned_start", "staff_fte", "money_eur"],
                    "properties": { "key": { "type": "string" }, "title": { "type": "string" }, "field": { "type": "integer" }, "goals": { "type": "object", "additionalProperties": { "type": "number", "minimum": 0 } },
                        "planned_start": { "type": "integer" }, "duration_years": { "type": ["integer", "null"], "minimum": 1 }, "staff_fte": { "type": "number", "minimum": 0 }, "money_eur": { "type": "number", "minimum": 0 },
                        "requires": { "type": "array", "items": { "type": "string" } }, "excludes": { "type": "array", "items": { "type": "string" } }, "fixed_start": { "type": "boolean" } } } }
            }
        }),
        ("POST", "/api/v1/scenarios") | ("PUT", "/api/v1/scenarios/{id}") => json!({
            "type": "object", "additionalProperties": false, "required": ["name", "scenario"],
            "properties": { "name": { "type": "string" }, "description": { "type": "string" },
                "scenario": { "type": "object", "description": "the scenario without measures (docs/planner.md): horizon, money_eur, staff_fte, fte_cost_eur, goal_weights, must, must_not, min_share, start_flexibility, include_running; the measures are the catalogue's" } }
        }),
        ("PUT", "/api/v1/themes/{id}") => json!({
            "type": "object", "additionalProperties": false,
            "properties": { "name": { "type": "string", "maxLength": 200 }, "field": { "type": ["integer", "null"], "description": "field of action; null clears it" }, "accepted": { "type": "boolean" } }
        }),
        ("POST", "/api/v1/themes/{id}/merge") => json!({
            "type": "object", "additionalProperties": false, "required": ["from"],
            "properties": { "from": { "type": "integer", "description": "the theme merged into this one (same process)" } }
        }),
        ("POST", "/api/v1/conversations") => json!({
            "type": "object", "additionalProperties": false, "required": ["topic"],
            "properties": { "topic": { "type": "string", "maxLength": 200 }, "description": { "type": "string", "maxLength": 4000 }, "process_id": { "type": "integer" }, "strict_moderation": { "type": "boolean", "default": true, "description": "statements appear only after a moderator accepted them" } }
        }),
        ("POST", "/api/v1/conversations/{id}/statements") => json!({
            "type": "object", "additionalProperties": false, "required": ["text"],
            "description": "anonymous participants send X-Opinion-Participant (a secret of 32 to 200 characters they keep)",
            "properties": { "text": { "type": "string", "maxLength": 300 } }
        }),
        ("POST", "/api/v1/conversations/{id}/votes") => json!({
            "type": "object", "additionalProperties": false, "required": ["statement", "vote"],
            "description": "one vote per participant and statement; a new vote replaces the earlier one",
            "properties": { "statement": { "type": "integer" }, "vote": { "type": "integer", "enum": [1, -1, 0], "description": "1 agree, -1 disagree, 0 pass" } }
        }),
        ("PUT", "/api/v1/conversations/{id}/statements/{num}/moderation") => json!({
            "type": "object", "additionalProperties": false, "required": ["decision"],
            "properties": { "decision": { "type": "string", "enum": ["accept", "reject", "meta"] } }
        }),
        ("PUT", "/api/v1/conversations/{id}/status") => json!({
            "type": "object", "additionalProperties": false, "required": ["status"],
            "properties": { "status": { "type": "string", "enum": ["open", "closed", "hidden"] } }
        }),
        ("POST", "/api/v1/threads/{id}/posts") => json!({
            "type": "object", "additionalProperties": false, "required": ["body"],
            "properties": { "body": { "type": "string", "maxLength": 20000 }, "parent": { "type": "integer", "description": "the post answered" }, "quote": { "type": "integer", "description": "a post of the thread to quote" } }
        }),
        ("POST", "/api/v1/posts/{id}/report") => json!({
            "type": "object", "additionalProperties": false, "required": ["reason"], "properties": { "reason": { "type": "string", "maxLength": 1000 } }
        }),
        ("PUT", "/api/v1/posts/{id}/moderation") => json!({
            "type": "object", "additionalProperties": false, "required": ["hidden"], "properties": { "hidden": { "type": "boolean" }, "reason": { "type": "string" } }
        }),
        ("PUT", "/api/v1/threads/{id}/lock") => json!({
            "type": "object", "additionalProperties": false, "required": ["locked"], "properties": { "locked": { "type": "boolean" } }
        }),
        ("PUT", "/api/v1/me/digest") => json!({
            "type": "object", "additionalProperties": false, "required": ["frequency"], "properties": { "frequency": { "type": "string", "enum": ["off", "daily", "weekly"] } }
        }),
        ("POST", "/api/v1/processes") | ("PUT", "/api/v1/processes/{id}") => json!({
            "type": "object", "additionalProperties": false, "required": ["title", "moderation", "retention_days"],
            "properties": {
                "title": { "type": "object", "description": "locale tag -> title; de is required", "additionalProperties": { "type": "string", "maxLength": 200 } },
                "description": { "type": "object", "additionalProperties": { "type": "string", "maxLength": 5000 } },
                "moderation": { "type": "string", "enum": ["before", "after"] },
                "retention_days": { "type": "integer", "minimum": 30, "maximum": 3650, "description": "days after the last phase ends until personal data is erased" },
                "phases": { "type": "object", "description": "phase (invitation, collecting, forums, workshops, drafting, decision) -> [first day, last day] as YYYY-MM-DD",
                    "additionalProperties": { "type": "array", "items": { "type": "string", "format": "date" }, "minItems": 2, "maxItems": 2 } }
            }
        }),
        ("POST", "/api/v1/processes/{id}/contributions") => json!({
            "type": "object", "additionalProperties": false, "required": ["kind", "title", "body", "fields", "pseudonym"],
            "properties": {
                "kind": { "type": "string", "enum": ["wish", "idea", "good_practice"] },
                "title": { "type": "string", "maxLength": 200 }, "body": { "type": "string" },
                "fields": { "type": "array", "items": { "type": "integer" }, "minItems": 1 },
                "pseudonym": { "type": "string", "maxLength": 80, "description": "the name published with the contribution" },
                "who": { "type": "string" }, "place": { "type": "string" }, "contact": { "type": "string" },
                "notify": { "type": "boolean", "description": "e-mail the account when the status changes" }
            }
        }),
        ("POST", "/api/v1/invitations/{token}/device") => json!({
            "type": "object", "additionalProperties": false, "required": ["code"],
            "properties": { "code": { "type": "string", "description": "the code mailed to the contact" } }
        }),
        ("POST", "/api/v1/invitations/{token}/contributions") => json!({
            "type": "object", "additionalProperties": false, "required": ["kind", "title", "body", "fields"],
            "description": "send the device secret in X-Invitation-Device",
            "properties": {
                "kind": { "type": "string", "enum": ["wish", "idea", "good_practice"] },
                "title": { "type": "string", "maxLength": 200 }, "body": { "type": "string" },
                "fields": { "type": "array", "items": { "type": "integer" }, "minItems": 1 },
                "who": { "type": "string" }, "place": { "type": "string" }, "contact": { "type": "string" },
                "notify": { "type": "boolean" }
            }
        }),
        ("POST", "/api/v1/invitations/{token}/registrations") => json!({
            "type": "object", "additionalProperties": false, "required": ["event", "names"],
            "description": "send the device secret in X-Invitation-Device",
            "properties": { "event": { "type": "integer" }, "names": { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 10 }, "needs": { "type": "string" } }
        }),
        ("POST", "/api/v1/campaigns") => json!({
            "type": "object", "additionalProperties": false, "required": ["process_id", "name", "link_days", "texts"],
            "properties": {
                "process_id": { "type": "integer" }, "name": { "type": "string", "maxLength": 200 },
                "filter": { "type": "object", "additionalProperties": false, "properties": {
                    "kinds": { "type": "array", "items": { "type": "string" } },
                    "municipalities": { "type": "array", "items": { "type": "string" } },
                    "fields": { "type": "array", "items": { "type": "integer" } } } },
                "link_days": { "type": "integer", "minimum": 1, "maximum": 365 },
                "texts": { "type": "object", "description": "locale tag -> letter; de is required; {link} marks the personal link",
                    "additionalProperties": { "type": "object", "additionalProperties": false, "required": ["subject", "body"],
                        "properties": { "subject": { "type": "string" }, "body": { "type": "string" } } } }
            }
        }),
        ("PUT", "/api/v1/contributions/{id}/moderation") => json!({
            "type": "object", "additionalProperties": false, "required": ["published"],
            "properties": { "published": { "type": "boolean" }, "reason": { "type": "string" } }
        }),
        ("PUT", "/api/v1/me/name") => json!({
            "type": "object", "additionalProperties": false, "required": ["display_name"],
            "properties": { "display_name": { "type": "string", "maxLength": 80, "description": "may be a pseudonym" } }
        }),
        ("POST", "/api/v1/me/tokens") => {
            json!({ "type": "object", "additionalProperties": false, "required": ["name"], "properties": { "name": { "type": "string", "maxLength": 80 } } })
        }
        _ => return None,
    })
}

fn summary(method: &str, path: &str) -> String {
    let what = path
        .trim_start_matches("/api/v1/")
        .trim_start_matches("/api/");
    format!("{method} {what}")
}

pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in routes::list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/") || r.path.starts_with("/hsds"))
    {
        let mut op = Map::new();
        op.insert("summary".into(), summary(r.method, r.path).into());
        op.insert(
            "operationId".into(),
            format!(
                "{}_{}",
                r.method.to_lowercase(),
                r.path
                    .trim_start_matches('/')
                    .replace(['/', '{', '}', '.'], "_")
            )
            .into(),
        );
        let params: Vec<Value> = r
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let ty = if name == "kind" {
                    json!({ "type": "string", "enum": ["impressum", "privacy", "accessibility"] })
                } else if r.path.starts_with("/hsds") {
                    json!({ "type": "string", "format": "uuid" })
                } else if name == "key" {
                    json!({ "type": "string" })
                } else {
                    json!({ "type": "integer" })
                };
                json!({ "name": name, "in": "path", "required": true, "schema": ty })
            })
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), params.into());
        }
        if let Some(schema) = body_schema(r.method, r.path) {
            let media = if r.path.ends_with("/import") && r.path != "/api/v1/guide/import" {
                "text/csv"
            } else {
                "application/json"
            };
            op.insert("requestBody".into(), json!({ "required": r.method != "POST" || r.path != "/api/v1/concept/draft", "content": { media: { "schema": schema } } }));
        }
        let roles: Vec<&str> = r.access.roles().iter().map(|r| r.as_str()).collect();
        op.insert("x-roles".into(), roles.into());
        if r.access != Access::Public {
            op.insert(
                "security".into(),
                json!([{ "bearer": [] }, { "session": [] }]),
            );
        }
        op.insert("responses".into(), json!({
            "200": { "description": "OK", "content": { "application/json": {} } },
            "4XX": { "description": "Problem", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
        }));
        paths
            .entry(r.path.to_string())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .map(|o| o.insert(r.method.to_lowercase(), Value::Object(op)));
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "Teilhabe API", "version": env!("CARGO_PKG_VERSION"), "license": { "name": "EUPL-1.2", "identifier": "EUPL-1.2" } },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "Personal API token (created on /konto)" },
                "session": { "type": "apiKey", "in": "cookie", "name": "th_session", "description": "Browser session; state-changing requests also need the X-CSRF-Token header" }
            },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "description": "RFC 9457 problem details",
                    "required": ["type", "title", "status"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                        "detail": { "type": "string" }, "instance": { "type": "string" }, "code": { "type": "string" },
                        "errors": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } } } }
                    }
                }
            }
        }
    })
}
