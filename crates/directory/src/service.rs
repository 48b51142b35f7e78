//! Services, their locations and opening hours; changes proposed by organisations and their
//! review; verification dates and reminders. Every write bumps the tenant's directory revision
//! (`dir_state.rev`) in the same transaction and stamps the service with it, so every node's
//! search index can pick up exactly what changed since it last looked.

use crate::{languages, taxonomy, DirError, Result, GROUPS};
use std::collections::{BTreeMap, HashMap};
use th_core::{Email, Locale, TenantId, Validation};
use th_storage::platform::AuditEntry;
use th_storage::{sqlx, Db, Row, Tx};

/// The texts of a service in one locale.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceText {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// What it costs, when it is not free.
    #[serde(default)]
    pub fees: String,
    /// Who can come, in one sentence.
    #[serde(default)]
    pub eligibility: String,
    /// What to bring, one item each.
    #[serde(default)]
    pub bring: Vec<String>,
}

/// Opening hours on one weekday (1 = Monday … 7 = Sunday), minutes after midnight, local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schedule {
    pub weekday: u8,
    pub opens: u16,
    pub closes: u16,
}

impl Schedule {
    pub fn opens_hhmm(&self) -> String {
        hhmm(self.opens)
    }
    pub fn closes_hhmm(&self) -> String {
        hhmm(self.closes)
    }
}

pub fn hhmm(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// HSDS service status.
pub const STATUSES: &[&str] = &["active", "inactive", "defunct", "temporarily closed"];

/// Whether a service is visible to the public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Published,
    Pending,
}

impl Review {
    fn key(self) -> &'static str {
        match self {
            Review::Published => "published",
            Review::Pending => "pending",
        }
    }
}

/// What is written for a service: by a coordinator directly, by an organisation as a
/// proposed change, by the HSDS import, by the demo.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceInput {
    pub org_id: i64,
    #[serde(default = "active")]
    pub status: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub phone: String,
    /// A contact person or office ("Frau Yilmaz, Beratung").
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub free: bool,
    #[serde(default)]
    pub by_appointment: bool,
    #[serde(default)]
    pub age_min: Option<i64>,
    #[serde(default)]
    pub age_max: Option<i64>,
    #[serde(default)]
    pub groups: Vec<String>,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    /// Municipality keys served, or `region` for all of them.
    pub areas: Vec<String>,
    pub texts: BTreeMap<String, ServiceText>,
    #[serde(default)]
    pub schedules: Vec<Schedule>,
    #[serde(default)]
    pub location_ids: Vec<i64>,
}

fn active() -> String {
    "active".into()
}

/// What validation needs to know about the region.
pub struct Region<'a> {
    pub municipalities: &'a [String],
}

impl ServiceInput {
    /// Checks everything and normalises codes; errors name the field (`texts.de.name`,
    /// `languages`, `schedules`, …) and a catalog key suffix.
    pub fn validate(&mut self, region: &Region<'_>) -> Result<(), Validation> {
        let mut v = Validation::new();
        if !STATUSES.contains(&self.status.as_str()) {
            v.add("status", "invalid_choice");
        }
        if !self.email.trim().is_empty() && Email::parse(&self.email).is_err() {
            v.add("email", "invalid_email");
        }
        let url = self.url.trim();
        let bad_url = !(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 500
            || url.contains(char::is_whitespace);
        if !url.is_empty() && bad_url {
            v.add("url", "invalid_url");
        }
        v.optional_text("phone", &self.phone, 60);
        if self
            .phone
            .chars()
            .any(|c| !(c.is_ascii_digit() || " +-/()".contains(c) || c.is_ascii_alphabetic()))
        {
            v.add("phone", "phone");
        }
        v.optional_text("contact", &self.contact, 200);
        for (field, age) in [("age_min", self.age_min), ("age_max", self.age_max)] {
            if age.is_some_and(|a| !(0..=120).contains(&a)) {
                v.add(field, "age");
            }
        }
        if let (Some(a), Some(b)) = (self.age_min, self.age_max) {
            if a > b {
                v.add("age_max", "age_order");
            }
        }
        self.groups.retain(|g| !g.trim().is_empty());
        if self.groups.iter().any(|g| !GROUPS.iter().any(|k| k.0 == g)) {
            v.add("groups", "invalid_choice");
        }
        if self.topics.is_empty() {
            v.add("topics", "required");
        } else if self.topics.iter().any(|t| taxonomy::get(t).is_none()) {
            v.add("topics", "unknown_topic");
        }
        let mut langs = Vec::new();
        for l in &self.languages {
            match languages::check(l) {
                Ok(c) if !langs.contains(&c.to_string()) => langs.push(c.to_string()),
                Ok(_) => {}
                Err(languages::CodeError::UseShort(_)) => v.add("languages", "language_long_code"),
                Err(languages::CodeError::Unknown) => v.add("languages", "unknown_language"),
            }
        }
        if self.languages.is_empty() {
            v.add("languages", "required");
        }
        self.languages = langs;
        if self.areas.is_empty() {
            v.add("areas", "required");
        } else if self
            .areas
            .iter()
            .any(|a| a != "region" && !region.municipalities.iter().any(|m| m == a))
        {
            v.add("areas", "unknown_municipality");
        }
        if !self.texts.contains_key("de") {
            v.add("texts.de.name", "required");
        }
        let mut texts = BTreeMap::new();
        for (tag, t) in std::mem::take(&mut self.texts) {
            let Some(l) = Locale::parse(&tag) else {
                v.add("texts", "unknown_locale");
                continue;
            };
            let f = |s: &str| format!("texts.{}.{s}", l.tag());
            let name = if l == Locale::De {
                v.text(&f("name"), &t.name, 200)
            } else {
                v.optional_text(&f("name"), &t.name, 200)
            };
            let description = v.optional_text(&f("description"), &t.description, 4000);
            let fees = v.optional_text(&f("fees"), &t.fees, 500);
            let eligibility = v.optional_text(&f("eligibility"), &t.eligibility, 500);
            let bring: Vec<String> = t
                .bring
                .iter()
                .map(|b| b.trim().to_string())
                .filter(|b| !b.is_empty())
                .collect();
            if bring.len() > 20 || bring.iter().any(|b| b.chars().count() > 200) {
                v.add(&f("bring"), "too_long");
            }
            if name.is_empty() && l != Locale::De {
                // A translation without a name says nothing; drop it.
                continue;
            }
            texts.insert(
                l.tag().to_string(),
                ServiceText {
                    name,
                    description,
                    fees,
                    eligibility,
                    bring,
                },
            );
        }
        self.texts = texts;
        if let Err(code) = check_schedules(&mut self.schedules) {
            v.add("schedules", code);
        }
        if self.location_ids.len() > 20 {
            v.add("location_ids", "too_long");
        }
        v.into_result()
    }
}

/// Opening hours must make sense: weekday 1–7, opening before closing, within the day, no
/// overlapping hours on one day. Sorts them.
pub fn check_schedules(s: &mut [Schedule]) -> Result<(), &'static str> {
    if s.len() > 50 {
        return Err("too_long");
    }
    for x in s.iter() {
        if !(1..=7).contains(&x.weekday) {
            return Err("hours_weekday");
        }
        if x.closes > 24 * 60 || x.opens >= x.closes {
            return Err("hours_order");
        }
    }
    s.sort_by_key(|x| (x.weekday, x.opens));
    if s.windows(2)
        .any(|w| w[0].weekday == w[1].weekday && w[1].opens < w[0].closes)
    {
        return Err("hours_overlap");
    }
    Ok(())
}

