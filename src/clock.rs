//! The current time, in one place, so tests can move it.
//!
//! `CUSTOS_NOW` (RFC 3339) overrides the system clock: embargo boundaries and
//! event timestamps are then reproducible. It must not be used for anything
//! but reading "now".

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Now, in UTC.
pub fn now() -> DateTime<Utc> {
    std::env::var("CUSTOS_NOW")
        .ok()
        .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

/// Now as stored in the catalogue: RFC 3339, UTC, second precision.
pub fn now_rfc3339() -> String {
    now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn today() -> NaiveDate {
    now().date_naive()
}
