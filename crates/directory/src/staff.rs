//! The administration's languages: staff with customer contact record the languages they speak
//! (CEFR level) and whether they will interpret for colleagues; units record which languages
//! their clients ask for, per month. The coverage view shows where demand meets no speaker and
//! where one person carries a whole language; interpreter requests go to the colleagues who
//! speak the language, and the first to accept takes it.

use crate::{languages, DirError, Result};
use std::collections::BTreeMap;
use th_core::{TenantId, Validation};
use th_storage::platform::AuditEntry;
use th_storage::{sqlx, Db, Row, Tx};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub municipality: String,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Staff {
    pub id: i64,
    pub unit_id: i64,
    pub user_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub lead: bool,
    pub interprets: bool,
    pub languages: Vec<(String, String)>,
}

/// Levels that let someone hold a counselling conversation or interpret.
pub fn serves(level: &str) -> bool {
    matches!(level, "B2" | "C1" | "C2" | "native")
}

pub async fn create_unit(
    tx: &mut Tx,
    t: TenantId,
    name: &str,
    municipality: &str,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query("INSERT INTO dir_units (tenant_id, name, municipality, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
        .bind(t.0)
        .bind(name)
        .bind(municipality)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0))
}

pub async fn units(db: &Db, t: TenantId) -> Result<Vec<Unit>> {
    let rows = sqlx::query(
        "SELECT id, name, municipality FROM dir_units WHERE tenant_id = $1 ORDER BY name, id",
    )
    .bind(t.0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Unit {
            id: r.get(0),
            name: r.get(1),
            municipality: r.get(2),
        })
        .collect())
}

pub struct NewStaff<'a> {
    pub unit_id: i64,
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub email: &'a str,
    pub lead: bool,
    pub interprets: bool,
    pub languages: &'a [(&'a str, &'a str)],
}

