//! The computing side of live conversations. Every node runs [`Worker::tick`] a few times a
//! second; for each conversation that changed since its stored result, the node that holds (or
//! takes) the lease loads only the new votes into the matrix it keeps in memory, updates the
//! model off the request path (warm starts) and stores the result, which every node then shows.
//! A node that takes over starts from the stored model, so the map does not jump.

use crate::analysis::Model;
use crate::matrix::Conversation;
use crate::store::{self, Result, Status};
use std::collections::HashMap;
use std::sync::Arc;
use th_core::{Clock, TenantId};
use th_storage::Db;
use tokio::sync::Mutex;

/// How long a node keeps the right to compute a conversation without renewing it.
pub const LEASE_SECS: i64 = 30;

struct Live {
    conv: Conversation,
    model: Model,
    /// Highest vote sequence loaded.
    seq: i64,
}

pub struct Worker {
    node: String,
    states: Mutex<HashMap<i64, Live>>,
}

/// What one tick did, for logs and metrics.
#[derive(Debug, Default, Clone)]
pub struct Tick {
    pub computed: usize,
    pub millis: u64,
    /// Conversations that failed (each is logged; the others are still computed).
    pub failed: Vec<(i64, String)>,
}

impl Worker {
    pub fn new(node: impl Into<String>) -> Arc<Self> {
        Arc::new(Worker {
            node: node.into(),
            states: Mutex::new(HashMap::new()),
        })
    }

    /// Computes every changed conversation this node holds (or can take) the lease for. One
    /// conversation's failure does not stop the others.
    pub async fn tick(&self, db: &Db, clock: &dyn Clock) -> Result<Tick> {
        let mut out = Tick::default();
        for (t, id, seq) in store::due(db).await? {
            if !store::claim(db, t, id, &self.node, clock.now(), LEASE_SECS).await? {
                // Another node computes it; forget any stale copy.
                self.states.lock().await.remove(&id);
                continue;
            }
            let started = std::time::Instant::now();
            match self.compute(db, t, id, seq, clock).await {
                Ok(()) => {
                    out.computed += 1;
                    out.millis += started.elapsed().as_millis() as u64;
                }
                Err(e) => {
                    // Start from the database next time.
                    self.states.lock().await.remove(&id);
                    out.failed.push((id, e.to_string()));
                }
            }
        }
        Ok(out)
    }

    async fn compute(
        &self,
        db: &Db,
        t: TenantId,
        id: i64,
        seq: i64,
        clock: &dyn Clock,
    ) -> Result<()> {
        let Some(row) = store::get(db, t, id).await? else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        let taken = self.states.lock().await.remove(&id);
        let mut live = match taken {
            Some(l) => l,
            None => {
                let model = store::stored_model(db, t, id)
                    .await?
                    .unwrap_or_else(|| Model::new(row.seed as u64));
                Live {
                    conv: Conversation::new(),
                    model,
                    seq: -1,
                }
            }
        };
        // Votes first (up to the sequence this result will stand for), then the statements:
        // every statement a loaded vote is on exists by then.
        let votes = store::votes_between(db, t, id, live.seq, seq).await?;
        for s in store::math_statements(&store::statements(db, t, id).await?, row.strict) {
            live.conv.statement(s);
        }
        let mut lost = false;
        for (p, s, v, vs) in votes {
            lost |= !live.conv.vote(p, s, v);
            live.seq = live.seq.max(vs);
        }
        if lost {
            // A vote on a statement the math does not know: load everything again next time.
            return Err(store::Error::Json(format!(
                "conversation {id}: a vote on an unknown statement"
            )));
        }
        let (live, analysis) = tokio::task::spawn_blocking(move || {
            let mut live = live;
            let a = live.model.update(&live.conv, false);
            (live, a)
        })
        .await
        .map_err(|e| store::Error::Json(e.to_string()))?;
        let millis = started.elapsed().as_millis() as i64;
        // Renew the lease with the clock as it is now (a long computation may outlast it).
        if !store::claim(db, t, id, &self.node, clock.now(), LEASE_SECS).await? {
            return Ok(());
        }
        store::save_result(
            db,
            t,
            id,
            seq,
            &analysis,
            &live.model,
            &self.node,
            clock.now(),
            millis,
        )
        .await?;
        if row.status == Status::Open {
            self.states.lock().await.insert(id, live);
        }
        Ok(())
    }
}
