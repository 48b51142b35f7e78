//! The organisation registry (`part_organisations`, `part_contacts`).

use crate::{OrgKind, PartError, Result};
use th_core::{TenantId, Validation};
use th_storage::{sqlx, Db, Row, Tx};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
    pub municipality: String,
    pub fields: Vec<i64>,
    pub languages: Vec<String>,
    pub notes: String,
    pub fictitious: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Contact {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub consent_at: Option<i64>,
    pub consent_how: String,
    pub user_id: Option<i64>,
}

/// What a new or changed organisation says.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct OrgInput {
    pub name: String,
    pub kind: String,
    pub municipality: String,
    #[serde(default)]
    pub fields: Vec<i64>,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub notes: String,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
pub struct ContactInput {
    #[serde(default)]
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: String,
    /// How consent was given (e.g. "Einladungsschreiben 2015, schriftlich"); empty: none recorded.
    #[serde(default)]
    pub consent_how: String,
}

pub(crate) fn join_list<T: ToString + Ord + Clone>(v: &[T]) -> String {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    if v.is_empty() {
        String::new()
    } else {
        format!(
            ",{},",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

const ORG_COLS: &str =
    "id, name, kind, municipality, fields, languages, notes, fictitious, created_at, updated_at";

fn org_from(r: &th_storage::AnyRow) -> Organisation {
    Organisation {
        id: r.get(0),
        name: r.get(1),
        kind: OrgKind::parse(&r.get::<String, _>(2)).unwrap_or(OrgKind::Other),
        municipality: r.get(3),
        fields: split_list(&r.get::<String, _>(4))
            .iter()
            .filter_map(|f| f.parse().ok())
            .collect(),
        languages: split_list(&r.get::<String, _>(5)),
        notes: r.get(6),
        fictitious: r.get::<i64, _>(7) != 0,
        created_at: r.get(8),
        updated_at: r.get(9),
    }
}

/// Checks an organisation against the region's municipalities and the concept's fields.
pub fn validate_org(
    o: &OrgInput,
    municipalities: &[String],
    fields: &[i64],
) -> Result<(String, OrgKind), Validation> {
    let mut v = Validation::new();
    let name = v.text("name", &o.name, 200);
    let kind = OrgKind::parse(&o.kind);
    if kind.is_none() {
        v.add(
            "kind",
            if o.kind.trim().is_empty() {
                "required"
            } else {
                "invalid"
            },
        );
    }
    if !municipalities.contains(&o.municipality) {
        v.add(
            "municipality",
            if o.municipality.trim().is_empty() {
                "required"
            } else {
                "invalid"
            },
        );
    }
    if o.fields.iter().any(|f| !fields.contains(f)) {
        v.add("fields", "invalid");
    }
    if o.languages
        .iter()
        .any(|l| l.len() < 2 || l.len() > 3 || !l.chars().all(|c| c.is_ascii_lowercase()))
    {
        v.add("languages", "invalid");
    }
    v.optional_text("notes", &o.notes, 5000);
    match (v.is_ok(), kind) {
        (true, Some(k)) => Ok((name, k)),
        _ => Err(v),
    }
}

pub async fn insert_org(
    tx: &mut Tx,
    t: TenantId,
    name: &str,
    kind: OrgKind,
    o: &OrgInput,
    fictitious: bool,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query("INSERT INTO part_organisations (tenant_id, name, kind, municipality, fields, languages, notes, fictitious, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id")
        .bind(t.0)
        .bind(name)
        .bind(kind.key())
        .bind(&o.municipality)
        .bind(join_list(&o.fields))
        .bind(join_list(&o.languages))
        .bind(o.notes.trim())
        .bind(i64::from(fictitious))
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0))
}

pub async fn insert_contact(
    tx: &mut Tx,
    t: TenantId,
    org: i64,
    c: &ContactInput,
    email: &str,
    consent_at: Option<i64>,
    now: i64,
) -> Result<i64> {
    Ok(sqlx::query("INSERT INTO part_contacts (tenant_id, organisation_id, name, email, role, consent_at, consent_how, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8) RETURNING id")
        .bind(t.0)
        .bind(org)
        .bind(c.name.trim())
        .bind(email)
        .bind(c.role.trim())
        .bind(consent_at)
        .bind(c.consent_how.trim())
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0))
}

