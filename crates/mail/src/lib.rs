//! E-mail through an outbox table: modules enqueue inside their own transaction; a background
//! worker on every node claims due rows (row locks with SKIP LOCKED on PostgreSQL, so each
//! message goes to exactly one node), sends them over SMTP (lettre), and records the result.
//! Retries back off exponentially; permanent failures the server reports stay visible.

pub mod testsmtp;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::SinglePart;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use th_core::TenantId;
use th_storage::{sqlx, Db, Row, Tx};

pub const MAX_ATTEMPTS: i64 = 8;
/// How long a node may hold a claimed message before another node may take it over.
pub const LEASE_SECS: i64 = 120;
/// SMTP sessions a node keeps open at once while delivering.
pub const PARALLEL_SESSIONS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("invalid address: {0}")]
    Address(String),
}

impl From<sqlx::Error> for MailError {
    fn from(e: sqlx::Error) -> Self {
        MailError::Storage(th_storage::StorageError::Sql(e))
    }
}

/// Where e-mail goes. `url` is `smtp://host:port` (plain, for a local relay),
/// `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://user:pass@host:465`
/// (TLS from the start); certificates are checked against the Web PKI roots.
#[derive(Clone, Debug)]
pub struct SmtpConfig {
    pub url: String,
    pub from: String,
}

impl SmtpConfig {
    /// Accepts a URL as above, or `HOST:PORT` for a plain local relay.
    pub fn parse(spec: &str, from: &str) -> Result<Self, MailError> {
        let url = if spec.contains("://") {
            spec.to_string()
        } else {
            format!("smtp://{spec}")
        };
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| MailError::Address(format!("SMTP server {spec:?}: {e}")))?;
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| MailError::Address(format!("sender {from:?}: {e}")))?;
        Ok(Self {
            url,
            from: from.to_string(),
        })
    }

    /// A plain local relay on loopback (tests).
    pub fn local(port: u16, from: &str) -> Self {
        Self {
            url: format!("smtp://127.0.0.1:{port}"),
            from: from.to_string(),
        }
    }
}

pub struct Outgoing<'a> {
    pub tenant: TenantId,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// At most one message per key is ever enqueued (e.g. "invitation:17:contact:4").
    pub dedupe_key: Option<&'a str>,
}

/// Puts a message into the outbox inside the caller's transaction. Returns false when a
/// message with the same dedupe key exists already.
pub async fn enqueue(tx: &mut Tx, m: Outgoing<'_>, now: i64) -> Result<bool, MailError> {
    let r = sqlx::query("INSERT INTO mail_outbox (tenant_id, recipient, subject, body, dedupe_key, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) ON CONFLICT (dedupe_key) DO NOTHING")
        .bind(m.tenant.0)
        .bind(m.recipient)
        .bind(m.subject)
        .bind(m.body)
        .bind(m.dedupe_key)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(r.rows_affected() == 1)
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// The tenant's outbox, newest first (coordinators see failures here).
pub async fn outbox(db: &Db, t: TenantId, limit: i64) -> Result<Vec<OutboxEntry>, MailError> {
    let rows = sqlx::query("SELECT id, recipient, subject, status, attempts, last_error, created_at, sent_at FROM mail_outbox WHERE tenant_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(t.0)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| OutboxEntry {
            id: r.get(0),
            recipient: r.get(1),
            subject: r.get(2),
            status: r.get(3),
            attempts: r.get(4),
            last_error: r.get(5),
            created_at: r.get(6),
            sent_at: r.get(7),
        })
        .collect())
}

#[derive(Clone)]
struct Claimed {
    id: i64,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
}

