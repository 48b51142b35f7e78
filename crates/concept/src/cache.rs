//! A per-process cache of whole versions. Each lookup reads the version's row (one indexed
//! query) and reuses the cached copy only if its revision is unchanged, so a change made
//! through any node is seen at once by every node.

use crate::{load, versions, Result, Status, Version, VersionInfo};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use th_core::TenantId;
use th_storage::Db;

#[derive(Default)]
pub struct Cache {
    map: RwLock<HashMap<(i64, i64), Arc<Version>>>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("concept::Cache")
    }
}

impl Cache {
    pub fn new() -> Self {
        Self::default()
    }

    async fn get(&self, db: &Db, t: TenantId, info: &VersionInfo) -> Result<Option<Arc<Version>>> {
        let key = (t.0, info.id);
        if let Ok(map) = self.map.read() {
            if let Some(v) = map.get(&key).filter(|v| v.info == *info) {
                return Ok(Some(v.clone()));
            }
        }
        let Some(v) = load(db, t, info.id).await? else {
            return Ok(None);
        };
        let v = Arc::new(v);
        if let Ok(mut map) = self.map.write() {
            map.insert(key, v.clone());
        }
        Ok(Some(v))
    }

    /// The version the public sees: the adopted one, else the newest.
    pub async fn current(&self, db: &Db, t: TenantId) -> Result<Option<Arc<Version>>> {
        let all = versions(db, t).await?;
        match all
            .iter()
            .find(|v| v.status == Status::Adopted)
            .or_else(|| all.first())
        {
            Some(info) => self.get(db, t, info).await,
            None => Ok(None),
        }
    }

    pub async fn by_number(
        &self,
        db: &Db,
        t: TenantId,
        number: i64,
    ) -> Result<Option<Arc<Version>>> {
        let all = versions(db, t).await?;
        match all.iter().find(|v| v.number == number) {
            Some(info) => self.get(db, t, info).await,
            None => Ok(None),
        }
    }
}
