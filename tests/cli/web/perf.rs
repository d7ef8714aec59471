//! The portal's kept whole-collection counts and pages of results (issue
//! 15, load): the home page's holdings, the search page's facets and the
//! search results are kept per level and catalogue version, so a write
//! made while the server runs shows on the next page (once the counts are
//! recomputed in the background; never the old ones meanwhile), and a
//! public and a research reader never see each other's. The capped match
//! count of the API is here too. Fictional people and places throughout.

use serde_json::Value;

use super::server::Server;
use crate::harness::Env;
use crate::seed::{self, run};

/// The count shown beside the link to `term` (e.g. `place%3A%22Orvenna`),
/// or None when no row links to it.
fn count_beside(html: &str, link: &str) -> Option<i64> {
    let at = html.find(&format!("href=\"/search?q={link}"))?;
    let rest = &html[at..];
    let open = rest.find("<span class=\"count\">")? + "<span class=\"count\">".len();
    let close = rest[open..].find("</span>")?;
    rest[open..open + close].parse().ok()
}

const TESTIMONY: &str = "kind%3Atestimony\"";

/// Two testimonies of an invented narrator: one open at public, one whose
/// consent reaches research only. Returns (env, public one, research one).
fn archive() -> (Env, i64, i64) {
    let env = Env::with_archive();
    seed::key_init(&env);
    let n = seed::narrator(
        &env,
        "Invented Person Cachetest",
        &["--anonymity", "named", "--display", "Tovin Aresk"],
    );
    let public = seed::testimony(
        &env,
        "public.txt",
        "Fictional account of the ferry at Velmora.",
        n,
        &[],
    );
    seed::set_consent(&env, public, "granted", Some("public"), None);
    let research = seed::testimony(
        &env,
        "research.txt",
        "Fictional account of the weir at Velmora.",
        n,
        &[],
    );
    seed::set_consent(&env, research, "granted", Some("research"), None);
    (env, public, research)
}

#[test]
fn a_write_while_serving_shows_on_the_next_home_and_search_page() {
    let (env, public, _) = archive();
    let s = Server::start(&env, &[]);
    let home = s.counted("/").text();
    assert_eq!(count_beside(&home, TESTIMONY), Some(1), "{home}");
    // Twice: the second is served from the cache, and says the same.
    assert_eq!(count_beside(&s.get("/").text(), TESTIMONY), Some(1));
    let search = s.counted("/search?q=Velmora").text();
    assert_eq!(
        count_beside(&search, "Velmora+kind%3Atestimony\""),
        Some(1),
        "{search}"
    );
    assert!(
        search.contains(&format!("href=\"/items/{public}\"")),
        "{search}"
    );

    // The narrator withdraws consent while the server runs: the testimony
    // is hidden at every level below custodian, so no count includes it.
    seed::set_consent(
        &env,
        public,
        "withdrawn",
        None,
        Some("fictional withdrawal"),
    );
    // At once, before any recount: the kept page of results and the kept
    // counts are of the old state and must not be served.
    let search = s.get("/search?q=Velmora").text();
    assert!(search.contains("0 items"), "{search}");
    assert!(!search.contains(&format!("/items/{public}")), "{search}");
    assert_eq!(
        count_beside(&search, "Velmora+kind%3Atestimony\""),
        None,
        "{search}"
    );
    assert_eq!(count_beside(&s.get("/").text(), TESTIMONY), None);
    let home = s.counted("/").text();
    assert!(!home.contains("being counted"), "{home}");
    assert_eq!(count_beside(&home, TESTIMONY), None, "{home}");
    let search = s.counted("/search?q=Velmora").text();
    assert_eq!(
        count_beside(&search, "Velmora+kind%3Atestimony\""),
        None,
        "{search}"
    );
    assert!(search.contains("0 items"), "{search}");
}

