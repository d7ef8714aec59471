//! What the batch writes (`edit`, `tag`, `untag`, `access`) share on the
//! command line: turning ids or `--query` into targets, and asking on a
//! terminal before more than 20 items change.

use std::io::IsTerminal;

use custos::cli::BatchArgs;
use custos::error::{Error, Result};
use custos::model::ItemId;
use custos::ops::Targets;

/// A batch larger than this asks on a terminal before it writes.
pub const CONFIRM_ABOVE: usize = 20;

pub fn targets(ids: &[ItemId], query: Option<&str>) -> Result<Targets> {
    Ok(match query {
        Some(q) => Targets::Query(custos::query::parse_line(q)?),
        None => Targets::Ids(ids.to_vec()),
    })
}

/// Whether to ask before this run writes: a real run, without `--yes`,
/// with a person at the terminal to answer.
pub fn should_ask(b: &BatchArgs) -> bool {
    !b.dry_run && !b.yes && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks whether `n` items may change (`what` says how, e.g. "this edits
/// 25 items"); false stops.
pub fn confirm(n: usize, what: &str) -> Result<bool> {
    if n <= CONFIRM_ABOVE {
        return Ok(true);
    }
    eprint!("custos: {what}; go ahead? [y/N] ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| Error::io("stdin", e))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}
