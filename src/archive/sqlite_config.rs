//! Process-wide SQLite settings, made once before the first connection
//! opens. SQLite accepts them only before it initialises, so `main` calls
//! [`configure`] first; a call after a connection has opened changes
//! nothing and is harmless. It must not change anything a catalogue file
//! records: only how this process's library allocates.

use std::sync::Once;

/// Turns off SQLite's memory statistics. With them on, every allocation
/// and free inside SQLite takes one process-wide mutex to update the
/// counters, and the portal's pooled readers, each on its own thread,
/// queue on it (seen in a profile under load as futex wake-ups from
/// `dbMallocRawFinish`). custos never reads those counters, and sets no
/// soft heap limit (which would need them): memory is bounded per
/// connection by its page cache instead.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config is documented as callable before
        // sqlite3_initialize and otherwise returns SQLITE_MISUSE without
        // effect; SQLITE_CONFIG_MEMSTATUS takes one int argument.
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0);
        }
    });
}
