//! Events of a process (discussion forums and workshops): date and place or online link,
//! capacity, registration with a waiting list that moves up on its own, reminders, iCalendar,
//! and afterwards the record: minutes, attendance by kind of organisation, outcomes linked to
//! contributions and goals.
//!
//! Registration stays exact under concurrency: every change to an event's registrations first
//! bumps the event row's `seq`, which takes the row's write lock (PostgreSQL) or the database's
//! write lock (SQLite) before anything is counted, so two registrations never see the same
//! count of confirmed places.

use crate::{OrgKind, PartError, Result};
use std::collections::BTreeMap;
use th_core::{localtime, Locale, TenantId, Validation};
use th_i18n::Catalogs;
use th_storage::{sqlx, Db, Row, Tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Forum,
    Workshop,
}

impl EventKind {
    pub const ALL: [EventKind; 2] = [EventKind::Forum, EventKind::Workshop];
    pub fn key(self) -> &'static str {
        match self {
            EventKind::Forum => "forum",
            EventKind::Workshop => "workshop",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            EventKind::Forum => "event-kind-forum",
            EventKind::Workshop => "event-kind-workshop",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == s)
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EventText {
    pub title: String,
    pub description: String,
    /// One agenda item per line ("18:00 Begrüßung").
    pub agenda: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub process_id: i64,
    pub kind: EventKind,
    pub fields: Vec<i64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub place: String,
    pub address: String,
    pub accessibility: String,
    pub online_url: String,
    pub capacity: i64,
    pub confirmed: i64,
    pub waiting: i64,
    pub texts: BTreeMap<String, EventText>,
    pub minutes: String,
    pub minutes_locale: String,
}

impl Event {
    /// The texts in `l`, else German, else any; with the locale they are in.
    pub fn text_in(&self, l: Locale) -> (EventText, Locale) {
        for cand in [l, Locale::De] {
            if let Some(t) = self.texts.get(cand.tag()) {
                return (t.clone(), cand);
            }
        }
        self.texts
            .iter()
            .next()
            .map(|(k, t)| (t.clone(), Locale::parse(k).unwrap_or(Locale::De)))
            .unwrap_or((
                EventText {
                    title: String::new(),
                    description: String::new(),
                    agenda: String::new(),
                },
                Locale::De,
            ))
    }
    /// One part of the texts in `l`, else German, with the locale it is in: a title may be
    /// translated while the description is not.
    fn part_in(&self, l: Locale, part: fn(&EventText) -> &String) -> (String, Locale) {
        for cand in [l, Locale::De] {
            if let Some(t) = self.texts.get(cand.tag()).filter(|t| !part(t).is_empty()) {
                return (part(t).clone(), cand);
            }
        }
        (String::new(), l)
    }
    pub fn description_in(&self, l: Locale) -> (String, Locale) {
        self.part_in(l, |t| &t.description)
    }
    pub fn agenda_in(&self, l: Locale) -> (String, Locale) {
        self.part_in(l, |t| &t.agenda)
    }
    pub fn free(&self) -> i64 {
        (self.capacity - self.confirmed).max(0)
    }
    pub fn is_past(&self, now: i64) -> bool {
        self.ends_at < now
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub process_id: i64,
    pub kind: String,
    #[serde(default)]
    pub fields: Vec<i64>,
    /// German local time, as `<input type="datetime-local">` sends it.
    pub starts: String,
    pub ends: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub accessibility: String,
    #[serde(default)]
    pub online_url: String,
    pub capacity: i64,
    /// locale tag → texts; German is required.
    pub texts: BTreeMap<String, NewEventText>,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEventText {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub agenda: String,
}

struct Checked {
    kind: EventKind,
    starts_at: i64,
    ends_at: i64,
}

fn check(e: &NewEvent, valid_fields: &[i64]) -> std::result::Result<Checked, Validation> {
    let mut v = Validation::new();
    let kind = EventKind::parse(&e.kind);
    if kind.is_none() {
        v.add("kind", "invalid");
    }
    if e.fields.iter().any(|f| !valid_fields.contains(f)) {
        v.add("fields", "invalid");
    }
    let starts = localtime::parse_local(&e.starts);
    let ends = localtime::parse_local(&e.ends);
    if starts.is_none() {
        v.add(
            "starts",
            if e.starts.trim().is_empty() {
                "required"
            } else {
                "invalid"
            },
        );
    }
    if ends.is_none() {
        v.add(
            "ends",
            if e.ends.trim().is_empty() {
                "required"
            } else {
                "invalid"
            },
        );
    }
    if let (Some(s), Some(en)) = (starts, ends) {
        if en <= s {
            v.add("ends", "before_start");
        }
    }
    v.optional_text("place", &e.place, 200);
    v.optional_text("address", &e.address, 500);
    v.optional_text("accessibility", &e.accessibility, 2000);
    let url = v.optional_text("online_url", &e.online_url, 500);
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        v.add("online_url", "invalid_url");
    }
    if e.place.trim().is_empty() && url.is_empty() {
        v.add("place", "place_or_link");
    }
    if !(1..=10_000).contains(&e.capacity) {
        v.add("capacity", "invalid");
    }
    match e.texts.get("de") {
        Some(de) => {
            v.text("title_de", &de.title, 200);
        }
        None => v.add("title_de", "required"),
    }
    let mut seen = std::collections::HashSet::new();
    for (tag, t) in &e.texts {
        let Some(l) = Locale::parse(tag) else {
            v.add("texts", "invalid");
            continue;
        };
        if !seen.insert(l) {
            v.add("texts", "duplicate");
        }
        if tag != "de" && !t.title.trim().is_empty() {
            v.text(&format!("title_{tag}"), &t.title, 200);
        }
        v.optional_text(&format!("description_{tag}"), &t.description, 10_000);
        v.optional_text(&format!("agenda_{tag}"), &t.agenda, 5_000);
    }
    match (kind, starts, ends, v.is_ok()) {
        (Some(kind), Some(starts_at), Some(ends_at), true) => Ok(Checked {
            kind,
            starts_at,
            ends_at,
        }),
        _ => Err(v),
    }
}

fn invalid(v: Validation) -> PartError {
    PartError::Invalid(v.errors)
}

async fn write_texts(tx: &mut Tx, id: i64, e: &NewEvent) -> Result<()> {
    sqlx::query("DELETE FROM part_event_texts WHERE event_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    for (tag, t) in &e.texts {
        let Some(l) = Locale::parse(tag) else {
            continue;
        };
        if t.title.trim().is_empty() {
            continue;
        }
        sqlx::query("INSERT INTO part_event_texts (event_id, locale, title, description, agenda) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(l.tag())
            .bind(t.title.trim())
            .bind(t.description.trim())
            .bind(t.agenda.trim())
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

pub async fn create(
    tx: &mut Tx,
    t: TenantId,
    e: &NewEvent,
    valid_fields: &[i64],
    now: i64,
) -> Result<i64> {
    let c = check(e, valid_fields).map_err(invalid)?;
    let process = sqlx::query("SELECT id FROM part_processes WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(e.process_id)
        .fetch_optional(tx.conn())
        .await?;
    if process.is_none() {
        let mut v = Validation::new();
        v.add("process", "invalid");
        return Err(invalid(v));
    }
    let id: i64 = sqlx::query("INSERT INTO part_events (tenant_id, process_id, kind, fields, starts_at, ends_at, place, address, accessibility, online_url, capacity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
        .bind(t.0)
        .bind(e.process_id)
        .bind(c.kind.key())
        .bind(crate::orgs::join_list(&e.fields))
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(e.place.trim())
        .bind(e.address.trim())
        .bind(e.accessibility.trim())
        .bind(e.online_url.trim())
        .bind(e.capacity)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    write_texts(tx, id, e).await?;
    Ok(id)
}

/// Changes an event. When the capacity grows, people on the waiting list move up (and are
/// told); a smaller capacity never takes a confirmed place away.
pub async fn update(
    db: &Db,
    mail: &Mailer<'_>,
    id: i64,
    e: &NewEvent,
    valid_fields: &[i64],
) -> Result<Vec<i64>> {
    let c = check(e, valid_fields).map_err(invalid)?;
    let mut tx = db.begin().await?;
    let seq: Option<i64> = sqlx::query("UPDATE part_events SET kind = $1, fields = $2, starts_at = $3, ends_at = $4, place = $5, address = $6, accessibility = $7, online_url = $8, capacity = $9, seq = seq + 1 WHERE tenant_id = $10 AND id = $11 RETURNING seq")
        .bind(c.kind.key())
        .bind(crate::orgs::join_list(&e.fields))
        .bind(c.starts_at)
        .bind(c.ends_at)
        .bind(e.place.trim())
        .bind(e.address.trim())
        .bind(e.accessibility.trim())
        .bind(e.online_url.trim())
        .bind(e.capacity)
        .bind(mail.tenant.0)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .map(|r| r.get(0));
    let Some(seq) = seq else {
        return Err(PartError::NotFound);
    };
    write_texts(&mut tx, id, e).await?;
    let promoted = fill_places(&mut tx, mail, id, seq).await?;
    tx.commit().await?;
    Ok(promoted)
}

const COLS: &str = "id, process_id, kind, fields, starts_at, ends_at, place, address, accessibility, online_url, capacity, minutes, minutes_locale";

/// Builds events from their rows with two more queries in all: the texts and the
/// registration counts of every event of the tenant, grouped.
async fn hydrate(db: &Db, t: TenantId, rows: Vec<th_storage::AnyRow>) -> Result<Vec<Event>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let one = (rows.len() == 1).then(|| rows[0].get::<i64, _>(0));
    let mut texts: std::collections::HashMap<i64, BTreeMap<String, EventText>> = Default::default();
    for r in sqlx::query("SELECT x.event_id, x.locale, x.title, x.description, x.agenda FROM part_event_texts x JOIN part_events e ON e.id = x.event_id WHERE e.tenant_id = $1 AND ($2 = 0 OR e.id = $2)")
        .bind(t.0)
        .bind(one.unwrap_or(0))
        .fetch_all(db.pool())
        .await?
    {
        texts.entry(r.get(0)).or_default().insert(
            r.get::<String, _>(1),
            EventText {
                title: r.get(2),
                description: r.get(3),
                agenda: r.get(4),
            },
        );
    }
    let mut counts: std::collections::HashMap<(i64, String), i64> = Default::default();
    for r in sqlx::query("SELECT event_id, status, COUNT(*) FROM part_registrations WHERE tenant_id = $1 AND ($2 = 0 OR event_id = $2) GROUP BY event_id, status")
        .bind(t.0)
        .bind(one.unwrap_or(0))
        .fetch_all(db.pool())
        .await?
    {
        counts.insert((r.get(0), r.get(1)), r.get(2));
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.get(0);
        let count = |s: &str| counts.get(&(id, s.to_string())).copied().unwrap_or(0);
        out.push(Event {
            id,
            process_id: r.get(1),
            kind: EventKind::parse(&r.get::<String, _>(2)).unwrap_or(EventKind::Forum),
            fields: r
                .get::<String, _>(3)
                .split(',')
                .filter_map(|f| f.parse().ok())
                .collect(),
            starts_at: r.get(4),
            ends_at: r.get(5),
            place: r.get(6),
            address: r.get(7),
            accessibility: r.get(8),
            online_url: r.get(9),
            capacity: r.get(10),
            confirmed: count("confirmed"),
            waiting: count("waiting"),
            texts: texts.remove(&id).unwrap_or_default(),
            minutes: r.get(11),
            minutes_locale: r.get(12),
        });
    }
    Ok(out)
}

/// All events of a tenant (of one process when given), in order of time.
pub async fn list(db: &Db, t: TenantId, process: Option<i64>) -> Result<Vec<Event>> {
    let rows = sqlx::query(&format!("SELECT {COLS} FROM part_events WHERE tenant_id = $1 AND ($2 = 0 OR process_id = $2) ORDER BY starts_at, id"))
        .bind(t.0)
        .bind(process.unwrap_or(0))
        .fetch_all(db.pool())
        .await?;
    hydrate(db, t, rows).await
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<Option<Event>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM part_events WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(hydrate(db, t, rows).await?.into_iter().next())
}

// ---------------------------------------------------------------------------------------
// Registration

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegStatus {
    Confirmed,
    Waiting,
    Cancelled,
}

impl RegStatus {
    fn parse(s: &str) -> Self {
        match s {
            "confirmed" => RegStatus::Confirmed,
            "waiting" => RegStatus::Waiting,
            _ => RegStatus::Cancelled,
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            RegStatus::Confirmed => "confirmed",
            RegStatus::Waiting => "waiting",
            RegStatus::Cancelled => "cancelled",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            RegStatus::Confirmed => "registration-confirmed",
            RegStatus::Waiting => "registration-waiting",
            RegStatus::Cancelled => "registration-cancelled",
        }
    }
}

/// Who registers.
#[derive(Clone, Debug)]
pub enum Registrant {
    /// A person with an account.
    Account {
        user_id: i64,
        name: String,
        email: String,
    },
    /// A member of an organisation, registered by its contact (through the invitation link);
    /// mail goes to the contact.
    Member {
        organisation_id: i64,
        kind: OrgKind,
        name: String,
        contact_email: String,
    },
    /// Someone without an account, who gives a name and an e-mail address.
    Guest { name: String, email: String },
}

impl Registrant {
    fn key(&self) -> String {
        match self {
            Registrant::Account { user_id, .. } => format!("user:{user_id}"),
            Registrant::Member {
                organisation_id,
                name,
                ..
            } => format!("org:{organisation_id}:{}", name.trim().to_lowercase()),
            Registrant::Guest { email, .. } => format!("mail:{}", email.trim().to_lowercase()),
        }
    }
}

pub struct NewRegistration {
    pub event_id: i64,
    pub who: Registrant,
    /// The kind of organisation the person comes for (None: as an individual).
    pub org_kind: Option<OrgKind>,
    /// Access needs the organisers should know (sign language, step-free, childcare …).
    pub needs: String,
    pub locale: Locale,
    /// Send the confirmation e-mail (off for registrations taken from a paper list).
    pub notify: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: String,
    pub organisation_id: Option<i64>,
    pub org_kind: String,
    pub needs: String,
    pub status: RegStatus,
    /// Place on the waiting list (1 = next to move up).
    pub position: Option<i64>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Registered {
    pub id: i64,
    pub status: RegStatus,
    pub position: Option<i64>,
    /// The secret of the cancellation link (sent by e-mail, shown once).
    #[serde(skip)]
    pub token: String,
}

/// What mails about registrations need: the catalogs, the site's address and the time.
pub struct Mailer<'a> {
    pub tenant: TenantId,
    pub i18n: &'a Catalogs,
    pub origin: &'a str,
    pub now: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum RegError {
    #[error(transparent)]
    Part(#[from] PartError),
    #[error("already registered")]
    AlreadyRegistered { status: RegStatus },
    #[error("the event is over")]
    Over,
}

impl From<th_storage::sqlx::Error> for RegError {
    fn from(e: th_storage::sqlx::Error) -> Self {
        RegError::Part(e.into())
    }
}
impl From<th_storage::StorageError> for RegError {
    fn from(e: th_storage::StorageError) -> Self {
        RegError::Part(e.into())
    }
}

pub fn validate_registration(r: &NewRegistration) -> Validation {
    let mut v = Validation::new();
    match &r.who {
        Registrant::Account { .. } => {}
        Registrant::Member { name, .. } => {
            v.text("name", name, 200);
        }
        Registrant::Guest { name, email } => {
            v.text("name", name, 200);
            if th_core::Email::parse(email).is_err() {
                v.add(
                    "email",
                    if email.trim().is_empty() {
                        "required"
                    } else {
                        "email"
                    },
                );
            }
        }
    }
    v.optional_text("needs", &r.needs, 1000);
    v
}

/// Locks the event's registrations for this transaction and returns (capacity, starts_at,
/// ends_at, next sequence number).
async fn lock_event(tx: &mut Tx, t: TenantId, id: i64) -> Result<Option<(i64, i64, i64, i64)>> {
    let row = sqlx::query("UPDATE part_events SET seq = seq + 1 WHERE tenant_id = $1 AND id = $2 RETURNING capacity, starts_at, ends_at, seq")
        .bind(t.0)
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    Ok(row.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))))
}

async fn confirmed_count(tx: &mut Tx, id: i64) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM part_registrations WHERE event_id = $1 AND status = 'confirmed'",
    )
    .bind(id)
    .fetch_one(tx.conn())
    .await?
    .get(0))
}

async fn position_in(tx: &mut sqlx::AnyConnection, event: i64, seq: i64) -> Result<i64> {
    Ok(sqlx::query(
        "SELECT COUNT(*) FROM part_registrations WHERE event_id = $1 AND status = 'waiting' AND seq <= $2",
    )
    .bind(event)
    .bind(seq)
    .fetch_one(tx)
    .await?
    .get(0))
}

/// Registers someone: a confirmed place while there is one, else a place on the waiting list.
/// Someone who cancelled may register again (at the end of the list); someone registered
/// already gets `AlreadyRegistered` and nothing changes.
pub async fn register(
    db: &Db,
    mail: &Mailer<'_>,
    r: &NewRegistration,
) -> std::result::Result<Registered, RegError> {
    validate_registration(r)
        .into_result()
        .map_err(|v| RegError::Part(invalid(v)))?;
    let mut tx = db.begin().await?;
    let (capacity, _, ends_at, seq) = lock_event(&mut tx, mail.tenant, r.event_id)
        .await?
        .ok_or(RegError::Part(PartError::NotFound))?;
    if ends_at < mail.now {
        return Err(RegError::Over);
    }
    let key = r.who.key();
    let existing = sqlx::query(
        "SELECT id, status FROM part_registrations WHERE event_id = $1 AND person_key = $2",
    )
    .bind(r.event_id)
    .bind(&key)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(e) = &existing {
        let status = RegStatus::parse(&e.get::<String, _>(1));
        if status != RegStatus::Cancelled {
            return Err(RegError::AlreadyRegistered { status });
        }
    }
    let status = if confirmed_count(&mut tx, r.event_id).await? < capacity {
        RegStatus::Confirmed
    } else {
        RegStatus::Waiting
    };
    let (name, email, user, org) = match &r.who {
        Registrant::Account {
            user_id,
            name,
            email,
        } => (name.clone(), email.clone(), Some(*user_id), None),
        Registrant::Member {
            organisation_id,
            name,
            contact_email,
            ..
        } => (
            name.trim().to_string(),
            contact_email.clone(),
            None,
            Some(*organisation_id),
        ),
        Registrant::Guest { name, email } => (
            name.trim().to_string(),
            email.trim().to_string(),
            None,
            None,
        ),
    };
    let org_kind = match (&r.who, r.org_kind) {
        (Registrant::Member { kind, .. }, _) => kind.key(),
        (_, Some(k)) => k.key(),
        _ => "",
    };
    let token = th_auth::random_token();
    let id: i64 = match existing {
        Some(e) => {
            let id: i64 = e.get(0);
            sqlx::query("UPDATE part_registrations SET name = $1, email = $2, org_kind = $3, needs = $4, locale = $5, status = $6, seq = $7, token_hash = $8, reminded = 0, updated_at = $9 WHERE id = $10")
                .bind(&name)
                .bind(&email)
                .bind(org_kind)
                .bind(r.needs.trim())
                .bind(r.locale.tag())
                .bind(status.key())
                .bind(seq)
                .bind(th_auth::token_hash(&token))
                .bind(mail.now)
                .bind(id)
                .execute(tx.conn())
                .await?;
            id
        }
        None => sqlx::query("INSERT INTO part_registrations (tenant_id, event_id, person_key, name, email, user_id, organisation_id, org_kind, needs, locale, status, seq, token_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id")
            .bind(mail.tenant.0)
            .bind(r.event_id)
            .bind(&key)
            .bind(&name)
            .bind(&email)
            .bind(user)
            .bind(org)
            .bind(org_kind)
            .bind(r.needs.trim())
            .bind(r.locale.tag())
            .bind(status.key())
            .bind(seq)
            .bind(th_auth::token_hash(&token))
            .bind(mail.now)
            .fetch_one(tx.conn())
            .await?
            .get(0),
    };
    let position = if status == RegStatus::Waiting {
        Some(position_in(tx.conn(), r.event_id, seq).await?)
    } else {
        None
    };
    let notice = match status {
        RegStatus::Confirmed => Notice::Confirmed,
        _ => Notice::Waiting(position.unwrap_or(1)),
    };
    if r.notify {
        send_notice(&mut tx, mail, id, notice, Some(&token), seq).await?;
    } else {
        // Taken from a paper list: no e-mails at all, reminders included.
        sqlx::query("UPDATE part_registrations SET reminded = 1 WHERE id = $1")
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await?;
    Ok(Registered {
        id,
        status,
        position,
        token,
    })
}

/// Someone registers again who is registered already: a fresh cancellation link and their
/// standing go to the address on record (the answer on the page is the same as for a new
/// registration, so nobody learns who is registered).
pub async fn resend(db: &Db, mail: &Mailer<'_>, r: &NewRegistration) -> Result<()> {
    let key = r.who.key();
    let row = sqlx::query(
        "SELECT id, status, seq FROM part_registrations WHERE tenant_id = $1 AND event_id = $2 AND person_key = $3",
    )
    .bind(mail.tenant.0)
    .bind(r.event_id)
    .bind(&key)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PartError::NotFound)?;
    let id: i64 = row.get(0);
    let status = RegStatus::parse(&row.get::<String, _>(1));
    let seq: i64 = row.get(2);
    let token = th_auth::random_token();
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE part_registrations SET token_hash = $1 WHERE id = $2")
        .bind(th_auth::token_hash(&token))
        .bind(id)
        .execute(tx.conn())
        .await?;
    let notice = match status {
        RegStatus::Waiting => Notice::Waiting(position_in(tx.conn(), r.event_id, seq).await?),
        _ => Notice::Confirmed,
    };
    // A distinct key per request: each repeat gets its own (rate-limited) mail.
    send_notice(&mut tx, mail, id, notice, Some(&token), -mail.now).await?;
    tx.commit().await?;
    Ok(())
}

enum Notice {
    Confirmed,
    Waiting(i64),
    MovedUp,
    Cancelled,
    Reminder,
}

/// Queues the e-mail about a registration, in the registrant's language, inside `tx`.
async fn send_notice(
    tx: &mut Tx,
    mail: &Mailer<'_>,
    reg: i64,
    notice: Notice,
    token: Option<&str>,
    seq: i64,
) -> Result<()> {
    let r = sqlx::query("SELECT r.event_id, r.name, r.email, r.locale, e.starts_at, e.place, e.address, e.online_url FROM part_registrations r JOIN part_events e ON e.id = r.event_id WHERE r.id = $1")
        .bind(reg)
        .fetch_one(tx.conn())
        .await?;
    let event_id: i64 = r.get(0);
    let name: String = r.get(1);
    let email: String = r.get(2);
    if email.is_empty() {
        // Erased, or its contact removed: nobody to write to.
        return Ok(());
    }
    let l = Locale::parse(&r.get::<String, _>(3)).unwrap_or(Locale::De);
    let starts: i64 = r.get(4);
    let place: String = r.get(5);
    let address: String = r.get(6);
    let online: String = r.get(7);
    let titles = sqlx::query("SELECT locale, title FROM part_event_texts WHERE event_id = $1")
        .bind(event_id)
        .fetch_all(tx.conn())
        .await?;
    let title = [l, Locale::De]
        .iter()
        .find_map(|c| {
            titles
                .iter()
                .find(|t| t.get::<String, _>(0) == c.tag())
                .map(|t| t.get::<String, _>(1))
        })
        .unwrap_or_default();
    let i = mail.i18n;
    let when = format_when(l, starts);
    let where_ = if online.is_empty() {
        format!("{place}, {address}")
    } else if place.is_empty() {
        online.clone()
    } else {
        format!("{place}, {address} / {online}")
    };
    let (key, subject_key, dedupe, extra) = match notice {
        Notice::Confirmed => (
            "mail-registration-confirmed",
            "mail-registration-confirmed-subject",
            format!("reg:{reg}:{seq}"),
            String::new(),
        ),
        Notice::Waiting(p) => (
            "mail-registration-waiting",
            "mail-registration-waiting-subject",
            format!("reg:{reg}:{seq}"),
            p.to_string(),
        ),
        Notice::MovedUp => (
            "mail-registration-moved-up",
            "mail-registration-moved-up-subject",
            format!("reg-up:{reg}:{seq}"),
            String::new(),
        ),
        Notice::Cancelled => (
            "mail-registration-cancelled",
            "mail-registration-cancelled-subject",
            format!("reg-cancel:{reg}:{seq}"),
            String::new(),
        ),
        Notice::Reminder => (
            "mail-registration-reminder",
            "mail-registration-reminder-subject",
            format!("reg-remind:{reg}:{starts}"),
            String::new(),
        ),
    };
    let mut body = i.ta(
        l,
        key,
        &[
            ("name", name.clone().into()),
            ("event", title.clone().into()),
            ("when", when.into()),
            ("where", where_.into()),
            ("position", extra.into()),
        ],
    );
    body.push_str(&format!("\n\n{}/veranstaltungen/{event_id}", mail.origin));
    if let Some(tok) = token {
        body.push_str("\n\n");
        body.push_str(&i.t(l, "mail-registration-cancel-link"));
        body.push_str(&format!("\n{}/anmeldung/{tok}", mail.origin));
    }
    let subject = i.ta(l, subject_key, &[("event", title.into())]);
    th_mail::enqueue(
        tx,
        th_mail::Outgoing {
            tenant: mail.tenant,
            recipient: &email,
            subject: &subject,
            body: &body,
            dedupe_key: Some(&dedupe),
        },
        mail.now,
    )
    .await
    .map_err(|e| match e {
        th_mail::MailError::Storage(s) => PartError::Storage(s),
        other => PartError::Storage(th_storage::StorageError::Other(other.to_string())),
    })?;
    Ok(())
}

/// "Mo., 14.03.2016, 18:00" style, in German local time.
pub fn format_when(l: Locale, ts: i64) -> String {
    let p = localtime::local(ts);
    match l {
        Locale::En => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            p.year(),
            u8::from(p.month()),
            p.day(),
            p.hour(),
            p.minute()
        ),
        _ => format!(
            "{:02}.{:02}.{:04} {:02}:{:02}",
            p.day(),
            u8::from(p.month()),
            p.year(),
            p.hour(),
            p.minute()
        ),
    }
}

/// Gives free places to the waiting list in order; returns the registrations that moved up.
async fn fill_places(tx: &mut Tx, mail: &Mailer<'_>, event: i64, seq: i64) -> Result<Vec<i64>> {
    let capacity: i64 = sqlx::query("SELECT capacity FROM part_events WHERE id = $1")
        .bind(event)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    let free = capacity - confirmed_count(tx, event).await?;
    if free <= 0 {
        return Ok(vec![]);
    }
    let next: Vec<i64> = sqlx::query("SELECT id FROM part_registrations WHERE event_id = $1 AND status = 'waiting' ORDER BY seq LIMIT $2")
        .bind(event)
        .bind(free)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for id in &next {
        sqlx::query(
            "UPDATE part_registrations SET status = 'confirmed', updated_at = $1 WHERE id = $2",
        )
        .bind(mail.now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        send_notice(tx, mail, *id, Notice::MovedUp, None, seq).await?;
    }
    Ok(next)
}

async fn cancel_in(tx: &mut Tx, mail: &Mailer<'_>, reg: i64, event: i64) -> Result<Vec<i64>> {
    let (_, _, ends_at, seq) = lock_event(tx, mail.tenant, event)
        .await?
        .ok_or(PartError::NotFound)?;
    if ends_at < mail.now {
        // After the event nobody moves up; the registration stays as the record of it.
        return Ok(vec![]);
    }
    let n = sqlx::query("UPDATE part_registrations SET status = 'cancelled', updated_at = $1 WHERE id = $2 AND status <> 'cancelled'")
        .bind(mail.now)
        .bind(reg)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(vec![]);
    }
    send_notice(tx, mail, reg, Notice::Cancelled, None, seq).await?;
    fill_places(tx, mail, event, seq).await
}

/// A registration as its cancellation link shows it.
pub async fn by_token(db: &Db, t: TenantId, token: &str) -> Result<Option<Registration>> {
    let rows = sqlx::query(&format!(
        "SELECT {RCOLS} FROM part_registrations WHERE tenant_id = $1 AND token_hash = $2"
    ))
    .bind(t.0)
    .bind(th_auth::token_hash(token))
    .fetch_all(db.pool())
    .await?;
    regs(db, rows).await.map(|v| v.into_iter().next())
}

/// Cancels through the link from the e-mail. Returns the registrations that moved up.
pub async fn cancel_by_token(db: &Db, mail: &Mailer<'_>, token: &str) -> Result<Vec<i64>> {
    let r = by_token(db, mail.tenant, token)
        .await?
        .ok_or(PartError::NotFound)?;
    cancel(db, mail, r.id).await
}

/// Cancels a registration (by the coordination office, the organisation, the person).
pub async fn cancel(db: &Db, mail: &Mailer<'_>, reg: i64) -> Result<Vec<i64>> {
    let row =
        sqlx::query("SELECT event_id FROM part_registrations WHERE tenant_id = $1 AND id = $2")
            .bind(mail.tenant.0)
            .bind(reg)
            .fetch_optional(db.pool())
            .await?
            .ok_or(PartError::NotFound)?;
    let event: i64 = row.get(0);
    let mut tx = db.begin().await?;
    let moved = cancel_in(&mut tx, mail, reg, event).await?;
    tx.commit().await?;
    Ok(moved)
}

const RCOLS: &str =
    "id, event_id, name, email, organisation_id, org_kind, needs, status, seq, created_at";

async fn regs(db: &Db, rows: Vec<th_storage::AnyRow>) -> Result<Vec<Registration>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut conn = db.pool().acquire().await?;
    for r in rows {
        let status = RegStatus::parse(&r.get::<String, _>(7));
        let event: i64 = r.get(1);
        let position = if status == RegStatus::Waiting {
            Some(position_in(&mut conn, event, r.get(8)).await?)
        } else {
            None
        };
        out.push(Registration {
            id: r.get(0),
            event_id: event,
            name: r.get(2),
            email: r.get(3),
            organisation_id: r.get(4),
            org_kind: r.get(5),
            needs: r.get(6),
            status,
            position,
            created_at: r.get(9),
        });
    }
    Ok(out)
}

