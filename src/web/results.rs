//! Pages of search results kept for reuse: the same query at the same
//! level, on the same catalogue state and day, answers from memory
//! instead of searching again. The facet links of every page and the
//! holdings of the home page send every reader to the same few searches,
//! and a search for a word in most of a million items costs a second of
//! CPU, which two cores cannot spend sixty times at once.
//!
//! An entry is only ever what the level's own search returned on a
//! snapshot whose state (the head of the chained history) and day are
//! part of the key: a commit or midnight makes every older entry
//! unreachable, and a level never reads another level's entries. It holds
//! at most [`CAPACITY`] pages (least recently used go first), so memory
//! stays bounded whatever readers ask. It decides nothing about
//! visibility.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::NaiveDate;
use lru::LruCache;

use custos::model::Access;

/// Pages kept: a page is twenty rows of titles and snippets, a few KiB.
pub const CAPACITY: usize = 2048;

/// What identifies one page of results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub access: Access,
    /// The catalogue state the page was read on.
    pub version: u64,
    pub day: NaiveDate,
    pub query: String,
    pub page: u64,
    /// How far the page's matches were counted.
    pub counted_to: u64,
}

/// Bounded, shared between requests.
pub struct Results<T> {
    pages: Mutex<LruCache<Key, Arc<T>>>,
}

impl<T> Default for Results<T> {
    fn default() -> Self {
        Results::with_capacity(CAPACITY)
    }
}

impl<T> Results<T> {
    pub fn with_capacity(n: usize) -> Self {
        Results {
            pages: Mutex::new(LruCache::new(
                NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<T>> {
        self.pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .map(Arc::clone)
    }

    pub fn put(&self, key: Key, value: Arc<T>) {
        self.pages
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .put(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(access: Access, version: u64, d: u32, q: &str, page: u64) -> Key {
        Key {
            access,
            version,
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            query: q.into(),
            page,
            counted_to: 20 * page,
        }
    }

    #[test]
    fn an_entry_answers_only_its_own_level_state_day_query_page_and_count() {
        let r: Results<&str> = Results::default();
        r.put(
            key(Access::Research, 7, 29, "kind:letter", 1),
            Arc::new("rows"),
        );
        assert_eq!(
            r.get(&key(Access::Research, 7, 29, "kind:letter", 1))
                .as_deref(),
            Some(&"rows")
        );
        for other in [
            key(Access::Public, 7, 29, "kind:letter", 1),
            key(Access::Research, 8, 29, "kind:letter", 1),
            key(Access::Research, 7, 30, "kind:letter", 1),
            key(Access::Research, 7, 29, "kind:photo", 1),
            key(Access::Research, 7, 29, "kind:letter", 2),
            Key {
                counted_to: 10_000,
                ..key(Access::Research, 7, 29, "kind:letter", 1)
            },
        ] {
            assert!(r.get(&other).is_none(), "{other:?} found another's page");
        }
    }

    #[test]
    fn memory_is_bounded_and_the_least_recently_used_page_goes_first() {
        let r: Results<u64> = Results::with_capacity(3);
        for p in 1..=3 {
            r.put(key(Access::Public, 1, 29, "w", p), Arc::new(p));
        }
        // Page 1 is read again, so page 2 is now the oldest.
        assert!(r.get(&key(Access::Public, 1, 29, "w", 1)).is_some());
        r.put(key(Access::Public, 1, 29, "w", 4), Arc::new(4));
        assert!(r.get(&key(Access::Public, 1, 29, "w", 2)).is_none());
        for p in [1, 3, 4] {
            assert_eq!(
                r.get(&key(Access::Public, 1, 29, "w", p)).as_deref(),
                Some(&p)
            );
        }
    }
}
