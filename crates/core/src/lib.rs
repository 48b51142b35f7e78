//! Shared vocabulary of Teilhabe: locales, roles, e-mail addresses, tenants, time and
//! validation errors. Knows nothing of SQL, HTTP or HTML.

mod email;
mod locale;
pub mod localtime;
mod role;
mod validation;

pub use email::Email;
pub use locale::Locale;
pub use role::Role;
pub use validation::{FieldError, Validation};

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Identity of a tenant (one region or city on an installation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TenantId(pub i64);

/// Time comes in as a parameter so that tests are deterministic.
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }
}

/// A clock that tests move by hand.
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(ts: i64) -> Self {
        Self(Arc::new(AtomicI64::new(ts)))
    }
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Formats a Unix timestamp as an RFC 3339 string (UTC).
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Formats a Unix timestamp as a date `YYYY-MM-DD` (UTC).
pub fn iso_date(ts: i64) -> String {
    rfc3339(ts).chars().take(10).collect()
}