#[test]
fn a_public_and_a_research_reader_never_share_counts() {
    let (env, _, _) = archive();
    let (code, out, err) = run(
        &env,
        &[
            "token",
            "create",
            "--access",
            "research",
            "--label",
            "Dr. Invented Reader",
            "--expires",
            "2099-12-31",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let bearer = format!("Bearer {}", out.trim());
    let s = Server::start(&env, &[]);
    let research = |path: &str| s.get_with(path, &[("authorization", &bearer)]).text();
    let research_counted = |path: &str| s.counted_with(path, &[("authorization", &bearer)]).text();
    // In both orders, each level gets its own counts.
    assert_eq!(count_beside(&s.counted("/").text(), TESTIMONY), Some(1));
    assert_eq!(count_beside(&research_counted("/"), TESTIMONY), Some(2));
    assert_eq!(count_beside(&s.get("/").text(), TESTIMONY), Some(1));
    let facet = "Velmora+kind%3Atestimony\"";
    assert_eq!(
        count_beside(&research_counted("/search?q=Velmora"), facet),
        Some(2)
    );
    assert_eq!(
        count_beside(&s.counted("/search?q=Velmora").text(), facet),
        Some(1)
    );
    assert_eq!(count_beside(&research("/search?q=Velmora"), facet), Some(2));
    // The pages of results too: the research reader's kept page (two
    // testimonies) is never the public reader's (one).
    let public_page = s.get("/search?q=Velmora").text();
    assert!(public_page.contains(">1 item<"), "{public_page}");
    assert!(research("/search?q=Velmora").contains(">2 items<"));
}

#[test]
fn the_api_counts_matches_with_a_more_flag() {
    let (env, _, _) = archive();
    let s = Server::start(&env, &[]);
    let a = s.get("/api/items?q=Velmora&count=true");
    assert_eq!(a.status, 200);
    let v: Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(v, serde_json::json!({"count": 1, "more": false}));
    // Without `count` the rows, as before.
    let rows: Value = serde_json::from_slice(&s.get("/api/items?q=Velmora").body).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
}

/// The search page counts to the end of the page it shows; "Count them"
/// counts to the API's cap, through the same policy: closed items are in
/// neither count. Fictional notes.
#[test]
fn a_search_page_counts_to_its_end_and_counts_them_all_when_asked() {
    let env = Env::with_archive();
    let dir = env.path().join("notes");
    std::fs::create_dir_all(dir.join("open")).unwrap();
    std::fs::create_dir_all(dir.join("closed")).unwrap();
    for i in 0..30 {
        let body = format!("Fictional note {i} about the Quillmarsh ferry.");
        std::fs::write(dir.join("open").join(format!("n{i}.txt")), body).unwrap();
    }
    for i in 0..5 {
        let body = format!("Fictional closed note {i} about the Quillmarsh weir.");
        std::fs::write(dir.join("closed").join(format!("c{i}.txt")), body).unwrap();
    }
    assert_eq!(
        env.import(&[&dir.join("open")], &["--intake", "open"])
            .len(),
        30
    );
    assert_eq!(
        env.import(&[&dir.join("closed")], &["--intake", "closed"])
            .len(),
        5
    );
    let s = Server::start(&env, &[]);
    // askama writes `&` in an attribute as `&#38;`.
    let page = |path: &str| s.get(path).text().replace("&#38;", "&");
    let first = s
        .counted("/search?q=Quillmarsh")
        .text()
        .replace("&#38;", "&");
    assert!(first.contains(">More than 20 items<"), "{first}");
    assert!(
        first.contains("href=\"/search?q=Quillmarsh&page=2\""),
        "{first}"
    );
    let link = "/search?q=Quillmarsh&count=all";
    assert!(first.contains(&format!("href=\"{link}\"")), "{first}");
    let all = page(link);
    assert!(all.contains(">30 items<"), "{all}");
    assert!(!all.contains("count=all"), "counted already: {all}");
    assert!(all.contains("page=2"), "Next still shows: {all}");
    // The second page counts to its own end, past the 30.
    let second = page("/search?q=Quillmarsh&page=2");
    assert!(second.contains(">30 items<"), "{second}");
    assert!(!second.contains("count=all"), "{second}");
    // The CLI counts the same at public.
    let (code, out, err) = run(
        &env,
        &["query", "Quillmarsh", "--access", "public", "--count"],
    );
    assert_eq!((code, out.trim()), (0, "30"), "{err}");
    let bad = s.get("/search?q=Quillmarsh&count=every");
    assert_eq!(bad.status, 400, "an unknown count is refused");
}