const DAYS_DE: [&str; 7] = ["mo", "di", "mi", "do", "fr", "sa", "so"];
const DAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Reads opening hours as people type them, one day per line: `Mo 09:00-12:00, 13:00-16:00`,
/// `Do 14-18`, `Thu 9:30–12`. Returns the line number (1-based) and error code on failure.
pub fn parse_hours(text: &str) -> Result<Vec<Schedule>, (usize, &'static str)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let err = |c| (i + 1, c);
        let (day, rest) = line
            .split_once(|c: char| c.is_whitespace() || c == ':')
            .ok_or(err("hours_format"))?;
        let d = day.trim_end_matches('.').to_lowercase();
        let weekday = DAYS_DE
            .iter()
            .position(|x| *x == d)
            .or_else(|| DAYS_EN.iter().position(|x| *x == d))
            .ok_or(err("hours_weekday"))? as u8
            + 1;
        for span in rest.split(',') {
            let span = span.trim();
            if span.is_empty() {
                continue;
            }
            let (a, b) = span.split_once(['-', '–']).ok_or(err("hours_format"))?;
            let opens = parse_time(a).ok_or(err("hours_format"))?;
            let closes = parse_time(b).ok_or(err("hours_format"))?;
            if opens >= closes {
                return Err(err("hours_order"));
            }
            out.push(Schedule {
                weekday,
                opens,
                closes,
            });
        }
    }
    let lines = text.lines().count().max(1);
    check_schedules(&mut out).map_err(|c| (lines, c))?;
    Ok(out)
}

