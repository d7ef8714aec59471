//! The portal in a real browser (issue 15): Debian's chromium, headless,
//! driven over the DevTools protocol (headless_chrome), against `custos
//! serve` on a loopback port. It loads the home page, searches from the
//! form, opens an item, opens a recording, clicks a segment and checks that
//! the player moved to the segment's start. Screenshots go to
//! target/screenshots/ for a person to look at. Without chromium it says
//! so and returns.
//!
//! The pages' stable hooks are the web portal's: `#search-form`, links to
//! `/items/N`, `#player` (the audio element), `.segment[data-start]`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};

use crate::harness::Env;
use crate::oai::Server;
use crate::recordings::{import_one, wav};

/// The chromium binary: `$CHROMIUM`, Debian's real binary, or on PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        return p.exists().then_some(p);
    }
    let debian = Path::new("/usr/lib/chromium/chromium");
    if debian.exists() {
        return Some(debian.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.exists())
    })
}

/// A headless chromium with the flags this machine needs and a fresh,
/// empty profile in `profile`.
pub fn launch(binary: PathBuf, profile: &Path) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
    ]
    .iter()
    .map(OsStr::new)
    .collect();
    let opts = LaunchOptions::default_builder()
        .path(Some(binary))
        .headless(true)
        .sandbox(false)
        .window_size(Some((1280, 900)))
        .user_data_dir(Some(profile.to_path_buf()))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .expect("launch options");
    Browser::new(opts).expect("start chromium")
}

/// Where screenshots go: target/screenshots/ (beside the build).
pub fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

pub fn shoot(tab: &Tab, path: &Path) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("screenshot");
    std::fs::write(path, png).expect("write screenshot");
}

