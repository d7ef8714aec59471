//! What every request handler reads from: the pool of read snapshots, the
//! level anonymous readers get, and the one writer connection that keeps
//! the research access log. Handlers run their (blocking) reads on
//! tokio's blocking threads through [`AppState::read`], one snapshot per
//! call; log writes queue on the writer's mutex, never on a reader.
//!
//! Searches borrow from the pool's heavy lane, which leaves archives to
//! item pages; a request whose future is dropped (its time limit fired)
//! cancels its read, interrupting the SQL, so the archive returns at once.
//! The whole-collection counts (facets, home holdings) are kept per level,
//! catalogue version and day in [`LevelCache`], and computed in the
//! background when missing, so no request waits for them; pages of search
//! results are kept in [`super::results::Results`] under the same key.
//!
//! It holds no rows of its own and decides nothing about visibility: a
//! cached value is what the level's own report returned.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;

use custos::archive::pool::{Borrowed, Cancel, Lane, ReadPool};
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
    /// Searches waiting for the heavy lane wait here, as tasks, not on
    /// the pool as blocked threads: a queue of searches must not hold
    /// the threads item pages read on.
    heavy: tokio::sync::Semaphore,
    root: PathBuf,
    /// The level of a reader without a token: never custodian (the
    /// command line refuses it).
    anonymous: Access,
    /// Opened at the first research read that must be logged.
    writer: Mutex<Option<Archive>>,
    summaries: LevelCache<super::pages::Summary>,
    results: super::results::Results<super::search::Outcome>,
}

impl AppState {
    pub fn new(pool: ReadPool, anonymous: Access) -> AppState {
        let root = pool.root().to_path_buf();
        AppState {
            inner: Arc::new(Inner {
                heavy: tokio::sync::Semaphore::new(pool.heavy_max()),
                pool,
                root,
                anonymous,
                writer: Mutex::new(None),
                summaries: LevelCache::default(),
                results: Default::default(),
            }),
        }
    }

    pub fn anonymous(&self) -> Access {
        self.inner.anonymous
    }

    /// Runs `f` over one fresh read snapshot, off the async threads, in
    /// the pool's light lane (short reads: item pages, tokens).
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Archive) -> Result<T> + Send + 'static,
    {
        self.read_in(Lane::Light, move |b| f(b)).await
    }

    /// As [`AppState::read`], in the heavy lane (searches, whole-collection
    /// counts), with the borrowed archive's catalogue version at hand.
    pub async fn read_heavy<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Borrowed<'_>) -> Result<T> + Send + 'static,
    {
        let _turn = self
            .inner
            .heavy
            .acquire()
            .await
            .map_err(|e| Error::Failed(format!("a request failed: {e}")))?;
        self.read_in(Lane::Heavy, f).await
    }

    async fn read_in<T, F>(&self, lane: Lane, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Borrowed<'_>) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        let cancel = Arc::new(Cancel::new());
        // Dropped with this future when the time limit fires: the read
        // then stops where it is instead of running on unseen.
        let _on_drop = CancelOnDrop(Arc::clone(&cancel));
        tokio::task::spawn_blocking(move || inner.pool.lend(lane, &cancel, f))
            .await
            .map_err(|e| Error::Failed(format!("a request failed: {e}")))?
    }

    /// The level's whole-collection counts at the catalogue state
    /// `version` names (read on the snapshot `compute` reads), from the
    /// cache or computed by `compute`; not kept when `version` is None.
    pub fn summary(
        &self,
        version: Option<u64>,
        access: Access,
        today: NaiveDate,
        compute: impl FnOnce() -> Result<super::pages::Summary>,
    ) -> Result<Arc<super::pages::Summary>> {
        self.inner
            .summaries
            .get_or_compute(access, version, today, compute)
    }

    /// The level's counts at `version` on `today`, if computed.
    pub fn summary_ready(
        &self,
        version: Option<u64>,
        access: Access,
        today: NaiveDate,
    ) -> Option<Arc<super::pages::Summary>> {
        self.inner.summaries.lookup(access, version?, today)
    }

    /// Whether the caller should start computing the level's counts:
    /// true for one caller until [`AppState::counted`] is called, so a
    /// burst of readers starts one computation, not one each.
    pub fn claim_counting(&self, access: Access) -> bool {
        self.inner.summaries.claim(access)
    }

    pub fn counted(&self, access: Access) {
        self.inner.summaries.release(access);
    }

    pub fn results(&self) -> &super::results::Results<super::search::Outcome> {
        &self.inner.results
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

/// Cancels a read when the request's future is dropped.
struct CancelOnDrop(Arc<Cancel>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        // After a completed read this is a no-op: the archive is back.
        self.0.cancel();
    }
}