fn parse_time(s: &str) -> Option<u16> {
    let s = s.trim().trim_end_matches("Uhr").trim();
    let (h, m) = match s.split_once([':', '.']) {
        Some((h, m)) => (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?),
        None => (s.parse::<u16>().ok()?, 0),
    };
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Opening hours as text for the form, the inverse of `parse_hours` (German day names).
pub fn format_hours(s: &[Schedule]) -> String {
    let mut out = String::new();
    for d in 1..=7u8 {
        let spans: Vec<String> = s
            .iter()
            .filter(|x| x.weekday == d)
            .map(|x| format!("{}-{}", hhmm(x.opens), hhmm(x.closes)))
            .collect();
        if !spans.is_empty() {
            let day = DAYS_DE[d as usize - 1];
            let mut c = day.chars();
            let day: String = c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
            out.push_str(&format!("{day} {}\n", spans.join(", ")));
        }
    }
    out
}

/// Whether the hours include the given local weekday and minute.
pub fn is_open(s: &[Schedule], weekday: u8, minute: u16) -> bool {
    s.iter()
        .any(|x| x.weekday == weekday && x.opens <= minute && minute < x.closes)
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LocationInput {
    pub org_id: i64,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub municipality: String,
    pub lat: f64,
    pub lon: f64,
    pub step_free: bool,
    /// How to get there ("Stadtbahn 1 und 2, Haltestelle Laatzen Zentrum").
    pub transport: String,
    pub accessibility: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Location {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub street: String,
    pub postal_code: String,
    pub municipality: String,
    pub lat: f64,
    pub lon: f64,
    pub step_free: bool,
    pub transport: String,
    pub accessibility: String,
    pub updated_at: i64,
}

impl LocationInput {
    pub fn validate(&self, region: &Region<'_>) -> Result<(), Validation> {
        let mut v = Validation::new();
        v.text("name", &self.name, 200);
        v.text("street", &self.street, 200);
        let pc = self.postal_code.trim();
        if pc.len() != 5 || !pc.chars().all(|c| c.is_ascii_digit()) {
            v.add("postal_code", "postal_code");
        }
        if !region.municipalities.contains(&self.municipality) {
            v.add("municipality", "unknown_municipality");
        }
        if !(-90.0..=90.0).contains(&self.lat) || !(-180.0..=180.0).contains(&self.lon) {
            v.add("lat", "coordinates");
        }
        v.optional_text("transport", &self.transport, 500);
        v.optional_text("accessibility", &self.accessibility, 500);
        v.into_result()
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Service {
    pub id: i64,
    pub key: String,
    pub org_id: i64,
    pub status: String,
    pub review: Review,
    pub email: String,
    pub url: String,
    pub phone: String,
    pub contact: String,
    pub free: bool,
    pub by_appointment: bool,
    pub age_min: Option<i64>,
    pub age_max: Option<i64>,
    pub groups: Vec<String>,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
    pub areas: Vec<String>,
    pub fictitious: bool,
    pub verified_at: i64,
    pub rev: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub texts: BTreeMap<String, ServiceText>,
    pub schedules: Vec<Schedule>,
    pub locations: Vec<Location>,
}

impl Service {
    /// The texts in a locale and whether they are really in it (else German).
    pub fn text(&self, l: Locale) -> (&ServiceText, bool) {
        match self.texts.get(l.tag()) {
            Some(t) => (t, true),
            None => match self.texts.get("de") {
                Some(t) => (t, l == Locale::De || l == Locale::DeLs),
                None => (
                    self.texts.values().next().unwrap_or_else(|| empty_text()),
                    false,
                ),
            },
        }
    }
    pub fn is_public(&self) -> bool {
        self.review == Review::Published && self.status != "defunct"
    }
    pub fn step_free(&self) -> bool {
        !self.locations.is_empty() && self.locations.iter().all(|l| l.step_free)
    }
    pub fn input(&self) -> ServiceInput {
        ServiceInput {
            org_id: self.org_id,
            status: self.status.clone(),
            email: self.email.clone(),
            url: self.url.clone(),
            phone: self.phone.clone(),
            contact: self.contact.clone(),
            free: self.free,
            by_appointment: self.by_appointment,
            age_min: self.age_min,
            age_max: self.age_max,
            groups: self.groups.clone(),
            topics: self.topics.clone(),
            languages: self.languages.clone(),
            areas: self.areas.clone(),
            texts: self.texts.clone(),
            schedules: self.schedules.clone(),
            location_ids: self.locations.iter().map(|l| l.id).collect(),
        }
    }
}

fn empty_text() -> &'static ServiceText {
    static EMPTY: std::sync::LazyLock<ServiceText> = std::sync::LazyLock::new(ServiceText::default);
    &EMPTY
}

fn words(v: &[String]) -> String {
    v.join(" ")
}

fn unwords(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// Takes the next directory revision of a tenant (and its write lock).
pub(crate) async fn next_rev(tx: &mut Tx, t: TenantId) -> Result<i64> {
    let r = sqlx::query("UPDATE dir_state SET rev = rev + 1 WHERE tenant_id = $1 RETURNING rev")
        .bind(t.0)
        .fetch_optional(tx.conn())
        .await?;
    if let Some(r) = r {
        return Ok(r.get(0));
    }
    sqlx::query("INSERT INTO dir_state (tenant_id, rev) VALUES ($1, 1)")
        .bind(t.0)
        .execute(tx.conn())
        .await?;
    Ok(1)
}

/// The tenant's current directory revision (0 before anything was written).
pub async fn revision(db: &Db, t: TenantId) -> Result<i64> {
    Ok(
        sqlx::query("SELECT rev FROM dir_state WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.get(0))
            .unwrap_or(0),
    )
}

pub async fn reverify_days(db: &Db, t: TenantId) -> Result<i64> {
    Ok(
        sqlx::query("SELECT reverify_days FROM dir_state WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_optional(db.pool())
            .await?
            .map(|r| r.get(0))
            .unwrap_or(365),
    )
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        let c = match c {
            'ä' => "ae".to_string(),
            'ö' => "oe".to_string(),
            'ü' => "ue".to_string(),
            'ß' => "ss".to_string(),
            c if c.is_ascii_alphanumeric() => c.to_string(),
            _ => "-".to_string(),
        };
        if c == "-" && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push_str(&c);
        if out.len() > 60 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Who writes, for the audit log.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user: Option<i64>,
    pub now: i64,
}

async fn audit(db: &Db, tx: &mut Tx, t: TenantId, a: Actor, action: &str, id: i64) -> Result<()> {
    db.audit(
        tx,
        AuditEntry {
            tenant: t,
            actor: a.user,
            action,
            object_type: "service",
            object_id: &id.to_string(),
            detail: "",
        },
        a.now,
    )
    .await?;
    Ok(())
}

/// Options of a write that are not part of the service's description.
#[derive(Clone, Debug, Default)]
pub struct WriteOpts {
    /// A stable key (HSDS import, demo); else derived from the German name.
    pub key: Option<String>,
    pub fictitious: bool,
    /// When the entry was last verified; else now.
    pub verified_at: Option<i64>,
}

/// Inserts a service (validated input) in an open transaction.
pub async fn insert(
    db: &Db,
    tx: &mut Tx,
    t: TenantId,
    input: &ServiceInput,
    review: Review,
    opts: &WriteOpts,
    a: Actor,
) -> Result<i64> {
    let rev = next_rev(tx, t).await?;
    let base = opts.key.clone().unwrap_or_else(|| {
        slug(
            input
                .texts
                .get("de")
                .map(|x| x.name.as_str())
                .unwrap_or("angebot"),
        )
    });
    let mut key = if base.is_empty() {
        "angebot".into()
    } else {
        base
    };
    if opts.key.is_none() {
        let taken: i64 =
            sqlx::query("SELECT COUNT(*) FROM dir_services WHERE tenant_id = $1 AND key = $2")
                .bind(t.0)
                .bind(&key)
                .fetch_one(tx.conn())
                .await?
                .get(0);
        if taken > 0 {
            key = format!("{key}-{rev}");
        }
    }
    let id: i64 = sqlx::query(
        "INSERT INTO dir_services (tenant_id, org_id, key, status, review, email, url, phone, contact, free, by_appointment, age_min, age_max, groups, topics, languages, areas, fictitious, verified_at, rev, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21) RETURNING id",
    )
    .bind(t.0)
    .bind(input.org_id)
    .bind(&key)
    .bind(&input.status)
    .bind(review.key())
    .bind(input.email.trim())
    .bind(input.url.trim())
    .bind(input.phone.trim())
    .bind(input.contact.trim())
    .bind(input.free as i64)
    .bind(input.by_appointment as i64)
    .bind(input.age_min)
    .bind(input.age_max)
    .bind(words(&input.groups))
    .bind(words(&input.topics))
    .bind(words(&input.languages))
    .bind(words(&input.areas))
    .bind(opts.fictitious as i64)
    .bind(opts.verified_at.unwrap_or(a.now))
    .bind(rev)
    .bind(a.now)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.message().to_lowercase().contains("unique") => {
            DirError::Invalid(vec![th_core::FieldError {
                field: "id".into(),
                code: "duplicate".into(),
            }])
        }
        _ => e.into(),
    })?
    .get(0);
    write_parts(tx, t, id, input).await?;
    audit(db, tx, t, a, "service.create", id).await?;
    Ok(id)
}

async fn write_parts(tx: &mut Tx, t: TenantId, id: i64, input: &ServiceInput) -> Result<()> {
    for (tag, x) in &input.texts {
        sqlx::query("INSERT INTO dir_service_texts (service_id, locale, name, description, fees, eligibility, bring) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(id)
            .bind(tag)
            .bind(&x.name)
            .bind(&x.description)
            .bind(&x.fees)
            .bind(&x.eligibility)
            .bind(x.bring.join("\n"))
            .execute(tx.conn())
            .await?;
    }
    for s in &input.schedules {
        sqlx::query("INSERT INTO dir_schedules (service_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(s.weekday as i64)
            .bind(s.opens as i64)
            .bind(s.closes as i64)
            .execute(tx.conn())
            .await?;
    }
    for (i, l) in input.location_ids.iter().enumerate() {
        let ok = sqlx::query("SELECT COUNT(*) FROM dir_locations WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(l)
            .fetch_one(tx.conn())
            .await?
            .get::<i64, _>(0)
            > 0;
        if !ok {
            return Err(DirError::Invalid(vec![th_core::FieldError {
                field: "location_ids".into(),
                code: "unknown_location".into(),
            }]));
        }
        sqlx::query("INSERT INTO dir_service_locations (service_id, location_id, position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(l)
            .bind(i as i64)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Validates and creates a service, published at once (coordinators, the import).
pub async fn create(
    db: &Db,
    t: TenantId,
    mut input: ServiceInput,
    region: &Region<'_>,
    a: Actor,
) -> Result<i64> {
    input.validate(region)?;
    let mut tx = db.begin().await?;
    let id = insert(
        db,
        &mut tx,
        t,
        &input,
        Review::Published,
        &WriteOpts::default(),
        a,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Replaces a service's description (validated input) in an open transaction; it counts as
/// verified now.
pub async fn replace(
    db: &Db,
    tx: &mut Tx,
    t: TenantId,
    id: i64,
    input: &ServiceInput,
    a: Actor,
) -> Result<()> {
    let rev = next_rev(tx, t).await?;
    let n = sqlx::query("UPDATE dir_services SET org_id = $1, status = $2, email = $3, url = $4, phone = $5, contact = $6, free = $7, by_appointment = $8, age_min = $9, age_max = $10, groups = $11, topics = $12, languages = $13, areas = $14, review = 'published', verified_at = $15, reminded_at = 0, rev = $16, updated_at = $15 WHERE tenant_id = $17 AND id = $18")
        .bind(input.org_id)
        .bind(&input.status)
        .bind(input.email.trim())
        .bind(input.url.trim())
        .bind(input.phone.trim())
        .bind(input.contact.trim())
        .bind(input.free as i64)
        .bind(input.by_appointment as i64)
        .bind(input.age_min)
        .bind(input.age_max)
        .bind(words(&input.groups))
        .bind(words(&input.topics))
        .bind(words(&input.languages))
        .bind(words(&input.areas))
        .bind(a.now)
        .bind(rev)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    for table in [
        "dir_service_texts",
        "dir_schedules",
        "dir_service_locations",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE service_id = $1"))
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    write_parts(tx, t, id, input).await?;
    audit(db, tx, t, a, "service.update", id).await?;
    Ok(())
}

pub async fn update(
    db: &Db,
    t: TenantId,
    id: i64,
    mut input: ServiceInput,
    region: &Region<'_>,
    a: Actor,
) -> Result<()> {
    input.validate(region)?;
    let mut tx = db.begin().await?;
    replace(db, &mut tx, t, id, &input, a).await?;
    tx.commit().await?;
    Ok(())
}

/// The owner (or a coordinator) confirms that the entry is still right.
pub async fn mark_verified(db: &Db, t: TenantId, id: i64, a: Actor) -> Result<()> {
    let mut tx = db.begin().await?;
    let rev = next_rev(&mut tx, t).await?;
    let n = sqlx::query("UPDATE dir_services SET verified_at = $1, reminded_at = 0, rev = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(a.now)
        .bind(rev)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    audit(db, &mut tx, t, a, "service.verify", id).await?;
    tx.commit().await?;
    Ok(())
}

const SERVICE_COLS: &str = "s.id, s.key, s.org_id, s.status, s.review, s.email, s.url, s.phone, s.contact, s.free, s.by_appointment, s.age_min, s.age_max, s.groups, s.topics, s.languages, s.areas, s.fictitious, s.verified_at, s.rev, s.created_at, s.updated_at";

/// Which services to load.
pub enum Which<'a> {
    One(i64),
    Key(&'a str),
    /// Changed after a revision (the index).
    AfterRev(i64),
    /// Owned by an organisation.
    Org(i64),
    /// Published and modified after a time, paged by id (HSDS).
    Page {
        modified_after: i64,
        after_id: i64,
        limit: i64,
    },
    All,
}

/// Loads services with their texts, hours and locations, in id order.
pub async fn load(db: &Db, t: TenantId, which: Which<'_>) -> Result<Vec<Service>> {
    let (cond, a, b, limit) = match which {
        Which::One(id) => ("s.id = $2", id, 0, None),
        Which::Key(k) => {
            let r = sqlx::query("SELECT id FROM dir_services WHERE tenant_id = $1 AND key = $2")
                .bind(t.0)
                .bind(k)
                .fetch_optional(db.pool())
                .await?;
            match r {
                Some(r) => ("s.id = $2", r.get(0), 0, None),
                None => return Ok(Vec::new()),
            }
        }
        Which::AfterRev(r) => ("s.rev > $2", r, 0, None),
        Which::Org(o) => ("s.org_id = $2", o, 0, None),
        Which::Page {
            modified_after,
            after_id,
            limit,
        } => (
            "s.review = 'published' AND s.updated_at > $2 AND s.id > $3",
            modified_after,
            after_id,
            Some(limit),
        ),
        Which::All => ("$2 = $2", 0, 0, None),
    };
    let uses_b = cond.contains("$3");
    let lim = limit.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
    let sql = format!(
        "SELECT {SERVICE_COLS} FROM dir_services s WHERE s.tenant_id = $1 AND {cond} ORDER BY s.id{lim}"
    );
    let mut q = sqlx::query(&sql).bind(t.0).bind(a);
    if uses_b {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let mut out: Vec<Service> = rows
        .iter()
        .map(|r| Service {
            id: r.get(0),
            key: r.get(1),
            org_id: r.get(2),
            status: r.get(3),
            review: if r.get::<String, _>(4) == "published" {
                Review::Published
            } else {
                Review::Pending
            },
            email: r.get(5),
            url: r.get(6),
            phone: r.get(7),
            contact: r.get(8),
            free: th_storage::flag(r.get(9)),
            by_appointment: th_storage::flag(r.get(10)),
            age_min: r.get(11),
            age_max: r.get(12),
            groups: unwords(&r.get::<String, _>(13)),
            topics: unwords(&r.get::<String, _>(14)),
            languages: unwords(&r.get::<String, _>(15)),
            areas: unwords(&r.get::<String, _>(16)),
            fictitious: th_storage::flag(r.get(17)),
            verified_at: r.get(18),
            rev: r.get(19),
            created_at: r.get(20),
            updated_at: r.get(21),
            texts: BTreeMap::new(),
            schedules: Vec::new(),
            locations: Vec::new(),
        })
        .collect();
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let (lo, hi) = (out[0].id, out[out.len() - 1].id);
    // The parts of every service in the id range; those not asked for are skipped.
    let texts = sqlx::query("SELECT x.service_id, x.locale, x.name, x.description, x.fees, x.eligibility, x.bring FROM dir_service_texts x JOIN dir_services s ON s.id = x.service_id WHERE s.tenant_id = $1 AND s.id >= $2 AND s.id <= $3")
        .bind(t.0)
        .bind(lo)
        .bind(hi)
        .fetch_all(db.pool())
        .await?;
    for r in texts {
        if let Some(&i) = index.get(&r.get::<i64, _>(0)) {
            let bring: String = r.get(6);
            out[i].texts.insert(
                r.get(1),
                ServiceText {
                    name: r.get(2),
                    description: r.get(3),
                    fees: r.get(4),
                    eligibility: r.get(5),
                    bring: bring.lines().map(str::to_string).collect(),
                },
            );
        }
    }
    let hours = sqlx::query("SELECT x.service_id, x.weekday, x.opens, x.closes FROM dir_schedules x JOIN dir_services s ON s.id = x.service_id WHERE s.tenant_id = $1 AND s.id >= $2 AND s.id <= $3 ORDER BY x.service_id, x.weekday, x.opens")
        .bind(t.0)
        .bind(lo)
        .bind(hi)
        .fetch_all(db.pool())
        .await?;
    for r in hours {
        if let Some(&i) = index.get(&r.get::<i64, _>(0)) {
            out[i].schedules.push(Schedule {
                weekday: r.get::<i64, _>(1) as u8,
                opens: r.get::<i64, _>(2) as u16,
                closes: r.get::<i64, _>(3) as u16,
            });
        }
    }
    let locs = sqlx::query("SELECT sl.service_id, l.id, l.org_id, l.name, l.street, l.postal_code, l.municipality, l.lat, l.lon, l.step_free, l.transport, l.accessibility, l.updated_at FROM dir_service_locations sl JOIN dir_services s ON s.id = sl.service_id JOIN dir_locations l ON l.id = sl.location_id WHERE s.tenant_id = $1 AND s.id >= $2 AND s.id <= $3 ORDER BY sl.service_id, sl.position")
        .bind(t.0)
        .bind(lo)
        .bind(hi)
        .fetch_all(db.pool())
        .await?;
    for r in locs {
        if let Some(&i) = index.get(&r.get::<i64, _>(0)) {
            out[i].locations.push(location_from(&r, 1));
        }
    }
    Ok(out)
}

fn location_from(r: &th_storage::sqlx::any::AnyRow, o: usize) -> Location {
    Location {
        id: r.get(o),
        org_id: r.get(o + 1),
        name: r.get(o + 2),
        street: r.get(o + 3),
        postal_code: r.get(o + 4),
        municipality: r.get(o + 5),
        lat: r.get(o + 6),
        lon: r.get(o + 7),
        step_free: th_storage::flag(r.get(o + 8)),
        transport: r.get(o + 9),
        accessibility: r.get(o + 10),
        updated_at: r.get(o + 11),
    }
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<Option<Service>> {
    Ok(load(db, t, Which::One(id)).await?.into_iter().next())
}

/// Ids of one page of published services modified at or after a time, in id order, and how
/// many there are in all (HSDS paging).
pub async fn page_ids(
    db: &Db,
    t: TenantId,
    modified_after: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<i64>, i64)> {
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM dir_services WHERE tenant_id = $1 AND review = 'published' AND updated_at >= $2")
        .bind(t.0)
        .bind(modified_after)
        .fetch_one(db.pool())
        .await?
        .get(0);
    let rows = sqlx::query(&format!("SELECT id FROM dir_services WHERE tenant_id = $1 AND review = 'published' AND updated_at >= $2 ORDER BY id LIMIT {} OFFSET {}", limit.clamp(1, 1000), offset.max(0)))
        .bind(t.0)
        .bind(modified_after)
        .fetch_all(db.pool())
        .await?;
    Ok((rows.iter().map(|r| r.get(0)).collect(), total))
}

/// The published services with the given ids (a page from `page_ids`), in id order.
pub async fn load_ids(
    db: &Db,
    t: TenantId,
    ids: &[i64],
    modified_after: i64,
) -> Result<Vec<Service>> {
    let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
        return Ok(Vec::new());
    };
    let mut all = load(
        db,
        t,
        Which::Page {
            modified_after: modified_after - 1,
            after_id: first - 1,
            limit: last - first + 1,
        },
    )
    .await?;
    all.retain(|s| ids.contains(&s.id));
    Ok(all)
}

/// Organisations that offer published services.
pub async fn org_ids(db: &Db, t: TenantId) -> Result<Vec<i64>> {
    let rows = sqlx::query("SELECT DISTINCT org_id FROM dir_services WHERE tenant_id = $1 AND review = 'published' ORDER BY org_id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// (service, location) pairs of published services, paged, and their total.
pub async fn sal_page(
    db: &Db,
    t: TenantId,
    offset: i64,
    limit: i64,
) -> Result<(Vec<(i64, i64)>, i64)> {
    let total: i64 = sqlx::query("SELECT COUNT(*) FROM dir_service_locations sl JOIN dir_services s ON s.id = sl.service_id WHERE s.tenant_id = $1 AND s.review = 'published'")
        .bind(t.0)
        .fetch_one(db.pool())
        .await?
        .get(0);
    let rows = sqlx::query(&format!("SELECT sl.service_id, sl.location_id FROM dir_service_locations sl JOIN dir_services s ON s.id = sl.service_id WHERE s.tenant_id = $1 AND s.review = 'published' ORDER BY sl.service_id, sl.location_id LIMIT {} OFFSET {}", limit.clamp(1, 1000), offset.max(0)))
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok((rows.iter().map(|r| (r.get(0), r.get(1))).collect(), total))
}

pub async fn count_published(db: &Db, t: TenantId) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM dir_services WHERE tenant_id = $1 AND review = 'published'",
    )
    .bind(t.0)
    .fetch_one(db.pool())
    .await?
    .get(0))
}

/// Creates a location in an open transaction.
pub async fn insert_location(tx: &mut Tx, t: TenantId, l: &LocationInput, now: i64) -> Result<i64> {
    Ok(sqlx::query("INSERT INTO dir_locations (tenant_id, org_id, name, street, postal_code, municipality, lat, lon, step_free, transport, accessibility, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id")
        .bind(t.0)
        .bind(l.org_id)
        .bind(l.name.trim())
        .bind(l.street.trim())
        .bind(l.postal_code.trim())
        .bind(&l.municipality)
        .bind(l.lat)
        .bind(l.lon)
        .bind(l.step_free as i64)
        .bind(l.transport.trim())
        .bind(l.accessibility.trim())
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0))
}

pub async fn create_location(
    db: &Db,
    t: TenantId,
    l: &LocationInput,
    region: &Region<'_>,
    now: i64,
) -> Result<i64> {
    l.validate(region)?;
    let mut tx = db.begin().await?;
    let id = insert_location(&mut tx, t, l, now).await?;
    tx.commit().await?;
    Ok(id)
}

const LOCATION_COLS: &str = "l.id, l.org_id, l.name, l.street, l.postal_code, l.municipality, l.lat, l.lon, l.step_free, l.transport, l.accessibility, l.updated_at";

pub async fn locations_of_org(db: &Db, t: TenantId, org: i64) -> Result<Vec<Location>> {
    let rows = sqlx::query(&format!(
        "SELECT {LOCATION_COLS} FROM dir_locations l WHERE l.tenant_id = $1 AND l.org_id = $2 ORDER BY l.id"
    ))
    .bind(t.0)
    .bind(org)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| location_from(r, 0)).collect())
}

/// Locations paged by id (HSDS).
pub async fn locations_page(
    db: &Db,
    t: TenantId,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Location>> {
    let rows = sqlx::query(&format!(
        "SELECT {LOCATION_COLS} FROM dir_locations l WHERE l.tenant_id = $1 AND l.id > $2 ORDER BY l.id LIMIT {}",
        limit.clamp(1, 1000)
    ))
    .bind(t.0)
    .bind(after_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| location_from(r, 0)).collect())
}

// ---------------------------------------------------------------------------------------
// Changes proposed by organisations, reviewed by the coordination office.

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    pub id: i64,
    pub service_id: Option<i64>,
    pub org_id: i64,
    pub input: ServiceInput,
    pub author: Option<i64>,
    pub state: String,
    pub reason: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// An organisation proposes a new service (`service_id` None) or a change to one of its own;
/// nothing is public until a coordinator approves. A newer proposal for the same service
/// replaces an older pending one.
pub async fn propose(
    db: &Db,
    t: TenantId,
    service_id: Option<i64>,
    mut input: ServiceInput,
    region: &Region<'_>,
    a: Actor,
) -> Result<i64> {
    input.validate(region)?;
    let mut tx = db.begin().await?;
    if let Some(sid) = service_id {
        let owner = sqlx::query("SELECT org_id FROM dir_services WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(sid)
            .fetch_optional(tx.conn())
            .await?
            .map(|r| r.get::<i64, _>(0));
        if owner != Some(input.org_id) {
            return Err(DirError::NotFound);
        }
        sqlx::query("UPDATE dir_changes SET state = 'replaced', decided_at = $1 WHERE tenant_id = $2 AND service_id = $3 AND state = 'pending'")
            .bind(a.now)
            .bind(t.0)
            .bind(sid)
            .execute(tx.conn())
            .await?;
    }
    let payload = serde_json::to_string(&input).map_err(|e| DirError::Index(e.to_string()))?;
    let id: i64 = sqlx::query("INSERT INTO dir_changes (tenant_id, service_id, org_id, payload, author_user_id, state, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6) RETURNING id")
        .bind(t.0)
        .bind(service_id)
        .bind(input.org_id)
        .bind(payload)
        .bind(a.user)
        .bind(a.now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    db.audit(
        &mut tx,
        AuditEntry {
            tenant: t,
            actor: a.user,
            action: "service.propose",
            object_type: "service_change",
            object_id: &id.to_string(),
            detail: &service_id.map(|s| s.to_string()).unwrap_or_default(),
        },
        a.now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn change_from(r: &th_storage::sqlx::any::AnyRow) -> Result<Change> {
    let payload: String = r.get(3);
    Ok(Change {
        id: r.get(0),
        service_id: r.get(1),
        org_id: r.get(2),
        input: serde_json::from_str(&payload).map_err(|e| DirError::Index(e.to_string()))?,
        author: r.get(4),
        state: r.get(5),
        reason: r.get(6),
        created_at: r.get(7),
        decided_at: r.get(8),
    })
}

const CHANGE_COLS: &str =
    "id, service_id, org_id, payload, author_user_id, state, reason, created_at, decided_at";

/// Pending changes (all, or one organisation's), oldest first.
pub async fn changes(
    db: &Db,
    t: TenantId,
    org: Option<i64>,
    pending_only: bool,
) -> Result<Vec<Change>> {
    let mut sql = format!("SELECT {CHANGE_COLS} FROM dir_changes WHERE tenant_id = $1");
    if pending_only {
        sql.push_str(" AND state = 'pending'");
    }
    if org.is_some() {
        sql.push_str(" AND org_id = $2");
    }
    sql.push_str(" ORDER BY id DESC LIMIT 500");
    let mut q = sqlx::query(&sql).bind(t.0);
    if let Some(o) = org {
        q = q.bind(o);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let mut out: Vec<Change> = rows.iter().map(change_from).collect::<Result<_>>()?;
    if pending_only {
        out.reverse();
    }
    Ok(out)
}

pub async fn change(db: &Db, t: TenantId, id: i64) -> Result<Option<Change>> {
    let r = sqlx::query(&format!(
        "SELECT {CHANGE_COLS} FROM dir_changes WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    r.as_ref().map(change_from).transpose()
}

/// Approves a pending change: the service is created or replaced and published. Returns the
/// service id.
pub async fn approve(db: &Db, t: TenantId, id: i64, region: &Region<'_>, a: Actor) -> Result<i64> {
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE dir_changes SET state = 'approved', decided_at = $1, decided_by = $2 WHERE tenant_id = $3 AND id = $4 AND state = 'pending'")
        .bind(a.now)
        .bind(a.user)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    let r = sqlx::query(&format!(
        "SELECT {CHANGE_COLS} FROM dir_changes WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_one(tx.conn())
    .await?;
    let c = change_from(&r)?;
    let mut input = c.input;
    // The region may have changed since; check again.
    input.validate(region)?;
    let sid = match c.service_id {
        Some(sid) => {
            replace(db, &mut tx, t, sid, &input, a).await?;
            sid
        }
        None => {
            let sid = insert(
                db,
                &mut tx,
                t,
                &input,
                Review::Published,
                &WriteOpts::default(),
                a,
            )
            .await?;
            sqlx::query("UPDATE dir_changes SET service_id = $1 WHERE id = $2")
                .bind(sid)
                .bind(id)
                .execute(tx.conn())
                .await?;
            sid
        }
    };
    tx.commit().await?;
    Ok(sid)
}

pub async fn reject(db: &Db, t: TenantId, id: i64, reason: &str, a: Actor) -> Result<()> {
    let mut v = Validation::new();
    let reason = v.text("reason", reason, 1000);
    v.into_result()?;
    let mut tx = db.begin().await?;
    let n = sqlx::query("UPDATE dir_changes SET state = 'rejected', reason = $1, decided_at = $2, decided_by = $3 WHERE tenant_id = $4 AND id = $5 AND state = 'pending'")
        .bind(&reason)
        .bind(a.now)
        .bind(a.user)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    db.audit(
        &mut tx,
        AuditEntry {
            tenant: t,
            actor: a.user,
            action: "service.reject",
            object_type: "service_change",
            object_id: &id.to_string(),
            detail: &reason,
        },
        a.now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Published services whose last verification is older than the tenant's re-verification
/// period and whose owners were not reminded since; claims them (sets `reminded_at`) in the
/// same transaction, so that of several nodes only one reminds. Returns (service, org, German
/// name).
pub async fn claim_reverification_due(
    db: &Db,
    t: TenantId,
    now: i64,
) -> Result<Vec<(i64, i64, String)>> {
    let days = reverify_days(db, t).await?;
    let before = now - days * 86_400;
    let mut tx = db.begin().await?;
    let rows = sqlx::query("UPDATE dir_services SET reminded_at = $1 WHERE tenant_id = $2 AND review = 'published' AND verified_at < $3 AND reminded_at = 0 RETURNING id, org_id")
        .bind(now)
        .bind(t.0)
        .bind(before)
        .fetch_all(tx.conn())
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: i64 = r.get(0);
        let name = sqlx::query(
            "SELECT name FROM dir_service_texts WHERE service_id = $1 AND locale = 'de'",
        )
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.get::<String, _>(0))
        .unwrap_or_default();
        out.push((id, r.get(1), name));
    }
    tx.commit().await?;
    Ok(out)
}

pub async fn set_reverify_days(db: &Db, t: TenantId, days: i64) -> Result<()> {
    if !(30..=1095).contains(&days) {
        let mut v = Validation::new();
        v.add("reverify_days", "range");
        return Err(v.into());
    }
    let mut tx = db.begin().await?;
    next_rev(&mut tx, t).await?;
    sqlx::query("UPDATE dir_state SET reverify_days = $1 WHERE tenant_id = $2")
        .bind(days)
        .bind(t.0)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_read_as_typed_and_must_make_sense() {
        let h = parse_hours("Mo 09:00-12:00, 13-16\nDo. 14–18 Uhr\nthu 9:30-12").unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(
            h[0],
            Schedule {
                weekday: 1,
                opens: 540,
                closes: 720
            }
        );
        assert_eq!(
            h[2],
            Schedule {
                weekday: 4,
                opens: 570,
                closes: 720
            }
        );
        assert_eq!(
            format_hours(&h),
            "Mo 09:00-12:00, 13:00-16:00\nDo 09:30-12:00, 14:00-18:00\n"
        );
        assert_eq!(parse_hours("Xy 9-12"), Err((1, "hours_weekday")));
        assert_eq!(parse_hours("Mo\nDi 12-9"), Err((1, "hours_format")));
        assert_eq!(parse_hours("Mo 9-12\nDi 12-9"), Err((2, "hours_order")));
        assert_eq!(parse_hours("Di 12-9").unwrap_err().1, "hours_order");
        assert_eq!(parse_hours("Di 9-25").unwrap_err().1, "hours_format");
        assert_eq!(
            parse_hours("Di 9-12, 11-14").unwrap_err().1,
            "hours_overlap"
        );
        assert!(is_open(&h, 4, 14 * 60));
        assert!(!is_open(&h, 4, 18 * 60));
        assert!(!is_open(&h, 2, 10 * 60));
    }

    #[test]
    fn slugs_are_readable() {
        assert_eq!(
            slug("Migrationsberatung für Erwachsene – Laatzen"),
            "migrationsberatung-fuer-erwachsene-laatzen"
        );
        assert_eq!(slug("مركز"), "");
    }
}
