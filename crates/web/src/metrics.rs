//! Operations: request ids and structured request logs, Prometheus metrics, health.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub duration: Histogram,
    next_id: AtomicU64,
    node: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "teilhabe_http_requests",
            "HTTP requests answered",
            requests.clone(),
        );
        let duration =
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0]);
        registry.register(
            "teilhabe_http_request_duration_seconds",
            "Time to answer HTTP requests",
            duration.clone(),
        );
        let node = format!("{:x}", std::process::id());
        Self {
            registry,
            requests,
            duration,
            next_id: AtomicU64::new(1),
            node,
        }
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    fn request_id(&self) -> String {
        format!(
            "{}-{}",
            self.node,
            self.next_id.fetch_add(1, Ordering::Relaxed)
        )
    }
}

/// Gives every request an id, logs it as structured data, and counts it.
pub async fn track(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(str::to_string)
        .unwrap_or_else(|| app.metrics.request_id());
    if let Ok(v) = HeaderValue::from_str(&id) {
        req.headers_mut().insert("x-request-id", v);
    }
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let status = res.status().as_u16();
    let secs = start.elapsed().as_secs_f64();
    let route = res
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or(route);
    app.metrics
        .requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route,
            status,
        })
        .inc();
    app.metrics.duration.observe(secs);
    let path = redact_path(&path);
    tracing::info!(request_id = %id, %method, %path, status, ms = secs * 1000.0, "request");
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// The path as it may go to the log: secrets in links (invitations, registrations) are
/// replaced, and query strings are left out.
pub fn redact_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or("");
    let mut out: Vec<&str> = vec![];
    let mut secret_next = false;
    for seg in path.split('/') {
        if secret_next && !seg.is_empty() {
            out.push("…");
        } else {
            out.push(seg);
        }
        secret_next = matches!(
            seg,
            "einladung" | "anmeldung" | "invitations" | "registrations"
        );
    }
    out.join("/")
}

pub async fn healthz(State(app): State<AppState>) -> Response {
    match th_storage::sqlx::query("SELECT 1")
        .execute(app.db.pool())
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            [(header::CACHE_CONTROL, "no-store")],
            "ok\n",
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

/// Prometheus metrics: for the configured bearer token, or (without one) for clients on
/// loopback only, since they describe the whole installation.
pub async fn metrics(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
    axum::Extension(client): axum::Extension<crate::ctx::ClientAddr>,
) -> Response {
    let allowed = match &app.config.metrics_token {
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|v| v.trim() == token),
        None => {
            client.0 == "local"
                || client
                    .0
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    };
    if !allowed {
        return (StatusCode::FORBIDDEN, "metrics are for operators\n").into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.encode(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_paths_stay_out_of_the_log() {
        use super::redact_path as r;
        assert_eq!(r("/einladung/abc123/code"), "/einladung/…/code");
        assert_eq!(r("/anmeldung/tok?neu=1"), "/anmeldung/…");
        assert_eq!(r("/api/v1/registrations/tok"), "/api/v1/registrations/…");
        assert_eq!(
            r("/api/v1/invitations/tok/device"),
            "/api/v1/invitations/…/device"
        );
        assert_eq!(r("/konzept/handlungsfeld/4"), "/konzept/handlungsfeld/4");
    }
}