/// Creates an organisation with its first contact, in the caller's transaction.
pub async fn create(
    tx: &mut Tx,
    t: TenantId,
    o: &OrgInput,
    contact: Option<&ContactInput>,
    municipalities: &[String],
    fields: &[i64],
    now: i64,
) -> Result<i64> {
    let (name, kind) =
        validate_org(o, municipalities, fields).map_err(|v| PartError::Invalid(v.errors))?;
    let contact_email = match contact {
        Some(c) => Some(th_core::Email::parse(&c.email).map_err(|code| {
            PartError::Invalid(vec![th_core::FieldError {
                field: "email".into(),
                code: code.into(),
            }])
        })?),
        None => None,
    };
    let id = insert_org(tx, t, &name, kind, o, false, now).await?;
    if let (Some(c), Some(e)) = (contact, contact_email) {
        let consent = (!c.consent_how.trim().is_empty()).then_some(now);
        insert_contact(tx, t, id, c, e.as_str(), consent, now).await?;
    }
    Ok(id)
}

/// Filters for the registry list.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct OrgFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub municipality: Option<String>,
    pub field: Option<i64>,
}

fn filter_sql(f: &OrgFilter, first_param: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut binds = Vec::new();
    let mut n = first_param;
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        sql.push_str(&format!(" AND LOWER(name) LIKE ${n}"));
        binds.push(format!("%{}%", q.to_lowercase()));
        n += 1;
    }
    if let Some(k) = f.kind.as_deref().and_then(OrgKind::parse) {
        sql.push_str(&format!(" AND kind = ${n}"));
        binds.push(k.key().to_string());
        n += 1;
    }
    if let Some(m) = f.municipality.as_deref().filter(|m| !m.is_empty()) {
        sql.push_str(&format!(" AND municipality = ${n}"));
        binds.push(m.to_string());
        n += 1;
    }
    if let Some(field) = f.field {
        sql.push_str(&format!(" AND fields LIKE ${n}"));
        binds.push(format!("%,{field},%"));
    }
    (sql, binds)
}

