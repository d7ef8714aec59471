//! The web portal (issue 15): `custos serve` over a real loopback port,
//! driven with a blocking HTTP client. Pages, the JSON API, security
//! headers, limits, a hidden item answered exactly as a missing one, and
//! shutdown on SIGTERM. Tokens are in `web/tokens.rs`; the canary crawl
//! is in the leak test (`leak/web.rs`).

mod perf;
pub mod server;
mod tokens;

use serde_json::Value;

use crate::harness::Env;
use crate::seed::{self, run};
use server::Server;

/// An archive with the fixture documents, one open testimony and one whose
/// consent is withdrawn (hidden below custodian). Fictional throughout.
/// Returns (env, open testimony, hidden testimony).
fn archive() -> (Env, i64, i64) {
    let env = Env::with_archive();
    env.import_fixtures();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Invented Person Webtest",
        &["--anonymity", "named", "--display", "Mara Oskel"],
    );
    let open = seed::testimony(
        &env,
        "open.txt",
        "Fictional testimony about the mill at Orvenna.",
        n,
        &["--place", "Orvenna Mill"],
    );
    seed::set_consent(&env, open, "granted", Some("public"), None);
    env.cmd()
        .args(["edit", &open.to_string(), "--language", "hy"])
        .assert()
        .success();
    let hidden = seed::testimony(
        &env,
        "hidden.txt",
        "Fictional words of WEBHIDDENWORD.",
        n,
        &["--title", "WEBHIDDENTITLE"],
    );
    seed::set_consent(&env, hidden, "granted", Some("public"), None);
    seed::set_consent(
        &env,
        hidden,
        "withdrawn",
        None,
        Some("fictional withdrawal"),
    );
    (env, open, hidden)
}

#[test]
fn serve_refuses_the_custodian_level() {
    let env = Env::with_archive();
    let (code, _, err) = run(&env, &["serve", "--access", "custodian"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("custodian is never served"), "{err}");
}

#[test]
fn pages_api_and_headers_at_public() {
    let (env, open, hidden) = archive();
    // Positive control: the hidden testimony is there for the custodian
    // (as a withdrawal: its content went with the consent).
    let v = env.json(&[
        "show",
        &hidden.to_string(),
        "--access",
        "custodian",
        "--format",
        "json",
    ]);
    assert_eq!(v["access"], "withdrawn", "{v}");
    let s = Server::start(&env, &[]);
    assert!(s.stderr().contains("at public level"), "{}", s.stderr());

    // The holdings are counted in the background: the page once they are.
    let home = s.counted("/");
    assert_eq!(home.status, 200);
    for (h, want) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ] {
        assert_eq!(home.header(h), Some(want), "{h}");
    }
    let csp = home.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = home.text();
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("id=\"search-form\""),
        "{html}"
    );
    assert!(
        html.contains("Holdings by kind") && html.contains("testimony"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "no inline script: {html}");

    // The item page and the API say what `show` says at this level.
    let page = s.get(&format!("/items/{open}")).text();
    assert!(
        page.contains("Fictional testimony about the mill at Orvenna."),
        "{page}"
    );
    assert!(
        page.contains("This item is open at public level."),
        "{page}"
    );
    // Its place links to the term page, which names the term.
    assert!(
        page.contains("href=\"/terms/place/Orvenna%20Mill\""),
        "{page}"
    );
    let term = s.get("/terms/place/Orvenna%20Mill");
    assert_eq!(term.status, 200);
    let t = term.text();
    assert!(t.contains("Orvenna Mill") && t.contains("1 item"), "{t}");
    assert_eq!(
        s.get("/terms/place/Nowhere%20Invented").without_date(),
        s.get("/items/999999").without_date()
    );
    assert_eq!(s.get("/terms/nonsense/x").status, 404);
    // The item's language is its title's and text's lang.
    assert!(page.contains("<h1 lang=\"hy\">"), "{page}");
    let cli = env.json(&[
        "show",
        &open.to_string(),
        "--access",
        "public",
        "--format",
        "json",
    ]);
    let api: Value = serde_json::from_slice(&s.get(&format!("/api/items/{open}")).body).unwrap();
    assert_eq!(api, cli);
    let cli = env.json(&[
        "query",
        "kind:testimony",
        "--access",
        "public",
        "--format",
        "json",
    ]);
    let api = s.get("/api/items?q=kind%3Atestimony");
    assert_eq!(
        api.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let api: Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(api, cli);
    assert_eq!(api.as_array().unwrap().len(), 1, "{api}");

    // Search: the form's query, results linking to item pages; the
    // hidden testimony appears nowhere.
    let found = s.get("/search?q=Orvenna").text();
    assert!(
        found.contains(&format!("href=\"/items/{open}\"")),
        "{found}"
    );
    assert!(found.contains("1 item"), "{found}");
    let all = s.get("/search?q=kind%3Atestimony").text();
    assert!(!all.contains("WEBHIDDEN"), "{all}");
    assert!(!all.contains(&format!("/items/{hidden}\"")), "{all}");
    let bad = s.get("/search?q=date%3Anotadate");
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("role=\"alert\""), "{}", bad.text());

    // Limits: an over-long query and request target are refused.
    let long = "a".repeat(600);
    assert_eq!(s.get(&format!("/search?q={long}")).status, 400);
    assert_eq!(s.get(&format!("/api/items?q={long}")).status, 400);
    assert_eq!(
        s.get(&format!("/search?q={}", "b".repeat(3000))).status,
        414
    );

    assert_eq!(s.get("/static/player.js").status, 200);
    assert_eq!(s.stop(), Some(0), "SIGTERM stops the server cleanly");
}

#[test]
fn a_hidden_item_answers_exactly_as_a_missing_one() {
    let (env, _open, hidden) = archive();
    let s = Server::start(&env, &["--access", "research"]);
    let missing = hidden + 1000;
    for (h, m) in [
        (format!("/items/{hidden}"), format!("/items/{missing}")),
        (
            format!("/items/{hidden}/audio"),
            format!("/items/{missing}/audio"),
        ),
        (
            format!("/api/items/{hidden}"),
            format!("/api/items/{missing}"),
        ),
    ] {
        let a = s.get(&h).without_date();
        let b = s.get(&m).without_date();
        assert_eq!(a.status, 404, "{h}");
        assert_eq!(a, b, "{h} and {m} must answer alike");
        assert!(!a.text().contains("WEBHIDDEN"));
    }
    // Not a number at all: the same page again.
    assert_eq!(
        s.get("/items/seventeen").without_date(),
        s.get(&format!("/items/{missing}")).without_date()
    );
}
mod pages;
