//! Work that runs on its own on every node, once a minute: event reminders, the erasure of
//! personal data whose retention has run out, and forum digests. Every job is safe when
//! several nodes run it at once (dedupe keys in the outbox, claims in the same transaction).

use crate::AppState;
use th_participation::event::{self, Mailer};

const DAY: i64 = 86_400;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub reminders: usize,
    pub erased_processes: usize,
    pub digests: usize,
    pub reverify_reminders: usize,
}

/// One round of every job for every tenant. A tenant whose jobs fail does not stop the others;
/// the first error is returned after all tenants had their turn.
pub async fn tick(app: &AppState) -> Result<Report, String> {
    let mut r = Report::default();
    let mut first_error = None;
    // Sent e-mails hold names and personal links: kept 30 days for questions, then deleted.
    if let Err(e) = th_mail::purge(&app.db, app.now() - 30 * DAY).await {
        first_error = Some(format!("outbox purge: {e}"));
    }
    for tenant in app.db.tenants().await.map_err(|e| e.to_string())? {
        if let Err(e) = tenant_round(app, &tenant, &mut r).await {
            tracing::warn!(tenant = tenant.id.0, error = %e, "background jobs failed for a tenant");
            first_error.get_or_insert(e);
        }
    }
    if r.reminders > 0 || r.digests > 0 {
        tracing::info!(
            reminders = r.reminders,
            digests = r.digests,
            "jobs queued e-mails"
        );
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(r),
    }
}

async fn tenant_round(
    app: &AppState,
    tenant: &th_storage::platform::Tenant,
    r: &mut Report,
) -> Result<(), String> {
    let now = app.now();
    {
        let origin = app.config.origin_for(tenant.host.as_deref());
        let mail = Mailer {
            tenant: tenant.id,
            i18n: &app.i18n,
            origin: &origin,
            now,
        };
        r.reminders += event::send_reminders(&app.db, &mail, DAY)
            .await
            .map_err(|e| format!("reminders: {e:?}"))?;
        let erased = th_participation::retention::run(&app.db, tenant.id, now)
            .await
            .map_err(|e| format!("retention: {e:?}"))?;
        for e in &erased {
            th_opinion::store::unlink_process(&app.db, tenant.id, e.process_id)
                .await
                .map_err(|e| format!("opinion maps: {e}"))?;
            let mut tx = app.db.begin().await.map_err(|e| e.to_string())?;
            app.db
                .audit(
                    &mut tx,
                    th_storage::platform::AuditEntry {
                        tenant: tenant.id,
                        actor: None,
                        action: "erase_personal_data",
                        object_type: "process",
                        object_id: &e.process_id.to_string(),
                        detail: &serde_json::to_string(e).unwrap_or_default(),
                    },
                    now,
                )
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            tracing::info!(
                process = e.process_id,
                contributions = e.contributions,
                registrations = e.registrations,
                posts = e.posts,
                "personal data erased after the retention period"
            );
        }
        r.erased_processes += erased.len();
        r.digests += th_participation::forum::send_digests(&app.db, &mail)
            .await
            .map_err(|e| format!("digests: {e:?}"))?;
        r.reverify_reminders += reverify_reminders(app, tenant.id, &origin, now).await?;
    }
    Ok(())
}

/// Asks the contacts of organisations whose Wegweiser entries were not verified for the
/// tenant's period to confirm or correct them; each entry is claimed once, on one node.
async fn reverify_reminders(
    app: &AppState,
    t: th_core::TenantId,
    origin: &str,
    now: i64,
) -> Result<usize, String> {
    let due = th_directory::claim_reverification_due(&app.db, t, now)
        .await
        .map_err(|e| format!("re-verification: {e:?}"))?;
    let mut n = 0;
    for (service, org, name) in due {
        let contacts = th_participation::contacts(&app.db, t, org)
            .await
            .map_err(|e| format!("re-verification contacts: {e:?}"))?;
        let de = th_core::Locale::De;
        let subject = app.i18n.ta(
            de,
            "admin-guide-reverify-subject",
            &[("name", name.clone().into())],
        );
        let body = app.i18n.ta(
            de,
            "admin-guide-reverify-body",
            &[
                ("name", name.clone().into()),
                (
                    "link",
                    format!("{origin}/organisation/{org}/angebote").into(),
                ),
            ],
        );
        let mut tx = app.db.begin().await.map_err(|e| e.to_string())?;
        for c in contacts.iter().filter(|c| !c.email.is_empty()) {
            let key = format!("reverify:{service}:{now}:{}", c.id);
            th_mail::enqueue(
                &mut tx,
                th_mail::Outgoing {
                    tenant: t,
                    recipient: &c.email,
                    subject: &subject,
                    body: &body,
                    dedupe_key: Some(&key),
                },
                now,
            )
            .await
            .map_err(|e| e.to_string())?;
            n += 1;
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    Ok(n)
}

/// Keeps this node's Wegweiser indexes up to date: builds every tenant's index at start, then
/// every two seconds applies what other nodes changed (the directory revision).
pub async fn run_index(app: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    if let Ok(tenants) = app.db.tenants().await {
        for t in tenants {
            if let Err(e) = app.guide.get(&app.db, t.id).await {
                tracing::warn!(tenant = t.id.0, error = ?e, "building the search index failed");
            }
        }
    }
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        if let Err(e) = app.guide.refresh_all(&app.db).await {
            tracing::warn!(error = ?e, "refreshing the search index failed");
        }
    }
}

/// Runs [`tick`] every minute until `stop` turns true.
pub async fn run(app: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if let Err(e) = tick(&app).await {
            tracing::warn!(error = %e, "background jobs failed; trying again in a minute");
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// Keeps the opinion maps up to date: twice a second, the conversations that changed since
/// their stored result are updated by the node that holds their lease (`th_opinion::live`).
pub async fn run_opinion(app: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    let node = format!(
        "{}-{}",
        std::process::id(),
        th_auth::random_token().get(..8).unwrap_or("node")
    );
    let worker = th_opinion::live::Worker::new(node);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        match worker.tick(&app.db, app.clock.as_ref()).await {
            Ok(t) => {
                if t.computed > 0 {
                    tracing::debug!(
                        computed = t.computed,
                        millis = t.millis,
                        "opinion maps updated"
                    );
                }
                for (conversation, error) in t.failed {
                    tracing::warn!(conversation, %error, "updating an opinion map failed");
                }
            }
            Err(e) => tracing::warn!(error = %e, "updating the opinion maps failed"),
        }
    }
}
