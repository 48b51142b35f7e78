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
    }
    Ok(())
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