/// One value per access level, valid for one catalogue version on one
/// day: a write (any commit) gives a new version, and midnight may end an
/// embargo or a restriction, so neither may be served from before it.
/// Each level's value is computed at that level; a level never reads
/// another's entry.
pub struct LevelCache<T> {
    entries: Mutex<HashMap<Access, Entry<T>>>,
    /// One computation at a time: concurrent misses wait for it rather
    /// than each recomputing the same counts.
    computing: Mutex<()>,
    /// Levels whose counts a background task is computing.
    claimed: Mutex<HashSet<Access>>,
}

struct Entry<T> {
    version: u64,
    day: NaiveDate,
    value: Arc<T>,
}

impl<T> Default for LevelCache<T> {
    fn default() -> Self {
        LevelCache {
            entries: Mutex::new(HashMap::new()),
            computing: Mutex::new(()),
            claimed: Mutex::new(HashSet::new()),
        }
    }
}

impl<T> LevelCache<T> {
    /// Marks `access` as being computed; false if it already is.
    pub fn claim(&self, access: Access) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(access)
    }

    pub fn release(&self, access: Access) {
        self.claimed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&access);
    }

    pub fn lookup(&self, access: Access, version: u64, day: NaiveDate) -> Option<Arc<T>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&access)
            .filter(|e| e.version == version && e.day == day)
            .map(|e| Arc::clone(&e.value))
    }

    /// The value for `access` at `version` on `day`; `compute` must read
    /// that version at that level. With no known version (a commit landed
    /// as the snapshot was taken) the value is computed and not kept.
    pub fn get_or_compute(
        &self,
        access: Access,
        version: Option<u64>,
        day: NaiveDate,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<Arc<T>> {
        let Some(version) = version else {
            return compute().map(Arc::new);
        };
        if let Some(v) = self.lookup(access, version, day) {
            return Ok(v);
        }
        let _one = self
            .computing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = self.lookup(access, version, day) {
            return Ok(v);
        }
        let value = Arc::new(compute()?);
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                access,
                Entry {
                    version,
                    day,
                    value: Arc::clone(&value),
                },
            );
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn levels_never_share_an_entry() {
        let cache: LevelCache<String> = LevelCache::default();
        let runs = Cell::new(0);
        let get = |access: Access| {
            cache
                .get_or_compute(access, Some(7), day(29), || {
                    runs.set(runs.get() + 1);
                    Ok(format!("counted at {access}"))
                })
                .unwrap()
        };
        assert_eq!(*get(Access::Public), "counted at public");
        // Same version, same day: research computes its own.
        assert_eq!(*get(Access::Research), "counted at research");
        assert_eq!(runs.get(), 2);
        assert_eq!(*get(Access::Public), "counted at public");
        assert_eq!(*get(Access::Research), "counted at research");
        assert_eq!(runs.get(), 2, "each level's entry is reused");
    }

    #[test]
    fn a_new_version_a_new_day_or_an_unknown_version_recomputes() {
        let cache: LevelCache<u64> = LevelCache::default();
        let runs = Cell::new(0u64);
        let get = |version: Option<u64>, d: NaiveDate| {
            *cache
                .get_or_compute(Access::Public, version, d, || {
                    runs.set(runs.get() + 1);
                    Ok(runs.get())
                })
                .unwrap()
        };
        assert_eq!(get(Some(1), day(28)), 1);
        assert_eq!(get(Some(1), day(28)), 1);
        assert_eq!(get(Some(2), day(28)), 2, "a commit invalidates");
        assert_eq!(get(Some(2), day(29)), 3, "midnight invalidates");
        assert_eq!(get(None, day(29)), 4, "an unknown version is computed");
        assert_eq!(get(Some(2), day(29)), 3, "and not kept");
        // A failed computation keeps nothing either.
        let failed = cache.get_or_compute(Access::Public, Some(9), day(29), || {
            Err(Error::Failed("interrupted".into()))
        });
        assert!(failed.is_err());
        assert_eq!(get(Some(9), day(29)), 5);
    }

    #[tokio::test]
    async fn a_read_dropped_at_its_time_limit_returns_its_archive() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("a");
        custos::archive::Archive::init(
            &root,
            &custos::archive::InitOptions {
                default_access: Access::Public,
                intake: custos::model::Intake::Open,
            },
        )
        .unwrap();
        let state = AppState::new(ReadPool::open(&root, 1).unwrap(), Access::Public);
        // The only archive is held, so the read waits for it...
        let held = state.inner.pool.get().unwrap();
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let r = Arc::clone(&ran);
        let timed = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            state.read(move |_| {
                r.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }),
        )
        .await;
        assert!(timed.is_err(), "the time limit fired");
        drop(held);
        // ...and, cancelled by the time limit, never runs: the archive is
        // back in the pool for the next request.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
        let t = std::time::Instant::now();
        state.read(|_| Ok(())).await.unwrap();
        assert!(t.elapsed() < std::time::Duration::from_secs(2));
    }
}
