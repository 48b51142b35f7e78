//! Accounts: users and roles, passwords (argon2id), sessions, second factor (TOTP), one-time
//! links, personal API tokens, consent records, rate limits, and the person's own data
//! (export and erasure). Secrets are stored only as SHA-256 hashes.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};
use th_core::{Email, Locale, Role, TenantId};
use th_storage::{Db, Row, Tx};

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Storage(#[from] th_storage::StorageError),
    #[error("an account with this e-mail address exists already")]
    EmailTaken,
    #[error("wrong e-mail address or password")]
    BadCredentials,
    #[error("too many attempts; try again later")]
    RateLimited,
    #[error("password hashing failed")]
    Hash,
    #[error("{0}")]
    Invalid(&'static str),
}

impl From<th_storage::sqlx::Error> for AuthError {
    fn from(e: th_storage::sqlx::Error) -> Self {
        AuthError::Storage(th_storage::StorageError::Sql(e))
    }
}

pub type Result<T, E = AuthError> = std::result::Result<T, E>;

/// How long a session lasts.
pub const SESSION_SECS: i64 = 12 * 3600;
/// Failed logins allowed in [`RATE_WINDOW_SECS`]: for one account from one client address,
/// for one account from anywhere (high, so that strangers cannot lock a person out), and
/// from one client address for any account.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ACCOUNT_ANYWHERE: i64 = 50;
pub const MAX_FAILURES_PER_IP: i64 = 30;
pub const RATE_WINDOW_SECS: i64 = 15 * 60;
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub tenant: TenantId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locale: Locale,
    pub email_confirmed: bool,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub has_password: bool,
    pub created_at: i64,
}

const USER_COLS: &str = "id, tenant_id, email, display_name, role, locale, email_confirmed_at, totp_enabled, password_hash, created_at";

fn user_from(r: &th_storage::AnyRow) -> User {
    User {
        id: r.get(0),
        tenant: TenantId(r.get(1)),
        email: r.get(2),
        display_name: r.get(3),
        role: Role::parse(&r.get::<String, _>(4)).unwrap_or(Role::Participant),
        locale: Locale::parse(&r.get::<String, _>(5)).unwrap_or(Locale::De),
        email_confirmed: r.get::<Option<i64>, _>(6).is_some(),
        totp_enabled: r.get::<i64, _>(7) != 0,
        has_password: !r.get::<String, _>(8).is_empty(),
        created_at: r.get(9),
    }
}

/// A random secret as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// Secrets (session ids, link and API tokens) are stored as their SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|_| AuthError::Hash)
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).ok().is_some_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks a new password; the code is a message-catalog key suffix.
pub fn check_password(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n == 0 {
        Err("required")
    } else if n < MIN_PASSWORD_CHARS {
        Err("password_short")
    } else if n > 200 {
        Err("too_long")
    } else {
        Ok(())
    }
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub display_name: &'a str,
    /// None: the account gets no password yet (set through a one-time link).
    pub password: Option<&'a str>,
    pub role: Role,
    pub locale: Locale,
    pub email_confirmed: bool,
}

pub async fn create_user(tx: &mut Tx, tenant: TenantId, u: NewUser<'_>, now: i64) -> Result<User> {
    let exists =
        th_storage::sqlx::query("SELECT id FROM auth_users WHERE tenant_id = $1 AND email = $2")
            .bind(tenant.0)
            .bind(u.email.as_str())
            .fetch_optional(tx.conn())
            .await?;
    if exists.is_some() {
        return Err(AuthError::EmailTaken);
    }
    let hash = match u.password {
        Some(p) => hash_password(p)?,
        None => String::new(),
    };
    let row = th_storage::sqlx::query(
        "INSERT INTO auth_users (tenant_id, email, display_name, password_hash, role, locale, email_confirmed_at, totp_enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) RETURNING id",
    )
    .bind(tenant.0)
    .bind(u.email.as_str())
    .bind(u.display_name.trim())
    .bind(hash)
    .bind(u.role.as_str())
    .bind(u.locale.tag())
    .bind(u.email_confirmed.then_some(now))
    .bind(now)
    .fetch_one(tx.conn())
    .await?;
    let id: i64 = row.get(0);
    Ok(User {
        id,
        tenant,
        email: u.email.to_string(),
        display_name: u.display_name.trim().to_string(),
        role: u.role,
        locale: u.locale,
        email_confirmed: u.email_confirmed,
        totp_enabled: false,
        has_password: u.password.is_some(),
        created_at: now,
    })
}

