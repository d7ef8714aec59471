//! What every request handler reads from: the pool of read snapshots, the
//! level anonymous readers get, and the one writer connection that keeps
//! the research access log. Handlers run their (blocking) reads on
//! tokio's blocking threads through [`AppState::read`], one snapshot per
//! call; log writes queue on the writer's mutex, never on a reader.
//!
//! It holds no rows and decides nothing about visibility.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use custos::archive::pool::ReadPool;
use custos::archive::{Archive, Mode};
use custos::error::{Error, Result};
use custos::model::{Access, ItemId};
use custos::ops::token::{self, Use, Valid};

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    pool: ReadPool,
    root: PathBuf,
    /// The level of a reader without a token: never custodian (the
    /// command line refuses it).
    anonymous: Access,
    /// Opened at the first research read that must be logged.
    writer: Mutex<Option<Archive>>,
}

impl AppState {
    pub fn new(pool: ReadPool, anonymous: Access) -> AppState {
        let root = pool.root().to_path_buf();
        AppState {
            inner: Arc::new(Inner {
                pool,
                root,
                anonymous,
                writer: Mutex::new(None),
            }),
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

    /// The token a presented secret is, if valid today.
    pub async fn check_token(&self, secret: String) -> Result<Option<Valid>> {
        self.read(move |archive| token::check(archive, &secret, custos::clock::today()))
            .await
    }

    /// Logs a research reader's view or download of `item`. Readers below
    /// research are not logged.
    pub async fn log_use(
        &self,
        access: Access,
        token: Option<i64>,
        item: ItemId,
        what: Use,
    ) -> Result<()> {
        if access != Access::Research {
            return Ok(());
        }
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut guard = inner
                .writer
                .lock()
                .map_err(|_| Error::Failed("the access log's writer failed earlier".into()))?;
            if guard.is_none() {
                *guard = Some(Archive::open(&inner.root, Mode::Write)?);
            }
            match guard.as_mut() {
                Some(w) => token::log_access(w, token, item, what),
                None => Err(Error::Failed("no writer for the access log".into())),
            }
        })
        .await
        .map_err(|e| Error::Failed(format!("logging a research read failed: {e}")))?
    }
}