/// One registration by its id.
pub async fn registrations_of_id(db: &Db, t: TenantId, id: i64) -> Result<Option<Registration>> {
    let rows = sqlx::query(&format!(
        "SELECT {RCOLS} FROM part_registrations WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    regs(db, rows).await.map(|v| v.into_iter().next())
}

/// Everyone registered for an event, confirmed first, then the waiting list in order.
pub async fn registrations(db: &Db, t: TenantId, event: i64) -> Result<Vec<Registration>> {
    let rows = sqlx::query(&format!("SELECT {RCOLS} FROM part_registrations WHERE tenant_id = $1 AND event_id = $2 ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, seq"))
        .bind(t.0)
        .bind(event)
        .fetch_all(db.pool())
        .await?;
    regs(db, rows).await
}

/// The registrations an organisation made, or a person with an account, over all events.
pub async fn registrations_of(
    db: &Db,
    t: TenantId,
    org: Option<i64>,
    user: Option<i64>,
) -> Result<Vec<Registration>> {
    let rows = sqlx::query(&format!("SELECT {RCOLS} FROM part_registrations WHERE tenant_id = $1 AND ((organisation_id = $2 AND $2 <> 0) OR (user_id = $3 AND $3 <> 0)) ORDER BY event_id, seq"))
        .bind(t.0)
        .bind(org.unwrap_or(0))
        .bind(user.unwrap_or(0))
        .fetch_all(db.pool())
        .await?;
    regs(db, rows).await
}

/// Sends one reminder to each confirmed registration of events that begin within the next
/// `ahead` seconds. Safe on several nodes at once: the outbox's dedupe key lets one through.
pub async fn send_reminders(db: &Db, mail: &Mailer<'_>, ahead: i64) -> Result<usize> {
    let due = sqlx::query("SELECT r.id FROM part_registrations r JOIN part_events e ON e.id = r.event_id WHERE r.tenant_id = $1 AND r.status = 'confirmed' AND r.reminded = 0 AND r.email <> '' AND e.starts_at > $2 AND e.starts_at <= $3")
        .bind(mail.tenant.0)
        .bind(mail.now)
        .bind(mail.now + ahead)
        .fetch_all(db.pool())
        .await?;
    let mut sent = 0;
    for r in due {
        let id: i64 = r.get(0);
        let mut tx = db.begin().await?;
        let n = sqlx::query(
            "UPDATE part_registrations SET reminded = 1 WHERE id = $1 AND reminded = 0",
        )
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 1 {
            send_notice(&mut tx, mail, id, Notice::Reminder, None, 0).await?;
            sent += 1;
        }
        tx.commit().await?;
    }
    Ok(sent)
}

// ---------------------------------------------------------------------------------------
// After the event: minutes, attendance, outcomes

/// Attendance kinds: the organisation kinds, and people who came on their own.
pub const INDIVIDUAL: &str = "individual";

pub fn attendance_kinds() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = OrgKind::ALL.iter().map(|k| k.key()).collect();
    v.push(INDIVIDUAL);
    v
}

pub async fn record(
    db: &Db,
    t: TenantId,
    event: i64,
    minutes: &str,
    minutes_locale: Locale,
    attendance: &[(String, i64)],
) -> Result<()> {
    let mut v = Validation::new();
    v.optional_text("minutes", minutes, 100_000);
    for (k, n) in attendance {
        if !attendance_kinds().contains(&k.as_str()) || !(0..=100_000).contains(n) {
            v.add(&format!("attendance_{k}"), "invalid");
        }
    }
    v.into_result().map_err(invalid)?;
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE part_events SET minutes = $1, minutes_locale = $2 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(minutes.trim())
    .bind(minutes_locale.tag())
    .bind(t.0)
    .bind(event)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    sqlx::query("DELETE FROM part_event_attendance WHERE event_id = $1")
        .bind(event)
        .execute(tx.conn())
        .await?;
    for (k, n) in attendance {
        if *n > 0 {
            sqlx::query(
                "INSERT INTO part_event_attendance (event_id, kind, count) VALUES ($1, $2, $3)",
            )
            .bind(event)
            .bind(k)
            .bind(n)
            .execute(tx.conn())
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Attendance by kind (kind key → people).
pub async fn attendance(db: &Db, event: i64) -> Result<BTreeMap<String, i64>> {
    Ok(
        sqlx::query("SELECT kind, count FROM part_event_attendance WHERE event_id = $1")
            .bind(event)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect(),
    )
}

/// Confirmed registrations by kind: what the attendance form starts from.
pub async fn registered_by_kind(db: &Db, event: i64) -> Result<BTreeMap<String, i64>> {
    Ok(sqlx::query("SELECT org_kind, COUNT(*) FROM part_registrations WHERE event_id = $1 AND status = 'confirmed' GROUP BY org_kind")
        .bind(event)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| {
            let k: String = r.get(0);
            (if k.is_empty() { INDIVIDUAL.to_string() } else { k }, r.get(1))
        })
        .collect())
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Outcome {
    pub id: i64,
    pub text: String,
    pub contribution_id: Option<i64>,
    pub goal: Option<String>,
}

/// Adds an outcome of the event. The caller checks that `goal` names a goal of the concept;
/// the contribution must belong to the event's process.
pub async fn add_outcome(
    db: &Db,
    t: TenantId,
    event: i64,
    text: &str,
    contribution: Option<i64>,
    goal: Option<&str>,
    now: i64,
) -> Result<i64> {
    let mut v = Validation::new();
    let text = v.text("text", text, 2000);
    let ev = get(db, t, event).await?.ok_or(PartError::NotFound)?;
    if let Some(c) = contribution {
        let ok = sqlx::query("SELECT id FROM part_contributions WHERE tenant_id = $1 AND id = $2 AND process_id = $3")
            .bind(t.0)
            .bind(c)
            .bind(ev.process_id)
            .fetch_optional(db.pool())
            .await?;
        if ok.is_none() {
            v.add("contribution", "invalid");
        }
    }
    v.into_result().map_err(invalid)?;
    Ok(sqlx::query("INSERT INTO part_event_outcomes (event_id, text, contribution_id, goal, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(event)
        .bind(text)
        .bind(contribution)
        .bind(goal)
        .bind(now)
        .fetch_one(db.pool())
        .await?
        .get(0))
}

pub async fn outcomes(db: &Db, event: i64) -> Result<Vec<Outcome>> {
    Ok(sqlx::query("SELECT id, text, contribution_id, goal FROM part_event_outcomes WHERE event_id = $1 ORDER BY id")
        .bind(event)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Outcome {
            id: r.get(0),
            text: r.get(1),
            contribution_id: r.get(2),
            goal: r.get(3),
        })
        .collect())
}

/// Attendance of all events of a process, by kind (for the process report).
pub async fn attendance_of_process(
    db: &Db,
    t: TenantId,
    process: i64,
) -> Result<BTreeMap<String, i64>> {
    let mut out = BTreeMap::new();
    for r in sqlx::query("SELECT a.kind, a.count FROM part_event_attendance a JOIN part_events e ON e.id = a.event_id WHERE e.tenant_id = $1 AND e.process_id = $2")
        .bind(t.0)
        .bind(process)
        .fetch_all(db.pool())
        .await?
    {
        *out.entry(r.get::<String, _>(0)).or_insert(0) += r.get::<i64, _>(1);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// iCalendar (RFC 5545)

fn ics_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 sequence.
fn ics_line(out: &mut String, line: &str) {
    let mut width = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

fn ics_time(ts: i64) -> String {
    let iso = th_core::rfc3339(ts);
    // 2016-03-14T17:00:00Z → 20160314T170000Z
    iso.chars().filter(|c| c.is_ascii_alphanumeric()).collect()
}

/// A calendar with the given events, their texts in `l` (else German).
pub fn ical(events: &[Event], l: Locale, origin: &str, host: &str, now: i64) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Teilhabe//Veranstaltungen//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        ics_line(&mut out, line);
    }
    for e in events {
        let (t, _) = e.text_in(l);
        let url = format!("{origin}/veranstaltungen/{}", e.id);
        let desc = [
            e.description_in(l).0,
            e.agenda_in(l).0,
            e.accessibility.clone(),
            e.online_url.clone(),
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
        let location = [e.place.as_str(), e.address.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        ics_line(&mut out, "BEGIN:VEVENT");
        ics_line(
            &mut out,
            &format!("UID:event-{}@{}", e.id, ics_escape(host)),
        );
        ics_line(&mut out, &format!("DTSTAMP:{}", ics_time(now)));
        ics_line(&mut out, &format!("DTSTART:{}", ics_time(e.starts_at)));
        ics_line(&mut out, &format!("DTEND:{}", ics_time(e.ends_at)));
        ics_line(&mut out, &format!("SUMMARY:{}", ics_escape(&t.title)));
        if !desc.is_empty() {
            ics_line(&mut out, &format!("DESCRIPTION:{}", ics_escape(&desc)));
        }
        if !location.is_empty() {
            ics_line(&mut out, &format!("LOCATION:{}", ics_escape(&location)));
        } else if !e.online_url.is_empty() {
            ics_line(&mut out, &format!("LOCATION:{}", ics_escape(&e.online_url)));
        }
        ics_line(&mut out, &format!("URL:{url}"));
        ics_line(&mut out, "END:VEVENT");
    }
    ics_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ical_lines_are_folded_at_75_octets_and_escaped() {
        let mut s = String::new();
        ics_line(
            &mut s,
            &format!("SUMMARY:{}", ics_escape(&"Ä; b, c\n".repeat(20))),
        );
        for l in s.split("\r\n") {
            assert!(l.len() <= 75, "{l}");
        }
        assert!(s.contains("\\;") && s.contains("\\,") && s.contains("\\n"));
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.starts_with("SUMMARY:Ä\\; b\\, c\\nÄ"));
    }
}
