//! Typed views of a recording's technical metadata, built by destructuring
//! the stored record so a new field does not compile until someone decides
//! who may see it.
//!
//! Technical metadata is seen where the item is open to the reader (as its
//! media type is); this module must not consult consent itself.

use serde::Serialize;

use super::super::Decision;
use crate::media::Technical;

/// A recording's technical metadata as `show` prints it; `duration` in
/// seconds.
#[derive(Debug, Clone, Serialize)]
pub struct RecordingView {
    pub duration: Option<f64>,
    pub container: Option<String>,
    pub codec: Option<String>,
    pub sample_rate: Option<i64>,
    pub channels: Option<i64>,
    pub bit_depth: Option<i64>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub read_by: String,
    pub problem: Option<String>,
}

/// The recording as this reader may see it: only on an open item.
pub fn recording(decision: &Decision, t: Technical) -> Option<RecordingView> {
    let Technical {
        duration_ms,
        container,
        codec,
        sample_rate,
        channels,
        bit_depth,
        width,
        height,
        reader,
        problem,
    } = t;
    matches!(decision, Decision::Open(_)).then(|| RecordingView {
        duration: duration_ms.map(|ms| ms as f64 / 1000.0),
        container,
        codec,
        sample_rate,
        channels,
        bit_depth,
        width,
        height,
        read_by: reader,
        problem,
    })
}
