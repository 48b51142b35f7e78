//! Invitation campaigns: a multilingual letter to a chosen set of organisations, one personal
//! link per contact (bound to contact and organisation, expiring, revocable, and asking for a
//! code sent to the contact when opened on another device), reminders, and statistics.

use crate::{PartError, Result};
use th_core::{Locale, TenantId, Validation};
use th_storage::{sqlx, Db, Row, Tx};

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Campaign {
    pub id: i64,
    pub process_id: i64,
    pub name: String,
    pub filter: CampaignFilter,
    pub link_days: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// (locale, subject, body)
    pub texts: Vec<(Locale, String, String)>,
}

/// Which organisations a campaign goes to (all when empty).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFilter {
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub municipalities: Vec<String>,
    #[serde(default)]
    pub fields: Vec<i64>,
}

pub struct NewCampaign<'a> {
    pub process_id: i64,
    pub name: &'a str,
    pub filter: CampaignFilter,
    pub link_days: i64,
    /// (locale, subject, body); German is required. `{link}` in a body marks where the
    /// personal link goes (else it is added at the end).
    pub texts: Vec<(Locale, &'a str, &'a str)>,
}

pub fn validate_campaign(c: &NewCampaign<'_>) -> Validation {
    let mut v = Validation::new();
    v.text("name", c.name, 200);
    let de = c.texts.iter().find(|(l, _, _)| *l == Locale::De);
    v.text("subject_de", de.map(|t| t.1).unwrap_or(""), 200);
    v.text("body_de", de.map(|t| t.2).unwrap_or(""), 10_000);
    for (l, s, b) in &c.texts {
        if *l != Locale::De && (!s.trim().is_empty() || !b.trim().is_empty()) {
            v.text(&format!("subject_{}", l.tag()), s, 200);
            v.text(&format!("body_{}", l.tag()), b, 10_000);
        }
    }
    if !(1..=365).contains(&c.link_days) {
        v.add("link_days", "invalid");
    }
    v
}

