//! The web layer: the only crate that knows requests. Server-rendered HTML (maud, KERN UX)
//! that works without JavaScript, the JSON API under `/api/v1` with its OpenAPI document,
//! and operations endpoints. Every route is registered through [`routes::table`], which also
//! carries its access rule, so the authorisation matrix is one readable list.

pub mod assets;
pub mod authz;
pub mod ctx;
pub mod error;
pub mod forms;
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
    /// Where links in e-mails point (scheme and host), when the request does not say.
    pub public_base: Option<String>,
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
        })
    }
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