/// One page of the registry, sorted by name, and the total that matches.
pub async fn list(
    db: &Db,
    t: TenantId,
    f: &OrgFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Organisation>, i64)> {
    let (cond, binds) = filter_sql(f, 2);
    let count_sql = format!("SELECT COUNT(*) FROM part_organisations WHERE tenant_id = $1{cond}");
    let mut q = sqlx::query(&count_sql).bind(t.0);
    for b in &binds {
        q = q.bind(b);
    }
    let total: i64 = q.fetch_one(db.pool()).await?.get(0);
    let n = binds.len() + 2;
    let list_sql = format!("SELECT {ORG_COLS} FROM part_organisations WHERE tenant_id = $1{cond} ORDER BY LOWER(name), id LIMIT ${n} OFFSET ${}", n + 1);
    let mut q = sqlx::query(&list_sql).bind(t.0);
    for b in &binds {
        q = q.bind(b);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(db.pool()).await?;
    Ok((rows.iter().map(org_from).collect(), total))
}

pub async fn get(db: &Db, t: TenantId, id: i64) -> Result<Option<Organisation>> {
    let r = sqlx::query(&format!(
        "SELECT {ORG_COLS} FROM part_organisations WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(t.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.as_ref().map(org_from))
}

pub async fn contacts(db: &Db, t: TenantId, org: i64) -> Result<Vec<Contact>> {
    let rows = sqlx::query("SELECT id, organisation_id, name, email, role, consent_at, consent_how, user_id FROM part_contacts WHERE tenant_id = $1 AND organisation_id = $2 AND email <> '' ORDER BY id")
        .bind(t.0)
        .bind(org)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| Contact {
            id: r.get(0),
            organisation_id: r.get(1),
            name: r.get(2),
            email: r.get(3),
            role: r.get(4),
            consent_at: r.get(5),
            consent_how: r.get(6),
            user_id: r.get(7),
        })
        .collect())
}

/// Changes an organisation's profile.
pub async fn update(
    tx: &mut Tx,
    t: TenantId,
    id: i64,
    o: &OrgInput,
    municipalities: &[String],
    fields: &[i64],
    now: i64,
) -> Result<()> {
    let (name, kind) =
        validate_org(o, municipalities, fields).map_err(|v| PartError::Invalid(v.errors))?;
    let n = sqlx::query("UPDATE part_organisations SET name = $1, kind = $2, municipality = $3, fields = $4, languages = $5, notes = $6, updated_at = $7 WHERE tenant_id = $8 AND id = $9")
        .bind(&name)
        .bind(kind.key())
        .bind(&o.municipality)
        .bind(join_list(&o.fields))
        .bind(join_list(&o.languages))
        .bind(o.notes.trim())
        .bind(now)
        .bind(t.0)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    Ok(())
}

/// Counts of organisations by kind and by municipality (for reports).
pub async fn counts(db: &Db, t: TenantId) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query("SELECT kind, municipality, COUNT(*) FROM part_organisations WHERE tenant_id = $1 GROUP BY kind, municipality ORDER BY kind, municipality")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The whole registry as CSV (UTF-8 with byte-order mark, semicolons: opens in Excel), in the
/// columns the import reads, so that an export can be imported again.
pub async fn export_csv(db: &Db, t: TenantId) -> Result<String> {
    let orgs = sqlx::query(&format!(
        "SELECT {ORG_COLS} FROM part_organisations WHERE tenant_id = $1 ORDER BY LOWER(name), id"
    ))
    .bind(t.0)
    .fetch_all(db.pool())
    .await?;
    let contacts = sqlx::query("SELECT organisation_id, name, email, role, consent_at, consent_how FROM part_contacts WHERE tenant_id = $1 AND email <> '' ORDER BY id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(vec![]);
    let header = [
        "name",
        "kind",
        "municipality",
        "fields",
        "languages",
        "contact_name",
        "email",
        "role",
        "consent",
        "consent_how",
        "notes",
    ];
    let _ = w.write_record(header);
    for r in &orgs {
        let o = org_from(r);
        let fields = o
            .fields
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let langs = o.languages.join(",");
        let mine: Vec<_> = contacts
            .iter()
            .filter(|c| c.get::<i64, _>(0) == o.id)
            .collect();
        let write = |w: &mut csv::Writer<Vec<u8>>, c: Option<&&th_storage::AnyRow>| {
            let (cn, ce, cr, cat, chow) = match c {
                Some(c) => (
                    c.get::<String, _>(1),
                    c.get::<String, _>(2),
                    c.get::<String, _>(3),
                    c.get::<Option<i64>, _>(4)
                        .map(th_core::iso_date)
                        .unwrap_or_default(),
                    c.get::<String, _>(5),
                ),
                None => Default::default(),
            };
            let _ = w.write_record([
                o.name.as_str(),
                o.kind.key(),
                &o.municipality,
                &fields,
                &langs,
                &cn,
                &ce,
                &cr,
                &cat,
                &chow,
                &o.notes,
            ]);
        };
        if mine.is_empty() {
            write(&mut w, None);
        }
        for c in &mine {
            write(&mut w, Some(c));
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

pub async fn count(db: &Db, t: TenantId) -> Result<i64> {
    Ok(
        sqlx::query("SELECT COUNT(*) FROM part_organisations WHERE tenant_id = $1")
            .bind(t.0)
            .fetch_one(db.pool())
            .await?
            .get(0),
    )
}

/// The organisations a person belongs to: those with a contact under the person's address.
/// (The caller makes sure the address is confirmed.)
pub async fn member_orgs(db: &Db, t: TenantId, email: &str) -> Result<Vec<Organisation>> {
    let ids: Vec<i64> = sqlx::query("SELECT DISTINCT organisation_id FROM part_contacts WHERE tenant_id = $1 AND LOWER(email) = LOWER($2) AND email <> '' ORDER BY organisation_id")
        .bind(t.0)
        .bind(email.trim())
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = vec![];
    for id in ids {
        if let Some(o) = get(db, t, id).await? {
            out.push(o);
        }
    }
    Ok(out)
}

/// Adds a contact person to an organisation (by a member or the coordination office).
pub async fn add_contact(
    db: &Db,
    t: TenantId,
    org: i64,
    c: &ContactInput,
    now: i64,
) -> Result<i64> {
    let mut v = th_core::Validation::new();
    v.optional_text("name", &c.name, 200);
    v.optional_text("role", &c.role, 200);
    let email = match th_core::Email::parse(&c.email) {
        Ok(e) => Some(e.as_str().to_string()),
        Err(code) => {
            v.add("email", code);
            None
        }
    };
    if let Some(e) = &email {
        let dup = sqlx::query("SELECT id FROM part_contacts WHERE tenant_id = $1 AND organisation_id = $2 AND LOWER(email) = LOWER($3)")
            .bind(t.0)
            .bind(org)
            .bind(e)
            .fetch_optional(db.pool())
            .await?;
        if dup.is_some() {
            v.add("email", "duplicate");
        }
    }
    v.into_result().map_err(|v| PartError::Invalid(v.errors))?;
    get(db, t, org).await?.ok_or(PartError::NotFound)?;
    let mut tx = db.begin().await?;
    let id = insert_contact(
        &mut tx,
        t,
        org,
        c,
        &email.unwrap_or_default(),
        Some(now),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a contact person: the name and address are erased at once (the row stays, empty,
/// so that campaign statistics keep their numbers) and open invitation links are revoked.
/// The last contact of an organisation cannot be removed.
pub async fn remove_contact(db: &Db, t: TenantId, org: i64, contact: i64, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    // Lock the organisation first, so that two removals cannot both leave it with none.
    let n = sqlx::query(
        "UPDATE part_organisations SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2",
    )
    .bind(t.0)
    .bind(org)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(PartError::NotFound);
    }
    let all: Vec<(i64, String)> = sqlx::query("SELECT id, email FROM part_contacts WHERE tenant_id = $1 AND organisation_id = $2 AND email <> ''")
        .bind(t.0)
        .bind(org)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let Some((_, email)) = all.iter().find(|(id, _)| *id == contact) else {
        return Err(PartError::NotFound);
    };
    if all.len() <= 1 {
        return Err(PartError::Invalid(vec![th_core::FieldError {
            field: "contact".into(),
            code: "last_contact".into(),
        }]));
    }
    sqlx::query("UPDATE part_contacts SET name = '', email = '', role = '', consent_how = '', consent_at = NULL, user_id = NULL WHERE id = $1")
        .bind(contact)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE part_invitations SET revoked_at = COALESCE(revoked_at, $1), devices = '', extra_tokens = '', code_hash = NULL WHERE contact_id = $2")
        .bind(now)
        .bind(contact)
        .execute(tx.conn())
        .await?;
    // Mail that would still reach the removed person: registrations they made for members,
    // status news of contributions they sent.
    sqlx::query("UPDATE part_registrations SET email = '' WHERE tenant_id = $1 AND organisation_id = $2 AND LOWER(email) = LOWER($3)")
        .bind(t.0)
        .bind(org)
        .bind(email)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE part_contributions SET notify_email = '' WHERE tenant_id = $1 AND organisation_id = $2 AND LOWER(notify_email) = LOWER($3)")
        .bind(t.0)
        .bind(org)
        .bind(email)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}