pub async fn create_campaign(
    tx: &mut Tx,
    t: TenantId,
    c: &NewCampaign<'_>,
    now: i64,
) -> Result<i64> {
    validate_campaign(c)
        .into_result()
        .map_err(|v| PartError::Invalid(v.errors))?;
    let exists = sqlx::query("SELECT id FROM part_processes WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(c.process_id)
        .fetch_optional(tx.conn())
        .await?;
    if exists.is_none() {
        return Err(PartError::Invalid(vec![th_core::FieldError {
            field: "process".into(),
            code: "invalid".into(),
        }]));
    }
    let id: i64 = sqlx::query("INSERT INTO part_campaigns (tenant_id, process_id, name, filter, link_days, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(t.0)
        .bind(c.process_id)
        .bind(c.name.trim())
        .bind(serde_json::to_string(&c.filter).unwrap_or_default())
        .bind(c.link_days)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
    for (l, s, b) in &c.texts {
        if s.trim().is_empty() && b.trim().is_empty() {
            continue;
        }
        sqlx::query("INSERT INTO part_campaign_texts (campaign_id, locale, subject, body) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(l.tag())
            .bind(s.trim())
            .bind(b.trim())
            .execute(tx.conn())
            .await?;
    }
    Ok(id)
}

pub async fn campaigns(db: &Db, t: TenantId) -> Result<Vec<Campaign>> {
    let ids = sqlx::query("SELECT id FROM part_campaigns WHERE tenant_id = $1 ORDER BY id DESC")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut out = vec![];
    for r in ids {
        if let Some(c) = campaign(db, t, r.get(0)).await? {
            out.push(c);
        }
    }
    Ok(out)
}

pub async fn campaign(db: &Db, t: TenantId, id: i64) -> Result<Option<Campaign>> {
    let Some(r) = sqlx::query("SELECT id, process_id, name, filter, link_days, created_at, sent_at FROM part_campaigns WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(id)
        .fetch_optional(db.pool())
        .await?
    else {
        return Ok(None);
    };
    let texts =
        sqlx::query("SELECT locale, subject, body FROM part_campaign_texts WHERE campaign_id = $1")
            .bind(id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .filter_map(|r| Locale::parse(&r.get::<String, _>(0)).map(|l| (l, r.get(1), r.get(2))))
            .collect::<Vec<_>>();
    let mut texts = texts;
    texts.sort_by_key(|(l, _, _)| *l);
    Ok(Some(Campaign {
        id: r.get(0),
        process_id: r.get(1),
        name: r.get(2),
        filter: serde_json::from_str(&r.get::<String, _>(3)).unwrap_or_default(),
        link_days: r.get(4),
        created_at: r.get(5),
        sent_at: r.get(6),
        texts,
    }))
}

/// A contact a campaign reaches.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub contact_id: i64,
    pub organisation_id: i64,
    pub email: String,
}

/// Everyone the filter selects: every contact of every matching organisation.
pub async fn recipients(db: &Db, t: TenantId, f: &CampaignFilter) -> Result<Vec<Recipient>> {
    let rows = sqlx::query("SELECT c.id, c.organisation_id, c.email, o.kind, o.municipality, o.fields FROM part_contacts c JOIN part_organisations o ON o.id = c.organisation_id WHERE c.tenant_id = $1 AND c.email <> '' ORDER BY c.id")
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .filter(|r| {
            let kind: String = r.get(3);
            let m: String = r.get(4);
            let fields: String = r.get(5);
            (f.kinds.is_empty() || f.kinds.contains(&kind))
                && (f.municipalities.is_empty() || f.municipalities.contains(&m))
                && (f.fields.is_empty()
                    || f.fields.iter().any(|n| fields.contains(&format!(",{n},"))))
        })
        .map(|r| Recipient {
            contact_id: r.get(0),
            organisation_id: r.get(1),
            email: r.get(2),
        })
        .collect())
}

/// The e-mail of a campaign for one personal link: every language the campaign has, German
/// first, each with the link.
pub fn letter(c: &Campaign, link: &str) -> (String, String) {
    let subject = c
        .texts
        .iter()
        .find(|(l, _, _)| *l == Locale::De)
        .map(|t| t.1.clone())
        .unwrap_or_default();
    let parts: Vec<String> = c
        .texts
        .iter()
        .map(|(l, s, b)| {
            let with_link = format!("{b}\n\n{link}?lang={}", l.tag());
            let body = if b.contains("{link}") {
                b.replace("{link}", &format!("{link}?lang={}", l.tag()))
            } else {
                with_link
            };
            format!("{s}\n\n{body}")
        })
        .collect();
    (subject, parts.join("\n\n----------\n\n"))
}

pub fn dedupe_key(campaign: i64, contact: i64) -> String {
    format!("invitation:{campaign}:{contact}")
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct SendReport {
    pub queued: usize,
    pub already_invited: usize,
}

/// Creates the personal links and queues the e-mails, all in one transaction. Sending again
/// reaches only contacts who are new since; nobody gets the same invitation twice.
pub async fn send(
    db: &Db,
    t: TenantId,
    campaign_id: i64,
    origin: &str,
    now: i64,
) -> Result<SendReport> {
    let c = campaign(db, t, campaign_id)
        .await?
        .ok_or(PartError::NotFound)?;
    let all = recipients(db, t, &c.filter).await?;
    let invited: std::collections::HashSet<i64> =
        sqlx::query("SELECT contact_id FROM part_invitations WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
    let mut report = SendReport::default();
    let mut tx = db.begin().await?;
    for r in &all {
        if invited.contains(&r.contact_id) {
            report.already_invited += 1;
            continue;
        }
        let token = th_auth::random_token();
        sqlx::query("INSERT INTO part_invitations (tenant_id, campaign_id, contact_id, organisation_id, token_hash, expires_at, devices, created_at) VALUES ($1, $2, $3, $4, $5, $6, '', $7)")
            .bind(t.0)
            .bind(campaign_id)
            .bind(r.contact_id)
            .bind(r.organisation_id)
            .bind(th_auth::token_hash(&token))
            .bind(now + c.link_days * 86_400)
            .bind(now)
            .execute(tx.conn())
            .await?;
        let (subject, body) = letter(&c, &format!("{origin}/einladung/{token}"));
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: t,
                recipient: &r.email,
                subject: &subject,
                body: &body,
                dedupe_key: Some(&dedupe_key(campaign_id, r.contact_id)),
            },
            now,
        )
        .await
        .map_err(|e| PartError::Storage(th_storage::StorageError::Other(e.to_string())))?;
        report.queued += 1;
    }
    sqlx::query("UPDATE part_campaigns SET sent_at = COALESCE(sent_at, $1) WHERE id = $2")
        .bind(now)
        .bind(campaign_id)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(report)
}

/// Records a campaign that went out by post (before the platform, or to those without
/// e-mail): one invitation per recipient, without a usable link and without an e-mail, and
/// answered for the organisations given. The statistics and the process report count them.
pub async fn record_by_post(
    db: &Db,
    t: TenantId,
    campaign_id: i64,
    sent_at: i64,
    answered_orgs: &std::collections::HashSet<i64>,
    answered_at: i64,
) -> Result<usize> {
    let c = campaign(db, t, campaign_id)
        .await?
        .ok_or(PartError::NotFound)?;
    let all = recipients(db, t, &c.filter).await?;
    let mut tx = db.begin().await?;
    for r in &all {
        let answered = answered_orgs
            .contains(&r.organisation_id)
            .then_some(answered_at);
        sqlx::query("INSERT INTO part_invitations (tenant_id, campaign_id, contact_id, organisation_id, token_hash, expires_at, revoked_at, answered_at, devices, created_at, mailed) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, '', $6, 0) ON CONFLICT (campaign_id, contact_id) DO NOTHING")
            .bind(t.0)
            .bind(campaign_id)
            .bind(r.contact_id)
            .bind(r.organisation_id)
            .bind(format!("by-post:{}", th_auth::token_hash(&th_auth::random_token())))
            .bind(sent_at)
            .bind(answered)
            .execute(tx.conn())
            .await?;
    }
    sqlx::query("UPDATE part_campaigns SET sent_at = COALESCE(sent_at, $1) WHERE id = $2")
        .bind(sent_at)
        .bind(campaign_id)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(all.len())
}

/// Sends a reminder to every invited contact who has not answered (and whose link is not
/// revoked). Each reminder carries a fresh link (the earlier one keeps working) and extends
/// the expiry; reminder n goes to a person at most once.
pub async fn remind(
    db: &Db,
    t: TenantId,
    campaign_id: i64,
    origin: &str,
    subject_prefix: &str,
    now: i64,
) -> Result<usize> {
    let c = campaign(db, t, campaign_id)
        .await?
        .ok_or(PartError::NotFound)?;
    let open = sqlx::query("SELECT i.id, i.contact_id, i.reminders, c.email FROM part_invitations i JOIN part_contacts c ON c.id = i.contact_id WHERE i.campaign_id = $1 AND i.tenant_id = $2 AND i.answered_at IS NULL AND i.revoked_at IS NULL AND c.email <> ''")
        .bind(campaign_id)
        .bind(t.0)
        .fetch_all(db.pool())
        .await?;
    let mut tx = db.begin().await?;
    let mut n = 0;
    for r in &open {
        let (id, contact, reminders, email): (i64, i64, i64, String) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        let token = th_auth::random_token();
        sqlx::query("UPDATE part_invitations SET extra_tokens = extra_tokens || $1, reminders = reminders + 1, expires_at = $2 WHERE id = $3")
            .bind(format!(",{},", th_auth::token_hash(&token)))
            .bind(now + c.link_days * 86_400)
            .bind(id)
            .execute(tx.conn())
            .await?;
        let (subject, body) = letter(&c, &format!("{origin}/einladung/{token}"));
        let key = format!("reminder:{campaign_id}:{contact}:{}", reminders + 1);
        th_mail::enqueue(
            &mut tx,
            th_mail::Outgoing {
                tenant: t,
                recipient: &email,
                subject: &format!("{subject_prefix} {subject}"),
                body: &body,
                dedupe_key: Some(&key),
            },
            now,
        )
        .await
        .map_err(|e| PartError::Storage(th_storage::StorageError::Other(e.to_string())))?;
        n += 1;
    }
    tx.commit().await?;
    Ok(n)
}

/// A personal invitation as its link opens it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Invitation {
    pub id: i64,
    pub campaign_id: i64,
    pub contact_id: i64,
    pub organisation_id: i64,
    pub expires_at: i64,
    pub revoked: bool,
    pub opened_at: Option<i64>,
    pub answered_at: Option<i64>,
    #[serde(skip)]
    devices: String,
}

const INV_COLS: &str = "id, campaign_id, contact_id, organisation_id, expires_at, revoked_at, opened_at, answered_at, devices";

fn inv_from(r: &th_storage::AnyRow) -> Invitation {
    Invitation {
        id: r.get(0),
        campaign_id: r.get(1),
        contact_id: r.get(2),
        organisation_id: r.get(3),
        expires_at: r.get(4),
        revoked: r.get::<Option<i64>, _>(5).is_some(),
        opened_at: r.get(6),
        answered_at: r.get(7),
        devices: r.get(8),
    }
}

/// What opening a link leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum Opened {
    /// No such link (or not on this tenant).
    Unknown,
    Expired,
    Revoked,
    /// This device may answer. `new_device` is a secret to remember (cookie) on a first open.
    Ok {
        invitation: Invitation,
        new_device: Option<String>,
    },
    /// Another device opened the link first: a code sent to the contact unlocks this one.
    NeedsCode {
        invitation: Invitation,
    },
}

pub async fn find(db: &Db, t: TenantId, token: &str) -> Result<Option<Invitation>> {
    let h = th_auth::token_hash(token);
    let r = sqlx::query(&format!("SELECT {INV_COLS} FROM part_invitations WHERE tenant_id = $1 AND (token_hash = $2 OR extra_tokens LIKE $3)"))
        .bind(t.0)
        .bind(&h)
        .bind(format!("%,{h},%"))
        .fetch_optional(db.pool())
        .await?;
    Ok(r.as_ref().map(inv_from))
}

/// Opens a personal link from a device that presents `device` (its remembered secret, if any).
pub async fn open(
    db: &Db,
    t: TenantId,
    token: &str,
    device: Option<&str>,
    now: i64,
) -> Result<Opened> {
    let Some(inv) = find(db, t, token).await? else {
        return Ok(Opened::Unknown);
    };
    if inv.revoked {
        return Ok(Opened::Revoked);
    }
    if inv.expires_at <= now {
        return Ok(Opened::Expired);
    }
    let known = |d: &str| {
        inv.devices
            .split(',')
            .any(|h| !h.is_empty() && h == th_auth::token_hash(d))
    };
    if let Some(d) = device.filter(|d| known(d)) {
        let _ = d;
        return Ok(Opened::Ok {
            invitation: inv,
            new_device: None,
        });
    }
    if inv.devices.is_empty() {
        let secret = th_auth::random_token();
        // The first device to open the link owns it (the UPDATE only succeeds once).
        let n = sqlx::query("UPDATE part_invitations SET devices = $1, opened_at = COALESCE(opened_at, $2) WHERE id = $3 AND devices = ''")
            .bind(format!(",{},", th_auth::token_hash(&secret)))
            .bind(now)
            .bind(inv.id)
            .execute(db.pool())
            .await?
            .rows_affected();
        if n == 1 {
            return Ok(Opened::Ok {
                invitation: inv,
                new_device: Some(secret),
            });
        }
    }
    Ok(Opened::NeedsCode { invitation: inv })
}

/// Makes a six-digit code for a second device, valid 15 minutes; the caller mails it.
pub async fn issue_code(db: &Db, inv: &Invitation, now: i64) -> Result<String> {
    let n = u32::from_str_radix(&th_auth::random_token()[..8], 16).unwrap_or(0) % 1_000_000;
    let code = format!("{n:06}");
    sqlx::query("UPDATE part_invitations SET code_hash = $1, code_expires_at = $2 WHERE id = $3")
        .bind(th_auth::token_hash(&code))
        .bind(now + 15 * 60)
        .bind(inv.id)
        .execute(db.pool())
        .await?;
    Ok(code)
}

/// Checks a second-device code; on success returns this device's secret (the code is used up).
pub async fn redeem_code(
    db: &Db,
    inv: &Invitation,
    code: &str,
    now: i64,
) -> Result<Option<String>> {
    let secret = th_auth::random_token();
    let n = sqlx::query("UPDATE part_invitations SET devices = devices || $1, code_hash = NULL, code_expires_at = NULL WHERE id = $2 AND code_hash = $3 AND code_expires_at > $4")
        .bind(format!(",{},", th_auth::token_hash(&secret)))
        .bind(inv.id)
        .bind(th_auth::token_hash(code.trim()))
        .bind(now)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok((n == 1).then_some(secret))
}

pub async fn revoke(db: &Db, t: TenantId, invitation_id: i64, now: i64) -> Result<bool> {
    let n = sqlx::query("UPDATE part_invitations SET revoked_at = $1 WHERE id = $2 AND tenant_id = $3 AND revoked_at IS NULL")
        .bind(now)
        .bind(invitation_id)
        .bind(t.0)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn contact_email(db: &Db, t: TenantId, contact_id: i64) -> Result<String> {
    let r = sqlx::query("SELECT email FROM part_contacts WHERE tenant_id = $1 AND id = $2")
        .bind(t.0)
        .bind(contact_id)
        .fetch_one(db.pool())
        .await?;
    Ok(r.get(0))
}

/// One row of a campaign's statistics.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub invited: i64,
    pub sent: i64,
    pub failed: i64,
    pub opened: i64,
    pub answered: i64,
}

/// Totals, and the same by kind of organisation and by municipality. Counting happens in
/// SQL; only the messages not yet sent are looked at one by one (few after delivery).
pub async fn stats(
    db: &Db,
    t: TenantId,
    campaign_id: i64,
) -> Result<(Stats, Vec<(String, Stats)>, Vec<(String, Stats)>)> {
    type Key = (String, String);
    let groups: Vec<(Key, i64, i64, i64, i64)> = sqlx::query("SELECT o.kind, o.municipality, COUNT(*), COUNT(i.opened_at), COUNT(i.answered_at), COUNT(CASE WHEN i.mailed = 1 THEN 1 END) FROM part_invitations i JOIN part_organisations o ON o.id = i.organisation_id WHERE i.campaign_id = $1 AND i.tenant_id = $2 GROUP BY o.kind, o.municipality")
        .bind(campaign_id)
        .bind(t.0)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2), r.get(3), r.get(4), r.get(5)))
        .collect();
    let prefix = format!("invitation:{campaign_id}:");
    let unsent: std::collections::HashMap<i64, String> = th_mail::unsent_by_prefix(db, t, &prefix)
        .await
        .map_err(|e| PartError::Storage(th_storage::StorageError::Other(e.to_string())))?
        .into_iter()
        .filter_map(|(k, s)| {
            k.strip_prefix(&prefix)
                .and_then(|c| c.parse().ok())
                .map(|c| (c, s))
        })
        .collect();
    // Where the unsent ones belong (the whole campaign only while it is being delivered).
    let mut unsent_by_group: std::collections::HashMap<Key, (i64, i64)> = Default::default();
    if !unsent.is_empty() {
        for r in sqlx::query("SELECT i.contact_id, o.kind, o.municipality FROM part_invitations i JOIN part_organisations o ON o.id = i.organisation_id WHERE i.campaign_id = $1 AND i.tenant_id = $2 AND i.mailed = 1")
            .bind(campaign_id)
            .bind(t.0)
            .fetch_all(db.pool())
            .await?
        {
            if let Some(status) = unsent.get(&r.get::<i64, _>(0)) {
                let e = unsent_by_group.entry((r.get(1), r.get(2))).or_default();
                if status == "failed" {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
        }
    }
    let mut total = Stats::default();
    let mut by_kind: std::collections::BTreeMap<String, Stats> = Default::default();
    let mut by_m: std::collections::BTreeMap<String, Stats> = Default::default();
    for (key, invited, opened, answered, mailed) in groups {
        let (failed, pending) = unsent_by_group.get(&key).copied().unwrap_or((0, 0));
        let add = |s: &mut Stats| {
            s.invited += invited;
            s.sent += mailed - failed - pending;
            s.failed += failed;
            s.opened += opened;
            s.answered += answered;
        };
        add(&mut total);
        add(by_kind.entry(key.0.clone()).or_default());
        add(by_m.entry(key.1.clone()).or_default());
    }
    Ok((
        total,
        by_kind.into_iter().collect(),
        by_m.into_iter().collect(),
    ))
}

/// How many contacts a filter selects (without reading them).
pub async fn recipient_count(db: &Db, t: TenantId, f: &CampaignFilter) -> Result<i64> {
    let mut sql = String::from("SELECT COUNT(*) FROM part_contacts c JOIN part_organisations o ON o.id = c.organisation_id WHERE c.tenant_id = $1 AND c.email <> ''");
    let mut binds: Vec<String> = vec![];
    let mut list = |col: &str, values: Vec<String>, sql: &mut String| {
        if values.is_empty() {
            return;
        }
        let ph: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, _)| format!("${}", binds.len() + i + 2))
            .collect();
        sql.push_str(&format!(" AND {col} IN ({})", ph.join(", ")));
        binds.extend(values);
    };
    list("o.kind", f.kinds.clone(), &mut sql);
    list("o.municipality", f.municipalities.clone(), &mut sql);
    if !f.fields.is_empty() {
        let ors: Vec<String> = f
            .fields
            .iter()
            .enumerate()
            .map(|(i, _)| format!("o.fields LIKE ${}", binds.len() + i + 2))
            .collect();
        sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        binds.extend(f.fields.iter().map(|n| format!("%,{n},%")));
    }
    let mut q = sqlx::query(&sql).bind(t.0);
    for b in &binds {
        q = q.bind(b);
    }
    Ok(q.fetch_one(db.pool()).await?.get(0))
}

pub(crate) async fn mark_answered(tx: &mut Tx, invitation_id: i64, now: i64) -> Result<()> {
    sqlx::query(
        "UPDATE part_invitations SET answered_at = COALESCE(answered_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(invitation_id)
    .execute(tx.conn())
    .await?;
    Ok(())
}