pub async fn add_staff(tx: &mut Tx, t: TenantId, s: &NewStaff<'_>, now: i64) -> Result<i64> {
    let id: i64 = sqlx::query("INSERT INTO dir_staff (tenant_id, unit_id, user_id, name, email, lead, interprets, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(t.0)
        .bind(s.unit_id)
        .bind(s.user_id)
        .bind(s.name)
        .bind(s.email)
        .bind(s.lead as i64)
        .bind(s.interprets as i64)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for (code, level) in s.languages {
        sqlx::query("INSERT INTO dir_staff_languages (staff_id, code, level) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(code)
            .bind(level)
            .execute(tx.conn())
            .await?;
    }
    Ok(id)
}

async fn load_staff(db: &Db, t: TenantId, cond: &str, arg: i64) -> Result<Vec<Staff>> {
    let rows = sqlx::query(&format!("SELECT id, unit_id, user_id, name, email, lead, interprets FROM dir_staff WHERE tenant_id = $1 AND {cond} ORDER BY name, id"))
        .bind(t.0)
        .bind(arg)
        .fetch_all(db.pool())
        .await?;
    let mut out: Vec<Staff> = rows
        .iter()
        .map(|r| Staff {
            id: r.get(0),
            unit_id: r.get(1),
            user_id: r.get(2),
            name: r.get(3),
            email: r.get(4),
            lead: th_storage::flag(r.get(5)),
            interprets: th_storage::flag(r.get(6)),
            languages: Vec::new(),
        })
        .collect();
    let langs = sqlx::query(&format!("SELECT l.staff_id, l.code, l.level FROM dir_staff_languages l JOIN dir_staff s ON s.id = l.staff_id WHERE s.tenant_id = $1 AND {} ORDER BY l.code", cond.replace("unit_id", "s.unit_id").replace("user_id", "s.user_id")))
        .bind(t.0)
        .bind(arg)
        .fetch_all(db.pool())
        .await?;
    for r in langs {
        let sid: i64 = r.get(0);
        if let Some(s) = out.iter_mut().find(|s| s.id == sid) {
            s.languages.push((r.get(1), r.get(2)));
        }
    }
    Ok(out)
}

pub async fn staff_of_unit(db: &Db, t: TenantId, unit: i64) -> Result<Vec<Staff>> {
    load_staff(db, t, "unit_id = $2", unit).await
}

/// The staff records of an account (one per unit it works in).
pub async fn staff_of_user(db: &Db, t: TenantId, user: i64) -> Result<Vec<Staff>> {
    load_staff(db, t, "user_id = $2", user).await
}

pub async fn all_staff(db: &Db, t: TenantId) -> Result<Vec<Staff>> {
    load_staff(db, t, "$2 = $2", 0).await
}

/// A member of staff records their languages (code, level) and whether they will interpret.
pub async fn set_languages(
    db: &Db,
    t: TenantId,
    staff_id: i64,
    langs: &[(String, String)],
    interprets: bool,
    actor: Option<i64>,
    now: i64,
) -> Result<()> {
    let mut v = Validation::new();
    let mut clean: BTreeMap<&'static str, &str> = BTreeMap::new();
    for (code, level) in langs {
        match languages::check(code) {
            Ok(c) => {
                if !languages::LEVELS.contains(&level.as_str()) {
                    v.add("languages", "invalid_choice");
                }
                clean.insert(c, level);
            }
            Err(languages::CodeError::UseShort(_)) => v.add("languages", "language_long_code"),
            Err(languages::CodeError::Unknown) => v.add("languages", "unknown_language"),
        }
    }
    if langs.len() > 30 {
        v.add("languages", "too_long");
    }
    v.into_result()?;
    let mut tx = db.begin().await?;
    let n = sqlx::query(
        "UPDATE dir_staff SET interprets = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(interprets as i64)
    .bind(now)
    .bind(t.0)
    .bind(staff_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    sqlx::query("DELETE FROM dir_staff_languages WHERE staff_id = $1")
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    for (code, level) in &clean {
        sqlx::query("INSERT INTO dir_staff_languages (staff_id, code, level) VALUES ($1, $2, $3)")
            .bind(staff_id)
            .bind(*code)
            .bind(*level)
            .execute(tx.conn())
            .await?;
    }
    db.audit(
        &mut tx,
        AuditEntry {
            tenant: t,
            actor,
            action: "staff.languages",
            object_type: "staff",
            object_id: &staff_id.to_string(),
            detail: &clean.keys().copied().collect::<Vec<_>>().join(" "),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A coordinator adds a unit (a team with customer contact).
pub async fn add_unit(
    db: &Db,
    t: TenantId,
    name: &str,
    municipality: &str,
    municipalities: &[String],
    now: i64,
) -> Result<i64> {
    let mut v = Validation::new();
    let name = v.text("unit_name", name, 200);
    if !municipalities.iter().any(|m| m == municipality) {
        v.add("municipality", "unknown_municipality");
    }
    v.into_result()?;
    let mut tx = db.begin().await?;
    let id = create_unit(&mut tx, t, &name, municipality, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// A member of staff, added to a unit by its lead or a coordinator; `user` links the record
/// to the account with that address, if there is one.
pub struct Member<'a> {
    pub unit_id: i64,
    pub name: &'a str,
    pub email: &'a str,
    pub lead: bool,
    pub user: Option<i64>,
}

pub async fn add_member(db: &Db, t: TenantId, m: &Member<'_>, now: i64) -> Result<i64> {
    let mut v = Validation::new();
    let name = v.text("name", m.name, 200);
    let email = m.email.trim();
    if th_core::Email::parse(email).is_err() {
        v.add("email", "invalid_email");
    }
    v.into_result()?;
    let mut tx = db.begin().await?;
    let ok = sqlx::query("SELECT COUNT(*) FROM dir_units WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(m.unit_id)
        .fetch_one(tx.conn())
        .await?
        .get::<i64, _>(0)
        > 0;
    if !ok {
        return Err(DirError::NotFound);
    }
    let id = add_staff(
        &mut tx,
        t,
        &NewStaff {
            unit_id: m.unit_id,
            user_id: m.user,
            name: &name,
            email,
            lead: m.lead,
            interprets: false,
            languages: &[],
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a staff record (with its languages) from a unit.
pub async fn remove_member(db: &Db, t: TenantId, unit: i64, staff_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE dir_interpreter_requests SET interpreter_staff_id = NULL WHERE tenant_id = $1 AND interpreter_staff_id = $2")
        .bind(t.0)
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM dir_staff_languages WHERE staff_id = $1")
        .bind(staff_id)
        .execute(tx.conn())
        .await?;
    let n = sqlx::query("DELETE FROM dir_staff WHERE tenant_id = $1 AND unit_id = $2 AND id = $3")
        .bind(t.0)
        .bind(unit)
        .bind(staff_id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(DirError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// A month as `YYYY-MM`.
pub fn check_period(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 7
        && b[4] == b'-'
        && p[..4]
            .parse::<u32>()
            .is_ok_and(|y| (2000..=2100).contains(&y))
        && p[5..].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
}

/// Records how many clients asked for a language in a month (replacing an earlier count).
pub async fn record_demand(
    db: &Db,
    t: TenantId,
    unit: i64,
    code: &str,
    period: &str,
    requests: i64,
) -> Result<()> {
    let mut v = Validation::new();
    let code = match languages::check(code) {
        Ok(c) => c,
        Err(_) => {
            v.add("code", "unknown_language");
            ""
        }
    };
    if !check_period(period) {
        v.add("period", "period");
    }
    if !(0..=100_000).contains(&requests) {
        v.add("requests", "range");
    }
    v.into_result()?;
    let mut tx = db.begin().await?;
    let ok = sqlx::query("SELECT COUNT(*) FROM dir_units WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(unit)
        .fetch_one(tx.conn())
        .await?
        .get::<i64, _>(0)
        > 0;
    if !ok {
        return Err(DirError::NotFound);
    }
    insert_demand(&mut tx, unit, code, period, requests).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn insert_demand(
    tx: &mut Tx,
    unit: i64,
    code: &str,
    period: &str,
    requests: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM dir_language_demand WHERE unit_id = $1 AND code = $2 AND period = $3")
        .bind(unit)
        .bind(code)
        .bind(period)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO dir_language_demand (unit_id, code, period, requests) VALUES ($1, $2, $3, $4)",
    )
    .bind(unit)
    .bind(code)
    .bind(period)
    .bind(requests)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// How a language stands in a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cover {
    /// Clients ask for it and nobody speaks it.
    Gap,
    /// One person carries it.
    Single,
    Covered,
    /// Spoken, not asked for in the period.
    Spare,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CoverageRow {
    pub unit_id: i64,
    pub unit: String,
    pub municipality: String,
    pub code: String,
    /// Requests in the last three months of the data, and in the three before.
    pub recent: i64,
    pub before: i64,
    /// Staff of the unit who speak it at B2 or better.
    pub speakers: i64,
    /// Colleagues elsewhere who interpret it.
    pub pool: i64,
    pub cover: Cover,
}

/// The periods (YYYY-MM) of the three months ending with `last`, and of the three before.
fn windows(last: &str) -> (Vec<String>, Vec<String>) {
    let y: i64 = last[..4].parse().unwrap_or(2026);
    let m: i64 = last[5..].parse().unwrap_or(1);
    let idx = y * 12 + (m - 1);
    let p = |i: i64| format!("{:04}-{:02}", i / 12, i % 12 + 1);
    (
        (0..3).map(|k| p(idx - k)).collect(),
        (3..6).map(|k| p(idx - k)).collect(),
    )
}

/// Coverage per unit and language, gaps first.
pub async fn coverage(db: &Db, t: TenantId) -> Result<(Option<String>, Vec<CoverageRow>)> {
    let units = units(db, t).await?;
    let staff = all_staff(db, t).await?;
    let rows = sqlx::query("SELECT d.unit_id, d.code, d.period, d.requests FROM dir_language_demand d JOIN dir_units u ON u.id = d.unit_id WHERE u.tenant_id = $1")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let demand: Vec<(i64, String, String, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    let last = demand.iter().map(|d| d.2.clone()).max();
    let (recent_w, before_w) = last.as_deref().map(windows).unwrap_or_default();
    let mut out = Vec::new();
    for u in &units {
        let mut codes: Vec<String> = demand
            .iter()
            .filter(|d| d.0 == u.id)
            .map(|d| d.1.clone())
            .collect();
        for s in staff.iter().filter(|s| s.unit_id == u.id) {
            codes.extend(
                s.languages
                    .iter()
                    .filter(|l| serves(&l.1))
                    .map(|l| l.0.clone()),
            );
        }
        codes.sort();
        codes.dedup();
        codes.retain(|c| c != "de");
        for code in codes {
            let sum = |w: &[String]| -> i64 {
                demand
                    .iter()
                    .filter(|d| d.0 == u.id && d.1 == code && w.contains(&d.2))
                    .map(|d| d.3)
                    .sum()
            };
            let (recent, before) = (sum(&recent_w), sum(&before_w));
            let speaks = |s: &Staff| s.languages.iter().any(|l| l.0 == code && serves(&l.1));
            let speakers = staff
                .iter()
                .filter(|s| s.unit_id == u.id && speaks(s))
                .count() as i64;
            let pool = staff
                .iter()
                .filter(|s| s.unit_id != u.id && s.interprets && speaks(s))
                .count() as i64;
            let cover = match (recent > 0, speakers) {
                (true, 0) => Cover::Gap,
                (true, 1) => Cover::Single,
                (true, _) => Cover::Covered,
                (false, _) => Cover::Spare,
            };
            out.push(CoverageRow {
                unit_id: u.id,
                unit: u.name.clone(),
                municipality: u.municipality.clone(),
                code,
                recent,
                before,
                speakers,
                pool,
                cover,
            });
        }
    }
    let rank = |c: Cover| match c {
        Cover::Gap => 0,
        Cover::Single => 1,
        Cover::Covered => 2,
        Cover::Spare => 3,
    };
    out.sort_by(|a, b| {
        rank(a.cover)
            .cmp(&rank(b.cover))
            .then(b.recent.cmp(&a.recent))
            .then(a.unit.cmp(&b.unit))
            .then(a.code.cmp(&b.code))
    });
    Ok((last, out))
}

/// Coverage summed per municipality and language (all units of a municipality together).
pub fn by_municipality(rows: &[CoverageRow]) -> Vec<CoverageRow> {
    let mut out: Vec<CoverageRow> = Vec::new();
    for r in rows {
        match out
            .iter_mut()
            .find(|o| o.municipality == r.municipality && o.code == r.code)
        {
            Some(o) => {
                o.recent += r.recent;
                o.before += r.before;
                o.speakers += r.speakers;
                o.pool = o.pool.max(r.pool);
            }
            None => out.push(CoverageRow {
                unit_id: 0,
                unit: String::new(),
                ..r.clone()
            }),
        }
    }
    for o in out.iter_mut() {
        o.cover = match (o.recent > 0, o.speakers) {
            (true, 0) => Cover::Gap,
            (true, 1) => Cover::Single,
            (true, _) => Cover::Covered,
            (false, _) => Cover::Spare,
        };
    }
    out.sort_by(|a, b| {
        a.municipality
            .cmp(&b.municipality)
            .then(b.recent.cmp(&a.recent))
    });
    out
}

/// The change of demand between the two windows, in per cent (None without earlier demand).
pub fn trend(r: &CoverageRow) -> Option<i64> {
    (r.before > 0).then(|| (r.recent - r.before) * 100 / r.before)
}

/// The coverage as CSV (semicolons, BOM, for spreadsheet programs).
pub fn coverage_csv(
    rows: &[CoverageRow],
    headers: &[String; 8],
    cover_label: impl Fn(Cover) -> String,
) -> String {
    let esc = |s: &str| {
        if s.contains([';', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&headers.iter().map(|h| esc(h)).collect::<Vec<_>>().join(";"));
    out.push_str("\r\n");
    for r in rows {
        let cells = [
            esc(&r.unit),
            esc(&r.municipality),
            r.code.clone(),
            r.recent.to_string(),
            r.before.to_string(),
            r.speakers.to_string(),
            r.pool.to_string(),
            esc(&cover_label(r.cover)),
        ];
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InterpreterRequest {
    pub id: i64,
    pub unit_id: i64,
    pub code: String,
    pub starts_at: i64,
    pub minutes: i64,
    pub place: String,
    pub note: String,
    pub requested_by: i64,
    pub status: String,
    pub interpreter: Option<i64>,
    pub created_at: i64,
}

pub struct NewRequest<'a> {
    pub unit_id: i64,
    pub code: &'a str,
    pub starts_at: Option<i64>,
    pub minutes: i64,
    pub place: &'a str,
    pub note: &'a str,
}

/// Books an interpreter request; returns its id and the colleagues to ask (interpreters of the
/// language, B2 or better, outside the requester's own record).
pub async fn request_interpreter(
    db: &Db,
    t: TenantId,
    r: &NewRequest<'_>,
    requested_by: i64,
    now: i64,
) -> Result<(i64, Vec<Staff>)> {
    let mut v = Validation::new();
    let code = languages::check(r.code).ok();
    if code.is_none() {
        v.add("code", "unknown_language");
    }
    match r.starts_at {
        None => v.add("starts_at", "datetime"),
        Some(s) if s < now => v.add("starts_at", "in_past"),
        _ => {}
    }
    if !(15..=480).contains(&r.minutes) {
        v.add("minutes", "range");
    }
    let place = v.text("place", r.place, 200);
    let note = v.optional_text("note", r.note, 1000);
    v.into_result()?;
    let code = code.unwrap_or("de");
    let mut tx = db.begin().await?;
    let ok = sqlx::query("SELECT COUNT(*) FROM dir_units WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(r.unit_id)
        .fetch_one(tx.conn())
        .await?
        .get::<i64, _>(0)
        > 0;
    if !ok {
        return Err(DirError::NotFound);
    }
    let id: i64 = sqlx::query("INSERT INTO dir_interpreter_requests (tenant_id, unit_id, code, starts_at, minutes, place, note, requested_by, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $9) RETURNING id")
        .bind(t.0)
        .bind(r.unit_id)
        .bind(code)
        .bind(r.starts_at.unwrap_or(now))
        .bind(r.minutes)
        .bind(&place)
        .bind(&note)
        .bind(requested_by)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    tx.commit().await?;
    let pool: Vec<Staff> = all_staff(db, t)
        .await?
        .into_iter()
        .filter(|s| {
            s.interprets
                && s.user_id != Some(requested_by)
                && s.languages.iter().any(|l| l.0 == code && serves(&l.1))
        })
        .collect();
    Ok((id, pool))
}

const REQ_COLS: &str = "id, unit_id, code, starts_at, minutes, place, note, requested_by, status, interpreter_staff_id, created_at";

fn req_from(r: &th_storage::sqlx::any::AnyRow) -> InterpreterRequest {
    InterpreterRequest {
        id: r.get(0),
        unit_id: r.get(1),
        code: r.get(2),
        starts_at: r.get(3),
        minutes: r.get(4),
        place: r.get(5),
        note: r.get(6),
        requested_by: r.get(7),
        status: r.get(8),
        interpreter: r.get(9),
        created_at: r.get(10),
    }
}

/// Requests from now on (of one unit, or all), soonest first.
pub async fn requests(
    db: &Db,
    t: TenantId,
    unit: Option<i64>,
    from: i64,
) -> Result<Vec<InterpreterRequest>> {
    let mut sql = format!(
        "SELECT {REQ_COLS} FROM dir_interpreter_requests WHERE tenant_id = $1 AND starts_at >= $2"
    );
    if unit.is_some() {
        sql.push_str(" AND unit_id = $3");
    }
    sql.push_str(" ORDER BY starts_at, id LIMIT 200");
    let mut q = sqlx::query(&sql).bind(t.0).bind(from);
    if let Some(u) = unit {
        q = q.bind(u);
    }
    Ok(q.fetch_all(db.pool()).await?.iter().map(req_from).collect())
}

pub async fn request(db: &Db, t: TenantId, id: i64) -> Result<Option<InterpreterRequest>> {
    Ok(sqlx::query(&format!(
        "SELECT {REQ_COLS} FROM dir_interpreter_requests WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(req_from))
}

/// A colleague takes an open request; of two at once only the first succeeds (false for the
/// second).
pub async fn accept(db: &Db, t: TenantId, id: i64, staff: &Staff, now: i64) -> Result<bool> {
    let req = request(db, t, id).await?.ok_or(DirError::NotFound)?;
    if !staff
        .languages
        .iter()
        .any(|l| l.0 == req.code && serves(&l.1))
    {
        return Err(DirError::NotFound);
    }
    let n = sqlx::query("UPDATE dir_interpreter_requests SET status = 'accepted', interpreter_staff_id = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND status = 'open'")
        .bind(staff.id)
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn cancel(db: &Db, t: TenantId, id: i64, now: i64) -> Result<bool> {
    let n = sqlx::query("UPDATE dir_interpreter_requests SET status = 'cancelled', updated_at = $1 WHERE tenant_id = $2 AND id = $3 AND status <> 'cancelled'")
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipalities_sum_their_units() {
        let row = |unit: i64, m: &str, code: &str, recent, speakers| CoverageRow {
            unit_id: unit,
            unit: format!("u{unit}"),
            municipality: m.into(),
            code: code.into(),
            recent,
            before: 10,
            speakers,
            pool: 0,
            cover: Cover::Spare,
        };
        let rows = [
            row(1, "hannover", "ar", 50, 0),
            row(2, "hannover", "ar", 20, 1),
            row(3, "garbsen", "ar", 5, 0),
        ];
        let m = by_municipality(&rows);
        assert_eq!(m.len(), 2);
        let h = m.iter().find(|r| r.municipality == "hannover").unwrap();
        assert_eq!(
            (h.recent, h.before, h.speakers, h.cover),
            (70, 20, 1, Cover::Single)
        );
        assert_eq!(
            m.iter()
                .find(|r| r.municipality == "garbsen")
                .unwrap()
                .cover,
            Cover::Gap
        );
        assert_eq!(trend(h), Some(250));
    }

    #[test]
    fn periods_and_windows() {
        assert!(check_period("2026-11"));
        assert!(!check_period("2026-13"));
        assert!(!check_period("26-11"));
        assert!(!check_period("2026-1x"));
        let (a, b) = windows("2026-02");
        assert_eq!(a, ["2026-02", "2026-01", "2025-12"]);
        assert_eq!(b, ["2025-11", "2025-10", "2025-09"]);
    }
}
