//! The web layer: the only crate that knows requests. Server-rendered HTML (maud, KERN UX)
//! that works without JavaScript, the JSON API under `/api/v1` with its OpenAPI document,
//! and operations endpoints. Every route is registered through [`routes::table`], which also
//! carries its access rule, so the authorisation matrix is one readable list.

pub mod assets;
pub mod authz;
pub mod ctx;
pub mod error;
pub mod forms;
pub mod jobs;
pub mod layout;
pub mod metrics;
pub mod routes;

mod api;
pub mod openapi;
mod pages;

use std::sync::Arc;
use th_core::Clock;
use th_i18n::Catalogs;
use th_storage::Db;

pub use routes::{router, RouteInfo};

#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure`. Off only when serving plain HTTP on loopback for a demo.
    pub cookie_secure: bool,
    /// The default tenant's public address (scheme, host, port), for links in e-mails. Links
    /// are never built from the request's Host header. Other tenants use their own host name
    /// with this scheme and port.
    pub public_base: Option<String>,
    /// Where the server listens, e.g. `http://127.0.0.1:8080`: the base when none is configured.
    pub listen_origin: String,
    /// A bearer token for `/metrics`; without one, only clients on loopback may read it.
    pub metrics_token: Option<String>,
}

impl WebConfig {
    /// The address links to a tenant start with.
    pub fn origin_for(&self, tenant_host: Option<&str>) -> String {
        let base = self
            .public_base
            .clone()
            .unwrap_or_else(|| self.listen_origin.clone());
        let base = base.trim_end_matches('/').to_string();
        match tenant_host {
            None => base,
            Some(h) => {
                let (scheme, rest) = base.split_once("://").unwrap_or(("https", base.as_str()));
                let port = rest
                    .rsplit_once(':')
                    .map(|(_, p)| p)
                    .filter(|p| p.chars().all(|c| c.is_ascii_digit()));
                match port {
                    Some(p) => format!("{scheme}://{h}:{p}"),
                    None => format!("{scheme}://{h}"),
                }
            }
        }
    }
}

/// Everything a handler needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub i18n: Arc<Catalogs>,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<metrics::Metrics>,
    /// Whole concept versions, checked against their revision on every use.
    pub concepts: Arc<th_concept::Cache>,
    /// The Wegweiser's search indexes on this node, one per tenant, kept up to date from the
    /// database's directory revision.
    pub guide: Arc<th_directory::search::Registry>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: WebConfig) -> Result<Self, String> {
        Ok(Self {
            db,
            i18n: Arc::new(Catalogs::load()?),
            clock,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::new()),
            concepts: Arc::new(th_concept::Cache::new()),
            guide: Arc::new(th_directory::search::Registry::new()),
        })
    }
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

impl AppState {
    /// Writes one audit-log entry for the person acting in `ctx`, in its own transaction.
    pub async fn audit(
        &self,
        ctx: &ctx::Ctx,
        action: &str,
        object_type: &str,
        object_id: i64,
        detail: &str,
    ) -> Result<(), error::AppError> {
        let actor = ctx.user_id().ok_or(error::AppError::Unauthorized)?;
        let mut tx = self.db.begin().await?;
        self.db
            .audit(
                &mut tx,
                th_storage::platform::AuditEntry {
                    tenant: ctx.tenant.id,
                    actor: Some(actor),
                    action,
                    object_type,
                    object_id: &object_id.to_string(),
                    detail,
                },
                self.now(),
            )
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the participation module needs to write e-mails about registrations.
    pub fn mailer<'a>(&'a self, ctx: &'a ctx::Ctx) -> th_participation::event::Mailer<'a> {
        th_participation::event::Mailer {
            tenant: ctx.tenant.id,
            i18n: &self.i18n,
            origin: &ctx.origin,
            now: self.now(),
        }
    }
}
