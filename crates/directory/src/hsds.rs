//! Open Referral HSDS 3.0: services, organisations, locations and services at locations as the
//! standard's JSON, and the import of such JSON (all or nothing). Identifiers are UUIDs that
//! carry the internal id in their last twelve hex digits behind a prefix per tenant and kind,
//! so they are stable, unique and can be read back without a lookup table.

use crate::recognition::ImportError;
use crate::{languages, taxonomy, Location, Region, Schedule, Service, ServiceInput, ServiceText};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use th_core::{Locale, TenantId};

/// What HSDS needs to know of an organisation (from the participation registry).
#[derive(Clone, Debug, PartialEq)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub description: String,
}

fn prefix(t: TenantId, kind: &str) -> String {
    let h = Sha256::digest(format!("teilhabe/{}/{kind}", t.0).as_bytes());
    h.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// The UUID of an object of a kind (`service`, `organization`, `location`, `sal`, `schedule`,
/// `language`, `phone`, `document`, `area`, `term`, `address`, `contact`, `cost`, `attribute`,
/// `accessibility`). Sub-objects use their parent's id and their position.
pub fn id(t: TenantId, kind: &str, n: i64) -> String {
    format!("{}-0000-5000-8000-{:012x}", prefix(t, kind), n.max(0))
}

/// Reads an id back; None when it is not one of this tenant's of that kind.
pub fn parse_id(t: TenantId, kind: &str, s: &str) -> Option<i64> {
    let (head, tail) = s.split_at_checked(24)?;
    if head != format!("{}-0000-5000-8000-", prefix(t, kind)) || tail.len() != 12 {
        return None;
    }
    i64::from_str_radix(tail, 16).ok()
}

/// The number behind a service-at-location id.
pub fn sal_id(service: i64, location: i64) -> i64 {
    service * 1_000_000 + location
}

/// (service, location) of a service-at-location number.
pub fn sal_parts(n: i64) -> (i64, i64) {
    (n / 1_000_000, n % 1_000_000)
}

fn sub(parent: i64, i: usize) -> i64 {
    parent * 1000 + i as i64
}

fn rfc3339(ts: i64) -> String {
    let d =
        time::OffsetDateTime::from_unix_timestamp(ts).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        d.year(),
        d.month() as u8,
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

fn date(ts: i64) -> String {
    rfc3339(ts)[..10].to_string()
}

const BYDAY: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

pub fn organization(t: TenantId, o: &Org) -> Value {
    json!({
        "id": id(t, "organization", o.id),
        "name": o.name,
        "description": o.description,
    })
}

pub fn location(t: TenantId, l: &Location) -> Value {
    let mut access = Vec::new();
    if l.step_free || !l.accessibility.is_empty() {
        access.push(json!({
            "id": id(t, "accessibility", l.id),
            "location_id": id(t, "location", l.id),
            "description": if l.step_free { "step-free access" } else { "" },
            "details": l.accessibility,
        }));
    }
    json!({
        "id": id(t, "location", l.id),
        "location_type": "physical",
        "organization_id": id(t, "organization", l.org_id),
        "name": l.name,
        "transportation": l.transport,
        "latitude": l.lat,
        "longitude": l.lon,
        "addresses": [{
            "id": id(t, "address", l.id),
            "location_id": id(t, "location", l.id),
            "address_1": l.street,
            "city": l.municipality,
            "region": "Region Hannover",
            "state_province": "Niedersachsen",
            "postal_code": l.postal_code,
            "country": "DE",
            "address_type": "physical",
        }],
        "accessibility": access,
    })
}

/// A service, fully nested, with texts in `l` (German where there is none).
pub fn service(t: TenantId, s: &Service, org: Option<&Org>, l: Locale) -> Value {
    let (x, _) = s.text(l);
    let sid = id(t, "service", s.id);
    let schedules: Vec<Value> = s
        .schedules
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({
                "id": id(t, "schedule", sub(s.id, i)),
                "service_id": sid,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": BYDAY[(h.weekday.clamp(1, 7) - 1) as usize],
                "opens_at": h.opens_hhmm(),
                "closes_at": h.closes_hhmm(),
                "timezone": 1,
                "description": "Europe/Berlin",
            })
        })
        .collect();
    let langs: Vec<Value> = s
        .languages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            json!({
                "id": id(t, "language", sub(s.id, i)),
                "service_id": sid,
                "name": languages::endonym(c).unwrap_or(c),
                "code": c,
            })
        })
        .collect();
    let areas: Vec<Value> = s
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "id": id(t, "area", sub(s.id, i)),
                "service_id": sid,
                "name": a,
                "extent_type": "municipality",
            })
        })
        .collect();
    let docs: Vec<Value> = x
        .bring
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"id": id(t, "document", sub(s.id, i)), "service_id": sid, "document": d}))
        .collect();
    let sals: Vec<Value> = s
        .locations
        .iter()
        .map(|loc| {
            json!({
                "id": id(t, "sal", sal_id(s.id, loc.id)),
                "service_id": sid,
                "location_id": id(t, "location", loc.id),
                "location": location(t, loc),
            })
        })
        .collect();
    let attributes: Vec<Value> = s
        .topics
        .iter()
        .enumerate()
        .filter_map(|(i, code)| {
            let term = taxonomy::get(code)?;
            let pos = taxonomy::all()
                .iter()
                .position(|x| x.code == term.code)
                .unwrap_or(0) as i64;
            Some(json!({
                "id": id(t, "attribute", sub(s.id, i)),
                "link_id": sid,
                "link_type": "topic",
                "link_entity": "service",
                "taxonomy_term_id": id(t, "term", pos),
                "taxonomy_term": taxonomy_term(t, term, pos, l),
            }))
        })
        .collect();
    let mut v = json!({
        "id": sid,
        "organization_id": id(t, "organization", s.org_id),
        "name": x.name,
        "description": x.description,
        "url": if s.url.is_empty() { Value::Null } else { Value::String(s.url.clone()) },
        "email": if s.email.is_empty() { Value::Null } else { Value::String(s.email.clone()) },
        "status": s.status,
        "fees_description": if s.free { String::new() } else { x.fees.clone() },
        "eligibility_description": x.eligibility,
        "application_process": if s.by_appointment { "appointment" } else { "walk-in" },
        "minimum_age": s.age_min,
        "maximum_age": s.age_max,
        "assured_date": date(s.verified_at),
        "last_modified": rfc3339(s.updated_at),
        "phones": if s.phone.is_empty() { json!([]) } else { json!([{"id": id(t, "phone", s.id), "service_id": sid, "number": s.phone}]) },
        "contacts": if s.contact.is_empty() { json!([]) } else { json!([{"id": id(t, "contact", s.id), "service_id": sid, "name": s.contact}]) },
        "schedules": schedules,
        "service_areas": areas,
        "service_at_locations": sals,
        "languages": langs,
        "required_documents": docs,
        "cost_options": if s.free { json!([{"id": id(t, "cost", s.id), "service_id": sid, "option": "free", "amount": 0, "currency": "EUR"}]) } else { json!([]) },
        "attributes": attributes,
    });
    if let (Some(o), Some(obj)) = (org, v.as_object_mut()) {
        obj.insert("organization".into(), organization(t, o));
    }
    strip_nulls(&mut v);
    v
}

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// One service at one location, with both nested.
pub fn service_at_location(t: TenantId, s: &Service, loc: &Location) -> Value {
    let schedules: Vec<Value> = s
        .schedules
        .iter()
        .enumerate()
        .map(|(i, h)| {
            json!({
                "id": id(t, "schedule", sub(s.id, i)),
                "service_at_location_id": id(t, "sal", sal_id(s.id, loc.id)),
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": BYDAY[(h.weekday.clamp(1, 7) - 1) as usize],
                "opens_at": h.opens_hhmm(),
                "closes_at": h.closes_hhmm(),
            })
        })
        .collect();
    json!({
        "id": id(t, "sal", sal_id(s.id, loc.id)),
        "service_id": id(t, "service", s.id),
        "location_id": id(t, "location", loc.id),
        "location": location(t, loc),
        "schedules": schedules,
    })
}

