//! Ctrl-C (SIGINT) or SIGTERM during an import: a request to stop cleanly,
//! not a kill.
//!
//! The first signal only sets a flag. The import then draws no new chunk,
//! its workers leave files they have not yet stored untouched, and every
//! object already renamed into `objects/` is committed with its rows by the
//! writer, so nothing is left untracked and the staging folder is removed
//! as on any return. A second signal while stopping ends the process at
//! once with exit status 130 (the write protocol keeps even that safe; its
//! leftovers are what `verify --remove-untracked` is for). This module only
//! keeps the flag; it never writes, and it must not be installed by
//! commands that have nothing to stop cleanly.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, Result};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: OnceLock<std::result::Result<(), String>> = OnceLock::new();

/// The reason given for files an interrupted import did not get to.
pub const NOT_REACHED: &str = "not imported: the import was interrupted before this file was stored; run the same import again";

/// Catches SIGINT and SIGTERM for the rest of the process (idempotent).
pub fn install() -> Result<()> {
    INSTALLED
        .get_or_init(|| {
            use signal_hook::consts::{SIGINT, SIGTERM};
            use signal_hook::flag;
            for sig in [SIGINT, SIGTERM] {
                // The shutdown goes first: it fires only once the flag is
                // already set, that is on the second signal.
                flag::register_conditional_shutdown(sig, 130, &REQUESTED)
                    .and_then(|_| flag::register(sig, &REQUESTED))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        })
        .clone()
        .map_err(|e| Error::Failed(format!("cannot catch Ctrl-C for a clean stop: {e}")))
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
