//! What every request handler reads from: the pool of read snapshots and
//! the level anonymous readers get. Handlers run their (blocking) reads on
//! tokio's blocking threads through [`AppState::read`], one snapshot per
//! call.
//!
//! It holds no rows and decides nothing about visibility.

use std::sync::Arc;

use custos::archive::pool::ReadPool;
use custos::archive::Archive;
use custos::error::{Error, Result};
use custos::model::Access;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    pool: ReadPool,
    /// The level of a reader without a token: never custodian (the
    /// command line refuses it).
    anonymous: Access,
}

impl AppState {
    pub fn new(pool: ReadPool, anonymous: Access) -> AppState {
        AppState {
            inner: Arc::new(Inner { pool, anonymous }),
        }
    }

    pub fn anonymous(&self) -> Access {
        self.inner.anonymous
    }

    /// Runs `f` over one fresh read snapshot, off the async threads.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let archive = inner.pool.get()?;
            f(&archive)
        })
        .await
        .map_err(|e| Error::Failed(format!("a request failed: {e}")))?
    }
}