pub fn taxonomy_term(t: TenantId, term: &taxonomy::Term, pos: i64, l: Locale) -> Value {
    let parent = term
        .parent
        .as_deref()
        .and_then(|p| taxonomy::all().iter().position(|x| x.code == p));
    let mut v = json!({
        "id": id(t, "term", pos),
        "code": term.code,
        "name": term.name(l),
        "description": term.name(l),
        "taxonomy": "teilhabe-wegweiser",
        "language": if term.has_name(l) { l.tag() } else { "de" },
    });
    if let (Some(p), Some(o)) = (parent, v.as_object_mut()) {
        o.insert("parent_id".into(), Value::String(id(t, "term", p as i64)));
    }
    v
}

/// The HSDS page envelope.
pub fn page(contents: Vec<Value>, total: i64, page: i64, per_page: i64) -> Value {
    let pages = if total == 0 {
        1
    } else {
        (total + per_page - 1) / per_page
    };
    json!({
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": contents.len(),
        "first_page": page <= 1,
        "last_page": page >= pages,
        "empty": contents.is_empty(),
        "contents": contents,
    })
}

/// A service of an import, with its locations (new ones to create, or ids of existing ones).
#[derive(Debug)]
pub struct Imported {
    pub existing: Option<i64>,
    pub key: String,
    pub input: ServiceInput,
    pub locations: Vec<crate::LocationInput>,
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
}