/// Evaluates `js` until it returns true or `secs` pass.
fn wait_true(tab: &Tab, js: &str, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if tab
            .evaluate(js, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

fn number(tab: &Tab, js: &str) -> f64 {
    tab.evaluate(js, false)
        .expect("evaluate")
        .value
        .and_then(|v| v.as_f64())
        .unwrap_or_else(|| panic!("{js} is not a number"))
}

#[test]
fn search_open_an_item_and_seek_the_player_to_a_segment() {
    let Some(binary) = chromium() else {
        eprintln!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let env = Env::with_archive();
    // Fictional letters and a fictional interview (a synthesised tone).
    for i in 0..3 {
        let p = env.write(
            &format!("letters/ferry-{i}.txt"),
            format!("Letter {i}: the ferrywoman of Oster Vale writes about the winter crossing."),
        );
        env.import(&[&p], &["--kind", "letter"]);
    }
    let (rec, _) = import_one(&env, &wav(&env, "ferry-interview.wav", 30, 8000));
    let rec = rec.to_string();
    for (start, end, title) in [
        ("00:00:02", "00:00:09", "Arrival"),
        ("00:00:12", "00:00:20", "The winter crossing"),
    ] {
        env.cmd()
            .args([
                "segment", "add", &rec, "--start", start, "--end", end, "--title", title,
            ])
            .assert()
            .success();
    }
    let server = Server::start(&env, &[], &[]);
    let profile = tempfile::tempdir().expect("profile dir");
    let browser = launch(binary, profile.path());
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(20));
    let shots = screenshots();

    tab.navigate_to(&server.url("/"))
        .and_then(|t| t.wait_until_navigated())
        .expect("home page");
    shoot(&tab, &shots.join("1-home.png"));
    let input = tab
        .wait_for_element("#search-form input[type=search], #search-form input[name=q]")
        .expect("the search form's box");
    input.click().expect("focus the search box");
    tab.type_str("ferrywoman").expect("type");
    tab.press_key("Enter").expect("submit");
    assert!(
        wait_true(&tab, "location.search.includes('ferrywoman')", 20),
        "the form did not search: {}",
        tab.get_url()
    );
    tab.wait_until_navigated().expect("results");
    shoot(&tab, &shots.join("2-search.png"));
    let hits = number(
        &tab,
        "document.querySelectorAll('main a[href^=\"/items/\"]').length",
    );
    assert_eq!(hits, 3.0, "three letters match");

    tab.find_element("main a[href^=\"/items/\"]")
        .and_then(|a| a.click().map(|_| ()))
        .expect("open a result");
    assert!(
        wait_true(&tab, "/^\\/items\\/\\d+$/.test(location.pathname)", 20),
        "no item page: {}",
        tab.get_url()
    );
    tab.wait_until_navigated().expect("item page");
    assert!(
        wait_true(&tab, "document.body.innerText.includes('ferrywoman')", 10),
        "the item page shows its letter"
    );
    shoot(&tab, &shots.join("3-item.png"));

    tab.navigate_to(&server.url(&format!("/items/{rec}")))
        .and_then(|t| t.wait_until_navigated())
        .expect("recording page");
    tab.wait_for_element("#player").expect("the player");
    // Metadata loaded: the player knows the recording's length.
    assert!(
        wait_true(
            &tab,
            "document.getElementById('player').readyState >= 1",
            20
        ),
        "the player did not load the access copy"
    );
    let duration = number(&tab, "document.getElementById('player').duration");
    assert!((duration - 30.0).abs() < 0.5, "duration {duration}");
    let segment = tab
        .wait_for_element(".segment[data-start]")
        .expect("a segment");
    let start: f64 = segment
        .get_attribute_value("data-start")
        .expect("attribute")
        .expect("data-start")
        .parse()
        .expect("seconds");
    assert!(start > 1.0, "a segment that starts later than 0: {start}");
    let before = number(&tab, "document.getElementById('player').currentTime");
    assert!(before < 0.5, "the player starts at the beginning: {before}");
    // What a reader clicks: the segment's time link (the whole entry
    // where it has none).
    match segment.find_element("a") {
        Ok(link) => link.click().map(|_| ()),
        Err(_) => segment.click().map(|_| ()),
    }
    .expect("click the segment");
    // It seeks, then plays on: at the start, or just past it.
    assert!(
        wait_true(
            &tab,
            &format!(
                "(function(t){{ return t >= {start} - 0.25 && t < {start} + 1.5; }})(document.getElementById('player').currentTime)"
            ),
            10
        ),
        "the player is at {} s, not at the segment's {start} s",
        number(&tab, "document.getElementById('player').currentTime")
    );
    shoot(&tab, &shots.join("4-recording.png"));
}

/// The README's screenshot of an item page, from the fictional sample
/// collection (archive/: its manifest and the interview with its
/// transcript and segment index). Run by hand, not in CI:
/// `cargo test --all-features --test cli browser::readme -- --ignored`
/// writes docs/item-page.png.
#[test]
#[ignore = "writes docs/item-page.png; run by hand"]
fn readme_screenshot_of_the_sample_recording_page() {
    let Some(binary) = chromium() else {
        eprintln!("skipping: chromium is not installed (apt-get install chromium)");
        return;
    };
    let env = Env::with_archive();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let step = |args: &[&str]| {
        let mut c = env.cmd();
        c.current_dir(repo).args(args).assert().success();
    };
    step(&[
        "import",
        "--manifest",
        "archive/manifest.csv",
        "--intake",
        "open",
    ]);
    let rec = env.import(
        &[&repo.join("archive/recordings/corran-ford-interview-2019.wav")],
        // An origin of its own, not the file's path in whatever checkout
        // took the picture.
        &[
            "--intake",
            "open",
            "--origin",
            "Harrow Valley Memory Project, interview recordings (fictional)",
        ],
    )[0]["id"]
        .as_i64()
        .expect("recording id")
        .to_string();
    step(&[
        "transcript",
        "set",
        &rec,
        "archive/recordings/corran-ford-interview-2019.vtt",
    ]);
    step(&[
        "segment",
        "import",
        &rec,
        "archive/recordings/corran-ford-interview-2019-ohms.xml",
    ]);
    step(&[
        "restrict",
        &rec,
        "--from",
        "00:00:12.200",
        "--to",
        "00:00:19.300",
        "--reason",
        "names the neighbour who brought bread",
    ]);
    let server = Server::start(&env, &[], &[]);
    let profile = tempfile::tempdir().expect("profile dir");
    let browser = launch(binary, profile.path());
    let tab = browser.new_tab().expect("tab");
    tab.navigate_to(&server.url(&format!("/items/{rec}")))
        .and_then(|t| t.wait_until_navigated())
        .expect("item page");
    tab.wait_for_element("#player").expect("the player");
    let docs = repo.join("docs");
    std::fs::create_dir_all(&docs).expect("docs/");
    shoot(&tab, &docs.join("item-page.png"));
    assert!(
        docs.join("item-page.png")
            .metadata()
            .expect("written")
            .len()
            > 10_000
    );
}
