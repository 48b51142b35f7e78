//! The report of a process: who was invited and who answered (by kind of organisation and by
//! municipality), what was contributed (by field of action and kind), and who came to the
//! events (by kind). Numbers only: nothing in it identifies a person.

use crate::contribution::ContributionKind;
use crate::{OrgKind, Result};
use std::collections::BTreeMap;
use th_core::TenantId;
use th_storage::{sqlx, Db, Row};

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Reach {
    pub invited: i64,
    pub answered: i64,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Report {
    pub process_id: i64,
    /// Organisations invited and answering, over all the process's campaigns.
    pub reach: Reach,
    pub reach_by_kind: BTreeMap<String, Reach>,
    pub reach_by_municipality: BTreeMap<String, Reach>,
    pub contributions: i64,
    /// field number → kind key → count (a contribution counts once for each of its fields).
    pub contributions_by_field: BTreeMap<i64, BTreeMap<String, i64>>,
    pub contributions_by_kind: BTreeMap<String, i64>,
    pub events: i64,
    pub attendance_by_kind: BTreeMap<String, i64>,
    pub erased_at: Option<i64>,
}

pub async fn report(db: &Db, t: TenantId, process: i64) -> Result<Option<Report>> {
    let Some(p) =
        sqlx::query("SELECT erased_at FROM part_processes WHERE tenant_id = $1 AND id = $2")
            .bind(t.0)
            .bind(process)
            .fetch_optional(db.pool())
            .await?
    else {
        return Ok(None);
    };
    let mut r = Report {
        process_id: process,
        erased_at: p.get(0),
        ..Default::default()
    };
    for k in OrgKind::ALL {
        r.reach_by_kind
            .insert(k.key().to_string(), Reach::default());
    }
    // One row per organisation: invited once, answered when any of its links answered.
    let rows = sqlx::query("SELECT o.id, o.kind, o.municipality, MAX(CASE WHEN i.answered_at IS NULL THEN 0 ELSE 1 END) FROM part_invitations i JOIN part_campaigns c ON c.id = i.campaign_id JOIN part_organisations o ON o.id = i.organisation_id WHERE c.tenant_id = $1 AND c.process_id = $2 GROUP BY o.id, o.kind, o.municipality")
        .bind(t.0)
        .bind(process)
        .fetch_all(db.pool())
        .await?;
    for row in rows {
        let kind: String = row.get(1);
        let m: String = row.get(2);
        let answered: i64 = row.get(3);
        for reach in [
            &mut r.reach,
            r.reach_by_kind.entry(kind).or_default(),
            r.reach_by_municipality.entry(m).or_default(),
        ] {
            reach.invited += 1;
            reach.answered += answered;
        }
    }
    for k in ContributionKind::ALL {
        r.contributions_by_kind.insert(k.key().to_string(), 0);
    }
    let rows = sqlx::query(
        "SELECT kind, fields FROM part_contributions WHERE tenant_id = $1 AND process_id = $2",
    )
    .bind(t.0)
    .bind(process)
    .fetch_all(db.pool())
    .await?;
    for row in rows {
        let kind: String = row.get(0);
        let fields: String = row.get(1);
        r.contributions += 1;
        *r.contributions_by_kind.entry(kind.clone()).or_insert(0) += 1;
        for f in fields.split(',').filter_map(|f| f.parse::<i64>().ok()) {
            *r.contributions_by_field
                .entry(f)
                .or_default()
                .entry(kind.clone())
                .or_insert(0) += 1;
        }
    }
    r.events =
        sqlx::query("SELECT COUNT(*) FROM part_events WHERE tenant_id = $1 AND process_id = $2")
            .bind(t.0)
            .bind(process)
            .fetch_one(db.pool())
            .await?
            .get(0);
    r.attendance_by_kind = crate::event::attendance_of_process(db, t, process).await?;
    Ok(Some(r))
}