/// Reads an HSDS document (an array of services, or a page with `contents`) and checks every
/// service; returns all of them or every problem, by position (`service 3`).
pub fn parse_import(
    t: TenantId,
    json_text: &str,
    orgs: &[Org],
    region: &Region<'_>,
    locale: Locale,
) -> Result<Vec<Imported>, Vec<ImportError>> {
    let doc: Value = serde_json::from_str(json_text).map_err(|e| {
        vec![ImportError {
            place: format!("line {}, column {}", e.line(), e.column()),
            code: "hsds_syntax".into(),
        }]
    })?;
    let items = match &doc {
        Value::Array(a) => a.clone(),
        Value::Object(o) => match o.get("contents") {
            Some(Value::Array(a)) => a.clone(),
            _ => vec![doc.clone()],
        },
        _ => Vec::new(),
    };
    let mut errs = Vec::new();
    let mut out = Vec::new();
    if items.is_empty() {
        errs.push(ImportError {
            place: "document".into(),
            code: "hsds_empty".into(),
        });
    }
    if items.len() > 100_000 {
        errs.push(ImportError {
            place: "document".into(),
            code: "too_long".into(),
        });
        return Err(errs);
    }
    let mut seen = std::collections::HashSet::new();
    for (i, it) in items.iter().enumerate() {
        let place = format!("service {}", i + 1);
        let mut err = |code: &str| {
            errs.push(ImportError {
                place: place.clone(),
                code: code.into(),
            })
        };
        let Some(obj) = it.as_object() else {
            err("hsds_object");
            continue;
        };
        let hid = s(it, "id");
        if hid.is_empty() || hid.len() > 100 {
            err("hsds_id");
            continue;
        }
        if !seen.insert(hid.to_string()) {
            err("duplicate");
        }
        let name = s(it, "name");
        if name.trim().is_empty() {
            err("hsds_name");
        }
        let status = obj
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("active");
        // The organisation: ours by id, or by exact name in the registry.
        let org = obj
            .get("organization_id")
            .and_then(Value::as_str)
            .and_then(|x| parse_id(t, "organization", x))
            .and_then(|n| orgs.iter().find(|o| o.id == n))
            .or_else(|| {
                let n = obj.get("organization").map(|o| s(o, "name")).unwrap_or("");
                orgs.iter().find(|o| !n.is_empty() && o.name == n)
            });
        let Some(org) = org else {
            err("hsds_organization");
            continue;
        };
        let list = |k: &str| {
            obj.get(k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let mut schedules = Vec::new();
        for h in list("schedules") {
            let day = BYDAY.iter().position(|d| *d == s(&h, "byday"));
            match (
                day,
                parse_hhmm(s(&h, "opens_at")),
                parse_hhmm(s(&h, "closes_at")),
            ) {
                (Some(d), Some(o), Some(c)) => schedules.push(Schedule {
                    weekday: d as u8 + 1,
                    opens: o,
                    closes: c,
                }),
                _ => err("hours_format"),
            }
        }
        let langs: Vec<String> = list("languages")
            .iter()
            .map(|l| s(l, "code").to_string())
            .collect();
        let mut topics: Vec<String> = Vec::new();
        for a in list("attributes") {
            if let Some(term) = a.get("taxonomy_term") {
                let code = s(term, "code");
                if taxonomy::get(code).is_some() {
                    topics.push(code.to_string());
                }
            }
        }
        let areas: Vec<String> = list("service_areas")
            .iter()
            .map(|a| s(a, "name").to_string())
            .collect();
        let mut locations = Vec::new();
        for sal in list("service_at_locations") {
            let Some(loc) = sal.get("location") else {
                continue;
            };
            let addr = loc
                .get("addresses")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned()
                .unwrap_or(Value::Null);
            let municipality = s(&addr, "city").to_string();
            let step_free = loc
                .get("accessibility")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| s(x, "description").contains("step-free")));
            locations.push(crate::LocationInput {
                org_id: org.id,
                name: s(loc, "name").to_string(),
                street: s(&addr, "address_1").to_string(),
                postal_code: s(&addr, "postal_code").to_string(),
                municipality,
                lat: loc
                    .get("latitude")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN),
                lon: loc
                    .get("longitude")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::NAN),
                step_free,
                transport: s(loc, "transportation").to_string(),
                accessibility: loc
                    .get("accessibility")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
                    .map(|x| s(x, "details").to_string())
                    .unwrap_or_default(),
            });
        }
        for l in &locations {
            if let Err(v) = l.validate(region) {
                for e in v.errors {
                    err(&format!("location_{}", e.code));
                }
            }
        }
        let mut texts = BTreeMap::new();
        texts.insert(
            locale.tag().to_string(),
            ServiceText {
                name: name.to_string(),
                description: s(it, "description").to_string(),
                fees: s(it, "fees_description").to_string(),
                eligibility: s(it, "eligibility_description").to_string(),
                bring: list("required_documents")
                    .iter()
                    .map(|d| s(d, "document").to_string())
                    .collect(),
            },
        );
        let free = list("cost_options")
            .iter()
            .any(|c| s(c, "option") == "free");
        let age = |k: &str| obj.get(k).and_then(Value::as_i64);
        let mut input = ServiceInput {
            org_id: org.id,
            status: status.to_string(),
            email: s(it, "email").to_string(),
            url: s(it, "url").to_string(),
            phone: list("phones")
                .first()
                .map(|p| s(p, "number").to_string())
                .unwrap_or_default(),
            contact: list("contacts")
                .first()
                .map(|p| s(p, "name").to_string())
                .unwrap_or_default(),
            free,
            by_appointment: s(it, "application_process") == "appointment",
            age_min: age("minimum_age"),
            age_max: age("maximum_age"),
            groups: Vec::new(),
            topics,
            languages: langs,
            areas,
            texts,
            schedules,
            location_ids: Vec::new(),
        };
        if let Err(v) = input.validate(region) {
            for e in v.errors {
                err(&e.code);
            }
            continue;
        }
        out.push(Imported {
            existing: parse_id(t, "service", hid),
            key: format!(
                "hsds-{}",
                hid.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
            ),
            input,
            locations,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuids_that_read_back() {
        let t = TenantId(1);
        let s = id(t, "service", 4711);
        assert_eq!(s.len(), 36);
        assert_eq!(parse_id(t, "service", &s), Some(4711));
        assert_eq!(parse_id(t, "organization", &s), None);
        assert_eq!(parse_id(TenantId(2), "service", &s), None);
        assert_eq!(parse_id(t, "service", "nonsense"), None);
        assert_eq!(
            parse_id(t, "service", "ééééééééééééééééééééééééééééé"),
            None
        );
        assert_ne!(id(t, "service", 1), id(TenantId(2), "service", 1));
    }
}
