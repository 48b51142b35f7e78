//! The organisation import: a spreadsheet as people have it (UTF-8 or Excel's Windows-1252,
//! comma or semicolon, German or English headers) is read whole and every row checked before
//! anything is written. Errors name the line and the column; duplicates (same e-mail, or same
//! name in the same municipality, in the file or already in the registry) are reported and
//! skipped, never doubled.

use crate::orgs::{insert_contact, insert_org, validate_org, ContactInput, OrgInput};
use crate::{OrgKind, Result};
use std::collections::HashMap;
use th_core::{Email, TenantId};
use th_storage::{sqlx, Db, Row};

/// Files larger than this are refused before they are read.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
pub const MAX_ROWS: usize = 20_000;

/// One problem, at a line of the file (1 is the header).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    pub line: u64,
    pub column: String,
    /// A code that names a message-catalog key (`import-<code>`).
    pub code: String,
    /// The value as found.
    pub value: String,
    /// For a duplicate within the file: the line where the value came first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_line: Option<u64>,
}

#[derive(Clone, Debug)]
struct Row_ {
    line: u64,
    org: OrgInput,
    kind: OrgKind,
    name: String,
    contact: ContactInput,
    email: String,
    consent_at: Option<i64>,
}

/// The outcome of checking a file: what would be created, and what is wrong.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Plan {
    pub encoding: String,
    pub delimiter: String,
    pub rows: usize,
    pub organisations: usize,
    pub contacts: usize,
    pub errors: Vec<Issue>,
    pub duplicates: Vec<Issue>,
    #[serde(skip)]
    valid: Vec<Row_>,
}

impl Plan {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Column names people use, in German and English, for each thing the import reads.
const COLUMNS: &[(&str, &[&str])] = &[
    (
        "name",
        &[
            "name",
            "organisation",
            "organization",
            "organisationsname",
            "einrichtung",
            "verein",
            "träger",
            "traeger",
        ],
    ),
    (
        "kind",
        &[
            "kind",
            "type",
            "art",
            "typ",
            "kategorie",
            "organisationsart",
        ],
    ),
    (
        "municipality",
        &[
            "municipality",
            "kommune",
            "gemeinde",
            "stadt",
            "ort",
            "stadt/gemeinde",
            "city",
        ],
    ),
    (
        "fields",
        &[
            "fields",
            "fields of action",
            "handlungsfelder",
            "handlungsfeld",
            "themen",
        ],
    ),
    ("languages", &["languages", "sprachen", "sprache"]),
    (
        "contact_name",
        &[
            "contact_name",
            "contact",
            "contact name",
            "ansprechperson",
            "ansprechpartner",
            "ansprechpartnerin",
            "kontakt",
            "kontaktperson",
        ],
    ),
    (
        "email",
        &[
            "email",
            "e-mail",
            "mail",
            "e-mail-adresse",
            "email address",
            "e-mail address",
        ],
    ),
    ("role", &["role", "funktion", "rolle", "position"]),
    (
        "consent",
        &[
            "consent",
            "einwilligung",
            "einverständnis",
            "einwilligung am",
        ],
    ),
    (
        "consent_how",
        &["consent_how", "einwilligung wie", "how consent"],
    ),
    (
        "notes",
        &[
            "notes",
            "notizen",
            "bemerkungen",
            "anmerkungen",
            "bemerkung",
            "notiz",
        ],
    ),
];

const REQUIRED: &[&str] = &["name", "kind", "municipality", "email"];

fn norm_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_lowercase()
}

/// Decodes a file: UTF-8 (with or without byte-order mark), else Windows-1252.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (text.into_owned(), "Windows-1252")
        }
    }
}

fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let (y, m, d): (i32, u8, u8) = if let Some((a, rest)) = s.split_once('-') {
        let (b, c) = rest.split_once('-')?;
        (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)
    } else if let Some((a, rest)) = s.split_once('.') {
        let (b, c) = rest.split_once('.')?;
        (c.parse().ok()?, b.parse().ok()?, a.parse().ok()?)
    } else {
        return None;
    };
    let month = time::Month::try_from(m).ok()?;
    let date = time::Date::from_calendar_date(y, month, d).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

