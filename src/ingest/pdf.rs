//! Searchable text and a title from a PDF's bytes, with lopdf: the text each
//! page's content streams show, in the order they show it, and the title in
//! the document information dictionary (`/Title`) when it is a sensible one.
//!
//! This module must NOT panic out, fail an import, hang, or take unbounded
//! memory, and it touches no file or database. A PDF it cannot read
//! (damaged, truncated, hostile, or encrypted with a user password) yields no
//! text, like any other damaged input; a scanned PDF has no text layer and
//! yields none either, since no OCR is done. lopdf runs on a worker thread
//! of its own, inside `catch_unwind` and with its panic messages silenced,
//! with caps on what it may decompress and on the text it returns, and with
//! a time limit after which the worker is abandoned. No input found while
//! evaluating lopdf made it hang or panic; the thread and the limit are the
//! backstop for inputs nobody has found yet.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use lopdf::{Document, LoadOptions};

use super::extract::Extracted;

/// Object and cross-reference streams are decompressed while a file loads:
/// real ones are a few MiB at most, so more is a decompression bomb.
const STREAM_LIMIT: usize = 64 << 20;
/// A page's content, decompressed. lopdf parses a page's content into
/// operations all at once, taking up to about 280 bytes per byte of content
/// (measured: 2.3 GB for 8 MiB of `q` operators), so this caps a worker's
/// memory near 600 MB. Text pages use a few KiB to a few hundred KiB; only
/// detailed vector drawings come near it, and such a page is skipped.
const PAGE_LIMIT: usize = 2 << 20;
/// Text kept from one PDF, as for plain text files: more would bloat the
/// index without being reading matter.
const TEXT_LIMIT: usize = 16 << 20;
/// Pages are read in batches, the time and the text taken checked between
/// them. lopdf lists the whole page tree again for each batch, so the number
/// of batches is bounded too.
const MIN_BATCH: usize = 16;
const MAX_BATCHES: usize = 256;
/// No page is started after this: a very long or slow PDF keeps the text
/// read so far.
const BUDGET: Duration = Duration::from_secs(30);
/// A worker still running this long after it started is stuck inside
/// lopdf (loading the file, or within one batch of pages): it is abandoned
/// and the PDF gets no text.
const ABANDON_AFTER: Duration = Duration::from_secs(90);
/// lopdf's parsers recurse (to a nesting depth it limits) and unoptimised
/// builds use large frames; an import's pool threads have 2 MiB stacks. Only
/// the pages of the stack actually used are ever committed.
const STACK: usize = 32 << 20;
/// Abandoned workers go on running until they end or the process exits.
/// Past this many at once, PDFs get no text for the rest of the process, so
/// a folder of hostile files cannot pile up threads.
const MAX_ABANDONED: usize = 2;

/// Workers still running after being abandoned.
static ABANDONED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set on extraction workers: their panics are expected damage, caught
    /// and turned into "no text", so they must not print a message.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Text and title of a PDF, both as found (the caller cleans them up); both
/// None when the PDF cannot be read.
pub fn extract(bytes: &[u8]) -> Extracted {
    // The worker may outlive this call (when abandoned), so it needs bytes
    // of its own.
    let bytes = bytes.to_vec();
    guarded(ABANDON_AFTER, move || read(&bytes, Instant::now() + BUDGET)).unwrap_or_default()
}

fn read(bytes: &[u8], deadline: Instant) -> Extracted {
    let options = LoadOptions {
        max_decompressed_size: Some(STREAM_LIMIT),
        ..LoadOptions::default()
    };
    let Ok(doc) = Document::load_mem_with_options(bytes, options) else {
        return Extracted::default();
    };
    let text = text(&doc, deadline);
    Extracted {
        title: title(&doc),
        text: (!text.trim().is_empty()).then_some(text),
    }
}