pub async fn user(db: &Db, tenant: TenantId, id: i64) -> Result<Option<User>> {
    let r = th_storage::sqlx::query(&format!(
        "SELECT {USER_COLS} FROM auth_users WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant.0)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.as_ref().map(user_from))
}

pub async fn user_by_email(db: &Db, tenant: TenantId, email: &Email) -> Result<Option<User>> {
    let r = th_storage::sqlx::query(&format!(
        "SELECT {USER_COLS} FROM auth_users WHERE tenant_id = $1 AND email = $2"
    ))
    .bind(tenant.0)
    .bind(email.as_str())
    .fetch_optional(db.pool())
    .await?;
    Ok(r.as_ref().map(user_from))
}

pub async fn users(db: &Db, tenant: TenantId) -> Result<Vec<User>> {
    let rows = th_storage::sqlx::query(&format!(
        "SELECT {USER_COLS} FROM auth_users WHERE tenant_id = $1 ORDER BY id"
    ))
    .bind(tenant.0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(user_from).collect())
}

// ---- rate limits (in the database, so that every node counts the same attempts) ----

async fn rate_count(db: &Db, bucket: &str, key: &str, since: i64) -> Result<i64> {
    let r = th_storage::sqlx::query(
        "SELECT COUNT(*) FROM auth_rate_events WHERE bucket = $1 AND key = $2 AND at > $3",
    )
    .bind(bucket)
    .bind(key)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(r.get(0))
}

/// Records one event in a rate bucket.
pub async fn rate_record(db: &Db, bucket: &str, key: &str, now: i64) -> Result<()> {
    th_storage::sqlx::query("INSERT INTO auth_rate_events (bucket, key, at) VALUES ($1, $2, $3)")
        .bind(bucket)
        .bind(key)
        .bind(now)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Whether `key` has used up `limit` events in the last `window` seconds.
pub async fn rate_exceeded(
    db: &Db,
    bucket: &str,
    key: &str,
    limit: i64,
    window: i64,
    now: i64,
) -> Result<bool> {
    Ok(rate_count(db, bucket, key, now - window).await? >= limit)
}

/// Forgets rate events older than a day.
pub async fn rate_prune(db: &Db, now: i64) -> Result<()> {
    th_storage::sqlx::query("DELETE FROM auth_rate_events WHERE at < $1")
        .bind(now - 86_400)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Checks e-mail and password, counting failures per account and per client address.
pub async fn authenticate(
    db: &Db,
    tenant: TenantId,
    email: &str,
    password: &str,
    client: &str,
    now: i64,
) -> Result<User> {
    let account_key = format!("{}:{}", tenant.0, email.trim().to_lowercase());
    let pair_key = format!("{account_key}|{client}");
    if rate_exceeded(
        db,
        "login-account-ip",
        &pair_key,
        MAX_FAILURES_PER_ACCOUNT,
        RATE_WINDOW_SECS,
        now,
    )
    .await?
        || rate_exceeded(
            db,
            "login-account",
            &account_key,
            MAX_FAILURES_PER_ACCOUNT_ANYWHERE,
            RATE_WINDOW_SECS,
            now,
        )
        .await?
        || rate_exceeded(
            db,
            "login-ip",
            client,
            MAX_FAILURES_PER_IP,
            RATE_WINDOW_SECS,
            now,
        )
        .await?
    {
        return Err(AuthError::RateLimited);
    }
    let found = match Email::parse(email) {
        Ok(e) => {
            let r = th_storage::sqlx::query(&format!(
                "SELECT {USER_COLS} FROM auth_users WHERE tenant_id = $1 AND email = $2"
            ))
            .bind(tenant.0)
            .bind(e.as_str())
            .fetch_optional(db.pool())
            .await?;
            match r {
                Some(r) => {
                    let hash: String = r.get(8);
                    Some((user_from(&r), hash))
                }
                None => None,
            }
        }
        Err(_) => None,
    };
    let ok = match &found {
        Some((u, hash)) => u.email_confirmed && verify_password(password, hash),
        None => {
            // Spend the same time as a real check so that timing does not reveal accounts.
            let _ = hash_password(password);
            false
        }
    };
    match (ok, found) {
        (true, Some((u, _))) => Ok(u),
        _ => {
            rate_record(db, "login-account-ip", &pair_key, now).await?;
            rate_record(db, "login-account", &account_key, now).await?;
            rate_record(db, "login-ip", client, now).await?;
            Err(AuthError::BadCredentials)
        }
    }
}

/// Checks a signed-in person's own password (to confirm erasure), without touching the login
/// limits; its own limit stops guessing.
pub async fn confirm_password(db: &Db, user: &User, password: &str, now: i64) -> Result<bool> {
    let key = user.id.to_string();
    if rate_exceeded(db, "confirm-password", &key, 5, RATE_WINDOW_SECS, now).await? {
        return Err(AuthError::RateLimited);
    }
    let r = th_storage::sqlx::query("SELECT password_hash FROM auth_users WHERE id = $1")
        .bind(user.id)
        .fetch_optional(db.pool())
        .await?;
    let ok = r.is_some_and(|r| verify_password(password, &r.get::<String, _>(0)));
    if !ok {
        rate_record(db, "confirm-password", &key, now).await?;
    }
    Ok(ok)
}

// ---- sessions ----

#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub second_factor_done: bool,
    pub expires_at: i64,
}

/// Starts a session and returns the token for the cookie.
pub async fn create_session(
    db: &Db,
    user: &User,
    second_factor_done: bool,
    now: i64,
) -> Result<String> {
    let token = random_token();
    th_storage::sqlx::query("INSERT INTO auth_sessions (token_hash, tenant_id, user_id, second_factor_done, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(token_hash(&token))
        .bind(user.tenant.0)
        .bind(user.id)
        .bind(i64::from(second_factor_done))
        .bind(now)
        .bind(now + SESSION_SECS)
        .execute(db.pool())
        .await?;
    Ok(token)
}

/// The session behind a cookie token on this tenant, if it is valid.
pub async fn session(db: &Db, tenant: TenantId, token: &str, now: i64) -> Result<Option<Session>> {
    let r = th_storage::sqlx::query(&format!(
        "SELECT s.second_factor_done, s.expires_at, {} FROM auth_sessions s JOIN auth_users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.tenant_id = $2 AND s.expires_at > $3",
        USER_COLS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
    ))
    .bind(token_hash(token))
    .bind(tenant.0)
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.map(|r| {
        let second: i64 = r.get(0);
        let expires_at: i64 = r.get(1);
        let user = User {
            id: r.get(2),
            tenant: TenantId(r.get(3)),
            email: r.get(4),
            display_name: r.get(5),
            role: Role::parse(&r.get::<String, _>(6)).unwrap_or(Role::Participant),
            locale: Locale::parse(&r.get::<String, _>(7)).unwrap_or(Locale::De),
            email_confirmed: r.get::<Option<i64>, _>(8).is_some(),
            totp_enabled: r.get::<i64, _>(9) != 0,
            has_password: !r.get::<String, _>(10).is_empty(),
            created_at: r.get(11),
        };
        Session {
            user,
            second_factor_done: second != 0,
            expires_at,
        }
    }))
}

pub async fn mark_second_factor_done(db: &Db, token: &str) -> Result<()> {
    th_storage::sqlx::query(
        "UPDATE auth_sessions SET second_factor_done = 1 WHERE token_hash = $1",
    )
    .bind(token_hash(token))
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn end_session(db: &Db, token: &str) -> Result<()> {
    th_storage::sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn end_all_sessions(tx: &mut Tx, user_id: i64) -> Result<()> {
    th_storage::sqlx::query("DELETE FROM auth_sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

// ---- second factor (TOTP, RFC 6238) ----

fn totp_for(secret_b32: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .ok()?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes).ok()
}

/// A new random TOTP secret in base32.
pub fn new_totp_secret() -> String {
    let mut b = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut b);
    totp_rs::Secret::Raw(b.to_vec()).to_encoded().to_string()
}

/// The current code for a secret (used by tests and the demo documentation).
pub fn totp_code(secret_b32: &str, now: i64) -> Option<String> {
    totp_for(secret_b32).map(|t| t.generate(now.max(0) as u64))
}

/// Checks a code, allowing one step of clock skew either way.
pub fn totp_check(secret_b32: &str, code: &str, now: i64) -> bool {
    totp_step(secret_b32, code, now).is_some()
}

/// The time step a code belongs to (one step of skew either way), if it is right.
pub fn totp_step(secret_b32: &str, code: &str, now: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let t = totp_for(secret_b32)?;
    let now = now.max(30);
    [now - 30, now, now + 30]
        .into_iter()
        .find(|ts| t.generate(*ts as u64) == code)
        .map(|ts| ts / 30)
}

/// Checks a person's code and uses it up: the same code (or an older one) never works again.
pub async fn totp_use(
    db: &Db,
    user_id: i64,
    secret_b32: &str,
    code: &str,
    now: i64,
) -> Result<bool> {
    let Some(step) = totp_step(secret_b32, code, now) else {
        return Ok(false);
    };
    let r = th_storage::sqlx::query(
        "UPDATE auth_users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The otpauth URI an authenticator app reads.
pub fn totp_uri(secret_b32: &str, issuer: &str, account: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}",
        enc(issuer),
        enc(account),
        secret_b32,
        enc(issuer)
    )
}

pub async fn totp_secret(db: &Db, user_id: i64) -> Result<Option<String>> {
    let r = th_storage::sqlx::query("SELECT totp_secret FROM auth_users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(r.and_then(|r| r.get::<Option<String>, _>(0)))
}

/// Stores a secret; `enabled` once the person has proved they hold it.
pub async fn set_totp(db: &Db, user_id: i64, secret: &str, enabled: bool) -> Result<()> {
    th_storage::sqlx::query(
        "UPDATE auth_users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3",
    )
    .bind(secret)
    .bind(i64::from(enabled))
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

// ---- one-time links (confirm e-mail, reset or set password) ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    Confirm,
    Reset,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Confirm => "confirm",
            LinkPurpose::Reset => "reset",
        }
    }
}

pub async fn create_link(
    db: &Db,
    user: &User,
    purpose: LinkPurpose,
    ttl: i64,
    now: i64,
) -> Result<String> {
    let token = random_token();
    th_storage::sqlx::query("INSERT INTO auth_links (token_hash, tenant_id, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(token_hash(&token))
        .bind(user.tenant.0)
        .bind(user.id)
        .bind(purpose.as_str())
        .bind(now)
        .bind(now + ttl)
        .execute(db.pool())
        .await?;
    Ok(token)
}

/// Whether a link is valid (without using it up).
pub async fn peek_link(
    db: &Db,
    tenant: TenantId,
    token: &str,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<i64>> {
    let r = th_storage::sqlx::query("SELECT user_id FROM auth_links WHERE token_hash = $1 AND tenant_id = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $4")
        .bind(token_hash(token))
        .bind(tenant.0)
        .bind(purpose.as_str())
        .bind(now)
        .fetch_optional(db.pool())
        .await?;
    Ok(r.map(|r| r.get(0)))
}

/// Uses a link up; returns its user once, never twice.
pub async fn consume_link(
    tx: &mut Tx,
    tenant: TenantId,
    token: &str,
    purpose: LinkPurpose,
    now: i64,
) -> Result<Option<i64>> {
    let r = th_storage::sqlx::query("UPDATE auth_links SET used_at = $1 WHERE token_hash = $2 AND tenant_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at > $1 RETURNING user_id")
        .bind(now)
        .bind(token_hash(token))
        .bind(tenant.0)
        .bind(purpose.as_str())
        .fetch_optional(tx.conn())
        .await?;
    Ok(r.map(|r| r.get(0)))
}

/// Voids every open link of a purpose (after a password reset, older reset links stop working).
pub async fn void_links(tx: &mut Tx, user_id: i64, purpose: LinkPurpose, now: i64) -> Result<()> {
    th_storage::sqlx::query("UPDATE auth_links SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn confirm_email(tx: &mut Tx, user_id: i64, now: i64) -> Result<()> {
    th_storage::sqlx::query("UPDATE auth_users SET email_confirmed_at = $1 WHERE id = $2 AND email_confirmed_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, user_id: i64, password: &str) -> Result<()> {
    th_storage::sqlx::query("UPDATE auth_users SET password_hash = $1 WHERE id = $2")
        .bind(hash_password(password)?)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn set_locale(db: &Db, user_id: i64, locale: Locale) -> Result<()> {
    th_storage::sqlx::query("UPDATE auth_users SET locale = $1 WHERE id = $2")
        .bind(locale.tag())
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Changes the name a person shows (a pseudonym is fine).
pub async fn set_display_name(db: &Db, user_id: i64, name: &str) -> Result<()> {
    th_storage::sqlx::query("UPDATE auth_users SET display_name = $1 WHERE id = $2")
        .bind(name.trim())
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

// ---- consent ----

#[derive(Clone, Debug, serde::Serialize)]
pub struct Consent {
    pub kind: String,
    pub text_version: String,
    pub given_at: i64,
}

pub async fn record_consent(
    tx: &mut Tx,
    tenant: TenantId,
    user_id: i64,
    kind: &str,
    text_version: &str,
    now: i64,
) -> Result<()> {
    th_storage::sqlx::query("INSERT INTO auth_consents (tenant_id, user_id, kind, text_version, given_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant.0)
        .bind(user_id)
        .bind(kind)
        .bind(text_version)
        .bind(now)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn consents(db: &Db, user_id: i64) -> Result<Vec<Consent>> {
    let rows = th_storage::sqlx::query(
        "SELECT kind, text_version, given_at FROM auth_consents WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Consent {
            kind: r.get(0),
            text_version: r.get(1),
            given_at: r.get(2),
        })
        .collect())
}

// ---- personal API tokens ----

#[derive(Clone, Debug, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

/// Creates a token; the secret is shown once and stored only as a hash.
pub async fn create_api_token(db: &Db, user: &User, name: &str, now: i64) -> Result<(i64, String)> {
    let secret = format!("thb_{}", random_token());
    let r = th_storage::sqlx::query("INSERT INTO auth_api_tokens (tenant_id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(user.tenant.0)
        .bind(user.id)
        .bind(name.trim())
        .bind(token_hash(&secret))
        .bind(now)
        .fetch_one(db.pool())
        .await?;
    Ok((r.get(0), secret))
}

pub async fn api_tokens(db: &Db, user_id: i64) -> Result<Vec<ApiToken>> {
    let rows = th_storage::sqlx::query("SELECT id, name, created_at, revoked_at, last_used_at FROM auth_api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(db.pool())
        .await?;
    Ok(rows
        .iter()
        .map(|r| ApiToken {
            id: r.get(0),
            name: r.get(1),
            created_at: r.get(2),
            revoked_at: r.get(3),
            last_used_at: r.get(4),
        })
        .collect())
}

/// Revokes one of the user's own tokens; false if there was none to revoke.
pub async fn revoke_api_token(db: &Db, user_id: i64, token_id: i64, now: i64) -> Result<bool> {
    let r = th_storage::sqlx::query("UPDATE auth_api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now)
        .bind(token_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The user a bearer token stands for on this tenant.
pub async fn user_for_api_token(
    db: &Db,
    tenant: TenantId,
    secret: &str,
    now: i64,
) -> Result<Option<User>> {
    let r = th_storage::sqlx::query("SELECT user_id FROM auth_api_tokens WHERE token_hash = $1 AND tenant_id = $2 AND revoked_at IS NULL")
        .bind(token_hash(secret))
        .bind(tenant.0)
        .fetch_optional(db.pool())
        .await?;
    let Some(r) = r else { return Ok(None) };
    let uid: i64 = r.get(0);
    th_storage::sqlx::query("UPDATE auth_api_tokens SET last_used_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(token_hash(secret))
        .execute(db.pool())
        .await?;
    user(db, tenant, uid).await
}

// ---- the person's own data ----

/// Everything this module holds about a person, for the data export.
pub async fn export(db: &Db, u: &User) -> Result<serde_json::Value> {
    Ok(serde_json::json!({
        "account": u,
        "consents": consents(db, u.id).await?,
        "api_tokens": api_tokens(db, u.id).await?,
    }))
}

/// Erases an account: sessions, links and tokens go; the row stays only as an anonymous
/// placeholder so that texts and audit entries that point at it keep their meaning.
pub async fn erase(tx: &mut Tx, u: &User) -> Result<()> {
    for sql in [
        "DELETE FROM auth_sessions WHERE user_id = $1",
        "DELETE FROM auth_links WHERE user_id = $1",
        "DELETE FROM auth_api_tokens WHERE user_id = $1",
        "DELETE FROM auth_consents WHERE user_id = $1",
    ] {
        th_storage::sqlx::query(sql)
            .bind(u.id)
            .execute(tx.conn())
            .await?;
    }
    th_storage::sqlx::query("UPDATE auth_users SET email = $1, display_name = '', password_hash = '', role = 'participant', totp_secret = NULL, totp_enabled = 0, email_confirmed_at = NULL WHERE id = $2")
        .bind(format!("erased-{}@invalid.invalid", u.id))
        .bind(u.id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn totp_round_trip() {
        let s = new_totp_secret();
        let code = totp_code(&s, 1_700_000_000).unwrap();
        assert_eq!(code.len(), 6);
        assert!(totp_check(&s, &code, 1_700_000_000));
        assert!(totp_check(&s, &code, 1_700_000_030), "one step of skew");
        assert!(!totp_check(&s, &code, 1_700_000_300));
        assert!(!totp_check(&s, "000000x", 1_700_000_000));
    }

    #[test]
    fn password_rules() {
        assert_eq!(check_password("short"), Err("password_short"));
        assert!(check_password("long enough password").is_ok());
    }
}