/// Finds a municipality by key or name, forgiving case and a missing suffix
/// ("Neustadt" for "Neustadt am Rübenberge", "Wennigsen" for "Wennigsen (Deister)").
fn municipality_key(value: &str, known: &[(String, String)]) -> Option<String> {
    let v = value.trim().to_lowercase();
    if v.is_empty() {
        return None;
    }
    known
        .iter()
        .find(|(k, n)| *k == v || n.to_lowercase() == v)
        .or_else(|| {
            let starts: Vec<_> = known
                .iter()
                .filter(|(_, n)| n.to_lowercase().starts_with(&format!("{v} ")))
                .collect();
            (starts.len() == 1).then(|| starts[0])
        })
        .map(|(k, _)| k.clone())
}

fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = (byte as usize).min(bytes.len());
    // A record's position can sit before the line ending of the previous one (CRLF).
    while end < bytes.len() && (bytes[end] == b'\r' || bytes[end] == b'\n') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

/// Reads and checks a whole file against the registry. Writes nothing.
pub async fn check(
    db: &Db,
    t: TenantId,
    bytes: &[u8],
    municipalities: &[(String, String)],
    fields: &[i64],
    now: i64,
) -> Result<Plan> {
    let mut plan = Plan::default();
    let issue = |line: u64, column: &str, code: &str, value: &str| Issue {
        line,
        column: column.into(),
        code: code.into(),
        value: value.chars().take(80).collect(),
        first_line: None,
    };
    if bytes.len() > MAX_BYTES {
        plan.errors.push(issue(
            0,
            "",
            "file_too_large",
            &format!("{} bytes", bytes.len()),
        ));
        return Ok(plan);
    }
    let (text, encoding) = decode(bytes);
    plan.encoding = encoding.into();
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches(';').count() >= first_line.matches(',').count()
        && first_line.contains(';')
    {
        b';'
    } else if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    plan.delimiter = (delimiter as char).to_string();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            plan.errors.push(issue(1, "", "unreadable", &e.to_string()));
            return Ok(plan);
        }
    };
    // Which column holds what.
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = norm_header(h);
        if let Some((key, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
        {
            at.entry(key).or_insert(i);
        }
    }
    for r in REQUIRED {
        if !at.contains_key(r) {
            plan.errors.push(issue(1, r, "missing_column", ""));
        }
    }
    if !plan.errors.is_empty() {
        return Ok(plan);
    }
    let municipality_keys: Vec<String> = municipalities.iter().map(|(k, _)| k.clone()).collect();

    // What the registry has already.
    let existing_emails: HashMap<String, i64> =
        sqlx::query("SELECT LOWER(email), organisation_id FROM part_contacts WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    let existing_orgs: HashMap<(String, String), i64> = sqlx::query(
        "SELECT LOWER(name), municipality, id FROM part_organisations WHERE tenant_id = $1",
    )
    .bind(t.0)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| ((r.get(0), r.get(1)), r.get(2)))
    .collect();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    let mut seen_orgs: HashMap<(String, String), u64> = HashMap::new();

    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| line_at(&text, p.byte())).unwrap_or(0);
                plan.errors
                    .push(issue(line, "", "unreadable", &e.to_string()));
                continue;
            }
        };
        // The physical line where the record starts (counted from the byte offset, which stays
        // right with CRLF endings and quoted line breaks).
        let line = rec
            .position()
            .map(|p| line_at(&text, p.byte()))
            .unwrap_or(0);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        plan.rows += 1;
        if plan.rows > MAX_ROWS {
            plan.errors
                .push(issue(line, "", "too_many_rows", &MAX_ROWS.to_string()));
            break;
        }
        if rec.len() > headers.len() {
            plan.errors.push(issue(
                line,
                "",
                "too_many_columns",
                &format!("{} / {}", rec.len(), headers.len()),
            ));
            continue;
        }
        let get = |key: &str| {
            at.get(key)
                .and_then(|&i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let mut row_errors = Vec::new();
        let raw_municipality = get("municipality");
        let municipality = municipality_key(&raw_municipality, municipalities);
        let mut fields_v = Vec::new();
        for part in get("fields")
            .split([',', '/', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            match part.trim().parse::<i64>() {
                Ok(n) => fields_v.push(n),
                Err(_) => row_errors.push(issue(line, "fields", "invalid", part)),
            }
        }
        let languages: Vec<String> = get("languages")
            .split([',', '/', ' '])
            .map(|l| l.trim().to_lowercase())
            .filter(|l| !l.is_empty())
            .collect();
        let org = OrgInput {
            name: get("name"),
            kind: get("kind"),
            municipality: municipality
                .clone()
                .unwrap_or_else(|| raw_municipality.clone()),
            fields: fields_v,
            languages,
            notes: get("notes"),
        };
        let checked = validate_org(&org, &municipality_keys, fields);
        if let Err(v) = &checked {
            for e in &v.errors {
                let value = match e.field.as_str() {
                    "name" => org.name.clone(),
                    "kind" => org.kind.clone(),
                    "municipality" => raw_municipality.clone(),
                    "fields" => get("fields"),
                    "languages" => get("languages"),
                    _ => String::new(),
                };
                row_errors.push(issue(line, &e.field, &e.code, &value));
            }
        }
        let raw_email = get("email");
        let email = match Email::parse(&raw_email) {
            Ok(e) => Some(e.to_string()),
            Err(code) => {
                row_errors.push(issue(line, "email", code, &raw_email));
                None
            }
        };
        let raw_consent = get("consent");
        let consent_at = match raw_consent.to_lowercase().as_str() {
            "" | "nein" | "no" | "-" => None,
            "ja" | "yes" | "x" | "j" | "y" => Some(now),
            other => match parse_date(other) {
                Some(ts) => Some(ts),
                None => {
                    row_errors.push(issue(line, "consent", "invalid_date", &raw_consent));
                    None
                }
            },
        };
        if !row_errors.is_empty() {
            plan.errors.extend(row_errors);
            continue;
        }
        let (Ok((name, kind)), Some(email)) = (checked, email) else {
            continue;
        };
        // Duplicates: reported, skipped.
        let org_key = (name.to_lowercase(), org.municipality.clone());
        if let Some(first) = seen_emails.get(&email) {
            plan.duplicates.push(Issue {
                first_line: Some(*first),
                ..issue(line, "email", "duplicate_in_file", &email)
            });
            continue;
        }
        if existing_emails.contains_key(&email) {
            plan.duplicates
                .push(issue(line, "email", "duplicate_in_registry", &email));
            continue;
        }
        seen_emails.insert(email.clone(), line);
        let consent_how = match (consent_at, get("consent_how")) {
            (Some(_), how) if how.is_empty() => "Import".to_string(),
            (_, how) => how,
        };
        let contact = ContactInput {
            name: get("contact_name"),
            email: email.clone(),
            role: get("role"),
            consent_how,
        };
        if let Some(first) = seen_orgs.get(&org_key) {
            // The same organisation again with another contact: one organisation, two contacts.
            plan.duplicates.push(Issue {
                first_line: Some(*first),
                ..issue(line, "name", "same_organisation_in_file", &org.name)
            });
        } else if existing_orgs.contains_key(&org_key) {
            plan.duplicates
                .push(issue(line, "name", "duplicate_in_registry", &name));
            continue;
        } else {
            seen_orgs.insert(org_key, line);
            plan.organisations += 1;
        }
        plan.contacts += 1;
        plan.valid.push(Row_ {
            line,
            org,
            kind,
            name,
            contact,
            email,
            consent_at,
        });
    }
    if plan.rows == 0 && plan.errors.is_empty() {
        plan.errors.push(issue(2, "", "empty", ""));
    }
    Ok(plan)
}

/// Writes a clean plan in one transaction; returns the number of organisations created.
/// A plan with errors writes nothing.
pub async fn apply(db: &Db, t: TenantId, plan: &Plan, now: i64) -> Result<usize> {
    if !plan.is_clean() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let mut ids: HashMap<(String, String), i64> = HashMap::new();
    let mut created = 0;
    for r in &plan.valid {
        let key = (r.name.to_lowercase(), r.org.municipality.clone());
        let id = match ids.get(&key) {
            Some(id) => *id,
            None => {
                let id = insert_org(&mut tx, t, &r.name, r.kind, &r.org, false, now).await?;
                ids.insert(key, id);
                created += 1;
                id
            }
        };
        insert_contact(&mut tx, t, id, &r.contact, &r.email, r.consent_at, now).await?;
        let _ = r.line;
    }
    tx.commit().await?;
    Ok(created)
}