/// The pages' text in page order. A page or font that fails to decode
/// loses its own text only.
fn text(doc: &Document, deadline: Instant) -> String {
    let pages: Vec<u32> = doc.get_pages().into_keys().collect();
    let batch = (pages.len() / MAX_BATCHES).max(MIN_BATCH);
    let mut text = String::new();
    for numbers in pages.chunks(batch) {
        if text.len() >= TEXT_LIMIT || Instant::now() >= deadline {
            break;
        }
        let chunks = doc.extract_text_chunks_with_limit(numbers, PAGE_LIMIT);
        for chunk in chunks.into_iter().flatten() {
            push_clean(&mut text, &chunk);
        }
    }
    if text.len() > TEXT_LIMIT {
        let mut end = TEXT_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Appends `chunk` with control characters (undecodable glyphs) turned into
/// spaces and typographic ligatures (ﬁ, ﬂ, …) spelt out, so that words
/// set with them can be found.
fn push_clean(text: &mut String, chunk: &str) {
    use unicode_normalization::UnicodeNormalization;
    for ch in chunk.chars() {
        match ch {
            '\n' | '\t' => text.push(ch),
            c if c.is_control() => text.push(' '),
            '\u{FB00}'..='\u{FB06}' => text.extend(std::iter::once(ch).nfkc()),
            c => text.push(c),
        }
    }
}

/// `/Title` from the document information dictionary, if it reads as a
/// title: text of some letters or digits, no undecodable bytes, not a
/// producer's placeholder.
fn title(doc: &Document) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let (_, info) = doc.dereference(info).ok()?;
    let title = info.as_dict().ok()?.get(b"Title").ok()?;
    let (_, title) = doc.dereference(title).ok()?;
    let title = lopdf::decode_text_string(title).ok()?;
    sensible(&title).then_some(title)
}

fn sensible(title: &str) -> bool {
    const PLACEHOLDERS: [&str; 4] = ["untitled", "untitled document", "no title", "title"];
    let words = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let lowered = words.to_lowercase();
    words.chars().any(char::is_alphanumeric)
        && !words
            .chars()
            .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
        && !PLACEHOLDERS.contains(&lowered.as_str())
}

/// Runs `work` on a fresh thread with a large stack and returns its result,
/// or None if it panicked, could not be started, or is still running after
/// `limit` (it is then abandoned: a thread cannot be stopped from outside).
fn guarded<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    if ABANDONED.load(Ordering::SeqCst) >= MAX_ABANDONED {
        return None;
    }
    silence_quiet_threads();
    const RUNNING: u8 = 0;
    const DONE: u8 = 1;
    const LEFT: u8 = 2;
    let state = Arc::new(AtomicU8::new(RUNNING));
    let worker_state = Arc::clone(&state);
    let (tx, rx) = mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("custos-pdf".into())
        .stack_size(STACK)
        .spawn(move || {
            QUIET.with(|quiet| quiet.set(true));
            let result = panic::catch_unwind(AssertUnwindSafe(work)).ok();
            let finished =
                worker_state.compare_exchange(RUNNING, DONE, Ordering::SeqCst, Ordering::SeqCst);
            if finished.is_err() {
                // Abandoned: nobody waits for the result any more.
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            } else {
                let _ = tx.send(result);
            }
        });
    let handle = spawned.ok()?;
    match rx.recv_timeout(limit) {
        Ok(result) => {
            let _ = handle.join();
            result
        }
        // Cannot happen (a worker either sends or counts itself abandoned),
        // and would leave no result anyway.
        Err(RecvTimeoutError::Disconnected) => None,
        Err(RecvTimeoutError::Timeout) => {
            // Counted before the state says so, so that a worker ending
            // right now never takes the count below zero.
            ABANDONED.fetch_add(1, Ordering::SeqCst);
            let abandoned =
                state.compare_exchange(RUNNING, LEFT, Ordering::SeqCst, Ordering::SeqCst);
            if abandoned.is_ok() {
                return None;
            }
            // It finished after all, between the timeout and now.
            ABANDONED.fetch_sub(1, Ordering::SeqCst);
            let result = rx.recv().ok().flatten();
            let _ = handle.join();
            result
        }
    }
}