async fn claim(db: &Db, node: &str, now: i64) -> Result<Vec<Claimed>, MailError> {
    let sql = format!(
        "UPDATE mail_outbox SET status = 'sending', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM mail_outbox WHERE (status = 'pending' AND next_attempt_at <= $3) \
         OR (status = 'sending' AND locked_until < $3) ORDER BY id LIMIT 100{}) \
         RETURNING id, recipient, subject, body, attempts",
        db.skip_locked()
    );
    let mut tx = db.begin().await?;
    let rows = sqlx::query(&sql)
        .bind(node)
        .bind(now + LEASE_SECS)
        .bind(now)
        .fetch_all(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(rows
        .iter()
        .map(|r| Claimed {
            id: r.get(0),
            recipient: r.get(1),
            subject: r.get(2),
            body: r.get(3),
            attempts: r.get(4),
        })
        .collect())
}

/// Claims and sends what is due; returns how many were sent.
pub async fn deliver_due(
    db: &Db,
    smtp: &SmtpConfig,
    node: &str,
    now: i64,
) -> Result<usize, MailError> {
    let batch = claim(db, node, now).await?;
    if batch.is_empty() {
        return Ok(0);
    }
    let transport = match AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url) {
        Ok(b) => b.build(),
        Err(e) => return Err(MailError::Address(format!("SMTP server: {e}"))),
    };
    // Several SMTP sessions at once: each message costs a few round trips (and lettre's
    // separate writes of body and final dot meet delayed ACKs), so one session alone would
    // stay near 25 messages a second.
    let smtp = std::sync::Arc::new(smtp.clone());
    let mut sent = 0;
    for chunk in batch.chunks(PARALLEL_SESSIONS) {
        let mut set = tokio::task::JoinSet::new();
        for m in chunk {
            let (transport, smtp, m) = (transport.clone(), smtp.clone(), m.clone());
            set.spawn(async move {
                let r = send_one(&transport, &smtp, &m).await;
                (m, r)
            });
        }
        while let Some(joined) = set.join_next().await {
            let Ok((m, result)) = joined else { continue };
            match result {
                Ok(()) => {
                    sqlx::query("UPDATE mail_outbox SET status = 'sent', sent_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $2")
                        .bind(now)
                        .bind(m.id)
                        .execute(db.pool())
                        .await?;
                    sent += 1;
                }
                Err((permanent, msg)) => {
                    let give_up = permanent || m.attempts >= MAX_ATTEMPTS;
                    let backoff = (30i64 << m.attempts.clamp(0, 7)).min(3600);
                    tracing::warn!(outbox_id = m.id, permanent, error = %msg, "e-mail not delivered");
                    sqlx::query("UPDATE mail_outbox SET status = $1, next_attempt_at = $2, last_error = $3, locked_by = NULL, locked_until = NULL WHERE id = $4")
                        .bind(if give_up { "failed" } else { "pending" })
                        .bind(now + backoff)
                        .bind(msg)
                        .bind(m.id)
                        .execute(db.pool())
                        .await?;
                }
            }
        }
    }
    Ok(sent)
}

async fn send_one(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    smtp: &SmtpConfig,
    m: &Claimed,
) -> Result<(), (bool, String)> {
    let domain = smtp.from.rsplit('@').next().unwrap_or("teilhabe.invalid");
    let msg = Message::builder()
        .from(
            smtp.from
                .parse()
                .map_err(|e| (true, format!("from: {e}")))?,
        )
        .to(m
            .recipient
            .parse()
            .map_err(|e| (true, format!("to: {e}")))?)
        .subject(&m.subject)
        .message_id(Some(format!("<outbox-{}@{}>", m.id, domain)))
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .header(ContentTransferEncoding::QuotedPrintable)
                .body(m.body.clone()),
        )
        .map_err(|e| (true, e.to_string()))?;
    transport
        .send(msg)
        .await
        .map(|_| ())
        .map_err(|e| (e.is_permanent(), e.to_string()))
}

/// Runs the delivery loop until `stop` is set. Every node runs one; the row locks make sure
/// that each message is sent by one of them.
pub async fn run_worker(
    db: Db,
    smtp: SmtpConfig,
    node: String,
    clock: std::sync::Arc<dyn th_core::Clock>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match deliver_due(&db, &smtp, &node, clock.now()).await {
            Ok(n) if n > 0 => tracing::info!(sent = n, "outbox delivered"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox worker"),
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The delivery state of every message whose dedupe key starts with `prefix` (for campaign
/// statistics): key and status (pending, sending, sent, failed).
/// Data minimisation: sent messages older than `before` are deleted; failed ones lose their
/// body (links, names) but keep recipient and status so the failure stays visible.
pub async fn purge(db: &Db, before: i64) -> Result<u64, MailError> {
    let deleted = sqlx::query("DELETE FROM mail_outbox WHERE status = 'sent' AND created_at < $1")
        .bind(before)
        .execute(db.pool())
        .await?
        .rows_affected();
    sqlx::query("UPDATE mail_outbox SET body = '' WHERE status = 'failed' AND created_at < $1 AND body <> ''")
        .bind(before)
        .execute(db.pool())
        .await?;
    Ok(deleted)
}

/// Like [`statuses_by_prefix`], but only the messages not (yet) sent: after a delivery round
/// these are few, so statistics need not read every sent message.
pub async fn unsent_by_prefix(
    db: &Db,
    t: TenantId,
    prefix: &str,
) -> Result<Vec<(String, String)>, MailError> {
    let rows = sqlx::query(
        "SELECT dedupe_key, status FROM mail_outbox WHERE tenant_id = $1 AND dedupe_key LIKE $2 AND status <> 'sent'",
    )
    .bind(t.0)
    .bind(format!("{}%", prefix.replace(['%', '_'], "")))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

pub async fn statuses_by_prefix(
    db: &Db,
    t: TenantId,
    prefix: &str,
) -> Result<Vec<(String, String)>, MailError> {
    let rows = sqlx::query(
        "SELECT dedupe_key, status FROM mail_outbox WHERE tenant_id = $1 AND dedupe_key LIKE $2",
    )
    .bind(t.0)
    .bind(format!("{}%", prefix.replace(['%', '_'], "")))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
