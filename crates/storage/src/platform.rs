//! Platform tables shared by every module: tenants, the region's municipalities, the audit
//! log, the legally required site pages and the feedback sent from them.

use crate::{Db, Result, Tx};
use sqlx::Row;
use th_core::{Locale, TenantId};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tenant {
    pub id: TenantId,
    pub host: Option<String>,
    pub name: String,
    pub is_default: bool,
    pub demo_loaded: bool,
}

fn tenant_from(r: &sqlx::any::AnyRow) -> Tenant {
    Tenant {
        id: TenantId(r.get(0)),
        host: r.get(1),
        name: r.get(2),
        is_default: r.get::<i64, _>(3) != 0,
        demo_loaded: r.get::<i64, _>(4) != 0,
    }
}

const TENANT_COLS: &str = "id, host, name, is_default, demo_loaded";

/// Normalises a host name: lower case, no port, no trailing dot.
pub fn normalise_host(host: &str) -> String {
    let h = host.trim().to_ascii_lowercase();
    let h = if let Some(rest) = h.strip_prefix('[') {
        rest.split(']').next().unwrap_or("").to_string()
    } else {
        h.rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map(|(name, _)| name.to_string())
            .unwrap_or(h)
    };
    h.trim_end_matches('.').to_string()
}

impl Db {
    /// Makes sure the default tenant exists (it answers on every host no other tenant claims).
    pub async fn ensure_default_tenant(&self, now: i64) -> Result<Tenant> {
        if let Some(t) = self.default_tenant().await? {
            return Ok(t);
        }
        sqlx::query(
            "INSERT INTO tenants (host, name, is_default, locales, demo_loaded, created_at) VALUES (NULL, 'Teilhabe', 1, 'de', 0, $1)",
        )
        .bind(now)
        .execute(self.pool())
        .await?;
        self.default_tenant()
            .await?
            .ok_or_else(|| crate::StorageError::Other("default tenant vanished".into()))
    }