/// Installs, once per process, a panic hook that says nothing for panics on
/// extraction workers and hands every other panic to the hook it replaced,
/// so that real bugs elsewhere are still reported as before. `catch_unwind`
/// alone would leave the default hook's message on stderr.
fn silence_quiet_threads() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::path::Path;

    const FIXTURES: [&str; 5] = [
        "unicode-pages.pdf",
        "object-streams.pdf",
        "owner-password.pdf",
        "user-password.pdf",
        "image-only.pdf",
    ];

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pdf")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The extracted text with every whitespace run made one space: where
    /// lopdf breaks lines is not what is being tested.
    fn words(got: &Extracted) -> String {
        let text = got.text.as_deref().unwrap_or_default();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    const FICTION: &str =
        "Fictional test document written for custos; every place and person in it is invented.";

    #[test]
    fn embedded_unicode_fonts_on_several_compressed_pages() {
        let got = extract(&fixture("unicode-pages.pdf"));
        assert_eq!(
            got.title.as_deref(),
            Some("Ledger of the Velmora Ferry Office")
        );
        assert_eq!(
            words(&got),
            format!(
                "{FICTION} The ferry clerk logged a parcel from Şuşa and a crate from Gdańsk. \
                 Письмо из Вельморы пришло в среду. Ελληνικό γράμμα για τον λιμενάρχη. \
                 Last page: the ledger closes with the word quillmarsh."
            )
        );
    }

    #[test]
    fn object_streams_and_a_placeholder_title() {
        let got = extract(&fixture("object-streams.pdf"));
        assert_eq!(got.title, None, "\"Untitled\" is no title");
        assert_eq!(
            words(&got),
            format!(
                "{FICTION} Notice: the Harrow Valley ferry timetable changes in spring; \
                 ask at the driftwood kiosk."
            )
        );
    }

    #[test]
    fn encrypted_pdfs_are_read_only_without_a_user_password() {
        let got = extract(&fixture("owner-password.pdf"));
        assert_eq!(
            got.title.as_deref(),
            Some("Memo from the Velmora ferry office")
        );
        assert_eq!(
            words(&got),
            format!("{FICTION} Memo readable without a password: lanternwick.")
        );
        assert_eq!(extract(&fixture("user-password.pdf")), Extracted::default());
    }

    #[test]
    fn a_scan_without_a_text_layer_has_a_title_but_no_text() {
        let got = extract(&fixture("image-only.pdf"));
        assert_eq!(
            got.title.as_deref(),
            Some("Scanned release form (fictional)")
        );
        assert_eq!(got.text, None);
    }

    #[test]
    fn the_sample_report_and_the_import_fixture() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &str| std::fs::read(root.join(path)).expect("fixture");
        let report = extract(&read("archive/reports/town-commission-report-1991.pdf"));
        assert_eq!(
            report.title.as_deref(),
            Some("Report of the Velmora Town Commission on the Events of 11-13 March 1991")
        );
        let text = words(&report);
        assert!(text.starts_with("Report of the Velmora Town Commission on the Events of 11-13 March 1991 Fictional sample material"), "{text}");
        assert!(
            text.contains("in houses, cellars, attics and, in one case, a tram depot."),
            "{text}"
        );
        assert!(
            text.ends_with("Signed for the commission: Ilona Perdaux, chair."),
            "{text}"
        );
        let doc = extract(&read("tests/fixtures/docs/doc.pdf"));
        assert_eq!(doc.title.as_deref(), Some("Velmora Ferry Timetable"));
        assert!(words(&doc).contains("The ferry leaves the Velmora landing at nine o'clock."));
    }

    #[test]
    fn truncated_files_yield_what_they_can_and_never_panic() {
        for name in FIXTURES {
            let bytes = fixture(name);
            for end in (0..bytes.len()).step_by(11) {
                let got = extract(&bytes[..end]);
                if let Some(text) = got.text {
                    assert!(text.len() <= TEXT_LIMIT);
                }
            }
        }
    }

    #[test]
    fn ligatures_are_spelt_out_and_control_characters_become_spaces() {
        let mut text = String::new();
        push_clean(
            &mut text,
            "the \u{FB02}ood o\u{FB00}ice\u{0}end\u{7}\tx\ny \u{FB06}",
        );
        assert_eq!(text, "the flood office end \tx\ny st");
    }

    #[test]
    fn sensible_titles() {
        for title in ["Report", "Ledger 1991", "Şuşa", "Σ", "  spaced  out  "] {
            assert!(sensible(title), "{title:?}");
        }
        for title in [
            "",
            "  ",
            "---",
            "Untitled",
            " untitled  DOCUMENT",
            "bad\u{FFFD}",
            "a\u{1}b",
        ] {
            assert!(!sensible(title), "{title:?}");
        }
    }

    #[test]
    fn a_panicking_worker_yields_nothing() {
        assert_eq!(guarded(Duration::from_secs(10), || 7), Some(7));
        let panicked: Option<()> = guarded(Duration::from_secs(10), || panic!("damaged"));
        assert_eq!(panicked, None);
    }

    #[test]
    fn a_stuck_worker_is_abandoned_and_counted_until_it_ends() {
        let (release, stuck) = mpsc::channel::<()>();
        let start = Instant::now();
        let got = guarded(Duration::from_millis(50), move || stuck.recv().is_ok());
        assert_eq!(got, None);
        assert!(start.elapsed() < Duration::from_secs(5));
        // The count is global, but only this test abandons a worker.
        assert_eq!(ABANDONED.load(Ordering::SeqCst), 1);
        drop(release);
        let until = Instant::now() + Duration::from_secs(10);
        while ABANDONED.load(Ordering::SeqCst) != 0 {
            assert!(
                Instant::now() < until,
                "the ended worker is not counted back"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Run in a child process by `panics_on_workers_are_silent`, which reads
    /// its stderr.
    #[test]
    #[ignore = "run in a child process by panics_on_workers_are_silent"]
    fn panic_canary() {
        let worker: Option<()> = guarded(Duration::from_secs(10), || panic!("pdf-worker-canary"));
        assert_eq!(worker, None);
        let elsewhere = panic::catch_unwind(|| panic!("elsewhere-canary"));
        assert!(elsewhere.is_err());
    }

    #[test]
    fn panics_on_workers_are_silent() {
        let exe = std::env::current_exe().expect("the test binary");
        let out = std::process::Command::new(exe)
            .args(["--exact", "ingest::pdf::tests::panic_canary"])
            .args(["--ignored", "--nocapture", "--test-threads=1"])
            .output()
            .expect("run the test binary");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("1 passed"), "the canary ran: {stdout}");
        assert!(!stderr.contains("pdf-worker-canary"), "{stderr}");
        assert!(
            stderr.contains("elsewhere-canary"),
            "other panics are still reported: {stderr}"
        );
    }

    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        let edits = proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24);
        (0..FIXTURES.len(), edits).prop_map(|(which, edits)| {
            let mut bytes = fixture(FIXTURES[which]);
            for (at, byte) in edits {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            bytes
        })
    }

    proptest! {
        #[test]
        fn random_bytes_behind_a_header_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let bytes = [b"%PDF-1.4\n".as_slice(), &tail].concat();
            let got = extract(&bytes);
            prop_assert!(got.text.is_none_or(|t| t.len() <= TEXT_LIMIT));
        }

        #[test]
        fn mutated_files_never_panic(bytes in mutated()) {
            let got = extract(&bytes);
            prop_assert!(got.title.is_none_or(|t| sensible(&t)));
        }
    }
}
