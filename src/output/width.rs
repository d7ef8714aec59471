//! How wide a table may be: `COLUMNS` when the user set it, else the
//! terminal's width, else none (a pipe gets unwrapped rows, one per line,
//! so tools downstream see whole values).
//!
//! It only measures; it never decides what a table holds.

use std::io::IsTerminal;

/// Below this a table of three columns cannot show a word per cell; a
/// pty that reports 0×0 (some CI runners, `script`) gets the classic 80.
const MIN_WIDTH: u16 = 40;
const FALLBACK_WIDTH: u16 = 80;

/// The width tables are laid out for, or None for unwrapped output.
pub fn table_width() -> Option<u16> {
    let columns = std::env::var("COLUMNS").ok();
    let terminal = std::io::stdout().is_terminal();
    let measured = if terminal { terminal_width() } else { None };
    choose(columns.as_deref(), terminal, measured)
}

fn terminal_width() -> Option<u16> {
    let mut t = comfy_table::Table::new();
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.width()
}

/// `COLUMNS` (a positive number) wins, as in ls and git; then the
/// terminal's own width; a terminal that cannot say gets 80.
fn choose(columns: Option<&str>, terminal: bool, measured: Option<u16>) -> Option<u16> {
    if let Some(n) = columns.and_then(|c| c.trim().parse::<u16>().ok()) {
        if n > 0 {
            return Some(n.max(MIN_WIDTH));
        }
    }
    if !terminal {
        return None;
    }
    Some(match measured {
        Some(w) if w > 0 => w.max(MIN_WIDTH),
        _ => FALLBACK_WIDTH,
    })
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn columns_wins_and_has_a_floor() {
        assert_eq!(choose(Some("100"), false, None), Some(100));
        assert_eq!(choose(Some("100"), true, Some(200)), Some(100));
        assert_eq!(choose(Some("10"), false, None), Some(40));
    }

    #[test]
    fn a_pipe_without_columns_is_unwrapped() {
        assert_eq!(choose(None, false, None), None);
        assert_eq!(choose(Some("0"), false, None), None);
        assert_eq!(choose(Some("wide"), false, None), None);
    }

    #[test]
    fn a_terminal_that_reports_nothing_gets_80() {
        assert_eq!(choose(None, true, Some(0)), Some(80));
        assert_eq!(choose(None, true, None), Some(80));
        assert_eq!(choose(None, true, Some(132)), Some(132));
        assert_eq!(choose(None, true, Some(20)), Some(40));
    }
}