    pub async fn default_tenant(&self) -> Result<Option<Tenant>> {
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLS} FROM tenants WHERE is_default = 1 ORDER BY id LIMIT 1"
        ))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(tenant_from))
    }

    /// The tenant that answers on `host`: the one that claims it, else the default tenant.
    pub async fn tenant_for_host(&self, host: &str) -> Result<Option<Tenant>> {
        let host = normalise_host(host);
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLS} FROM tenants WHERE host = $1 OR is_default = 1 ORDER BY is_default ASC, id ASC LIMIT 1"
        ))
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(tenant_from))
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!("SELECT {TENANT_COLS} FROM tenants ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(tenant_from).collect())
    }

    pub async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>> {
        let row = sqlx::query(&format!("SELECT {TENANT_COLS} FROM tenants WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().map(tenant_from))
    }

    /// Adds a tenant that answers on `host`. Fails if the host is taken.
    pub async fn add_tenant(&self, host: &str, name: &str, now: i64) -> Result<Tenant> {
        let host = normalise_host(host);
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(crate::StorageError::Other(format!(
                "{host:?} is not a host name (letters, digits, dots and hyphens)"
            )));
        }
        if name.trim().is_empty() {
            return Err(crate::StorageError::Other("the tenant needs a name".into()));
        }
        let exists = sqlx::query("SELECT id FROM tenants WHERE host = $1")
            .bind(&host)
            .fetch_optional(self.pool())
            .await?;
        if exists.is_some() {
            return Err(crate::StorageError::Other(format!(
                "a tenant already answers on {host}"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO tenants (host, name, is_default, locales, demo_loaded, created_at) VALUES ($1, $2, 0, 'de', 0, $3) RETURNING id",
        )
        .bind(&host)
        .bind(name.trim())
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        let id = TenantId(row.get(0));
        self.tenant(id)
            .await?
            .ok_or_else(|| crate::StorageError::Other("tenant vanished".into()))
    }

    pub async fn tenant_by_host_exact(&self, host: &str) -> Result<Option<Tenant>> {
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLS} FROM tenants WHERE host = $1"
        ))
        .bind(normalise_host(host))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.as_ref().map(tenant_from))
    }

    pub async fn rename_tenant(&self, tx: &mut Tx, id: TenantId, name: &str) -> Result<()> {
        sqlx::query("UPDATE tenants SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    /// Sets the demo flag if it was not set; false when another loader got there first.
    pub async fn claim_demo(&self, tx: &mut Tx, id: TenantId) -> Result<bool> {
        let r = sqlx::query("UPDATE tenants SET demo_loaded = 1 WHERE id = $1 AND demo_loaded = 0")
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        Ok(r.rows_affected() == 1)
    }

    // ---- municipalities ----

    pub async fn add_municipality(&self, tx: &mut Tx, t: TenantId, m: &Municipality) -> Result<()> {
        sqlx::query("INSERT INTO region_municipalities (tenant_id, key, name, population, lat, lon) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(t.0)
            .bind(&m.key)
            .bind(&m.name)
            .bind(m.population)
            .bind(m.lat)
            .bind(m.lon)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub async fn municipalities(&self, t: TenantId) -> Result<Vec<Municipality>> {
        let rows = sqlx::query("SELECT key, name, population, lat, lon FROM region_municipalities WHERE tenant_id = $1 ORDER BY population DESC, name")
            .bind(t.0)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Municipality {
                key: r.get(0),
                name: r.get(1),
                population: r.get(2),
                lat: r.get(3),
                lon: r.get(4),
            })
            .collect())
    }

    // ---- audit log ----

    /// Records a change by a signed-in person, inside the transaction that makes the change.
    pub async fn audit(&self, tx: &mut Tx, entry: AuditEntry<'_>, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO audit_log (tenant_id, actor_user_id, action, object_type, object_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(entry.tenant.0)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.object_type)
            .bind(entry.object_id)
            .bind(entry.detail)
            .bind(now)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub async fn audit_for_object(
        &self,
        t: TenantId,
        object_type: &str,
        object_id: &str,
    ) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT id, actor_user_id, action, object_type, object_id, detail, at FROM audit_log WHERE tenant_id = $1 AND object_type = $2 AND object_id = $3 ORDER BY id DESC")
            .bind(t.0)
            .bind(object_type)
            .bind(object_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(audit_from).collect())
    }

    pub async fn audit_by_actor(&self, t: TenantId, actor: i64) -> Result<Vec<AuditRecord>> {
        let rows = sqlx::query("SELECT id, actor_user_id, action, object_type, object_id, detail, at FROM audit_log WHERE tenant_id = $1 AND actor_user_id = $2 ORDER BY id")
            .bind(t.0)
            .bind(actor)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(audit_from).collect())
    }

    // ---- site pages (Impressum, privacy notice, accessibility statement) ----

    pub async fn site_page(
        &self,
        t: TenantId,
        kind: &str,
        locale: Locale,
    ) -> Result<Option<SitePage>> {
        let rows = sqlx::query("SELECT locale, body, is_demo, updated_at FROM site_pages WHERE tenant_id = $1 AND kind = $2 AND (locale = $3 OR locale = 'de')")
            .bind(t.0)
            .bind(kind)
            .bind(locale.tag())
            .fetch_all(self.pool())
            .await?;
        let pick = rows
            .iter()
            .find(|r| r.get::<String, _>(0) == locale.tag())
            .or_else(|| rows.first());
        Ok(pick.map(|r| SitePage {
            locale: Locale::parse(&r.get::<String, _>(0)).unwrap_or(Locale::De),
            body: r.get(1),
            is_demo: r.get::<i64, _>(2) != 0,
            updated_at: r.get(3),
        }))
    }

    pub async fn put_site_page(
        &self,
        tx: &mut Tx,
        t: TenantId,
        p: NewSitePage<'_>,
        now: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO site_pages (tenant_id, kind, locale, body, is_demo, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, kind, locale) DO UPDATE SET body = excluded.body, is_demo = excluded.is_demo, updated_at = excluded.updated_at")
            .bind(t.0)
            .bind(p.kind)
            .bind(p.locale.tag())
            .bind(p.body)
            .bind(i64::from(p.is_demo))
            .bind(now)
            .execute(tx.conn())
            .await?;
        Ok(())
    }

    pub async fn add_feedback(
        &self,
        tx: &mut Tx,
        t: TenantId,
        page: &str,
        message: &str,
        contact: &str,
        now: i64,
    ) -> Result<i64> {
        let row = sqlx::query("INSERT INTO site_feedback (tenant_id, page, message, contact, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(t.0)
            .bind(page)
            .bind(message)
            .bind(contact)
            .bind(now)
            .fetch_one(tx.conn())
            .await?;
        Ok(row.get(0))
    }

    pub async fn feedback(&self, t: TenantId) -> Result<Vec<Feedback>> {
        let rows = sqlx::query("SELECT id, page, message, contact, created_at FROM site_feedback WHERE tenant_id = $1 ORDER BY id DESC")
            .bind(t.0)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Feedback {
                id: r.get(0),
                page: r.get(1),
                message: r.get(2),
                contact: r.get(3),
                created_at: r.get(4),
            })
            .collect())
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Municipality {
    pub key: String,
    pub name: String,
    pub population: i64,
    pub lat: f64,
    pub lon: f64,
}

pub struct AuditEntry<'a> {
    pub tenant: TenantId,
    pub actor: Option<i64>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub detail: &'a str,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub actor: Option<i64>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
    pub at: i64,
}

fn audit_from(r: &sqlx::any::AnyRow) -> AuditRecord {
    AuditRecord {
        id: r.get(0),
        actor: r.get(1),
        action: r.get(2),
        object_type: r.get(3),
        object_id: r.get(4),
        detail: r.get(5),
        at: r.get(6),
    }
}

/// A site page's text in one locale, as written.
pub struct NewSitePage<'a> {
    pub kind: &'a str,
    pub locale: Locale,
    pub body: &'a str,
    pub is_demo: bool,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct SitePage {
    pub locale: Locale,
    pub body: String,
    pub is_demo: bool,
    pub updated_at: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Feedback {
    pub id: i64,
    pub page: String,
    pub message: String,
    pub contact: String,
    pub created_at: i64,
}

#[cfg(test)]
mod tests {
    use super::normalise_host;

    #[test]
    fn hosts_are_normalised() {
        assert_eq!(normalise_host("Hannover.Example:8080"), "hannover.example");
        assert_eq!(normalise_host("127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(normalise_host("[::1]:8080"), "::1");
        assert_eq!(normalise_host("example.org."), "example.org");
    }
}
