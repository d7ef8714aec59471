//! The leak test's web pass (issue 15): `custos serve` over the leak
//! archive, crawled from the home page (every same-site link, plus every
//! item's page, audio and API record, every narrator's page and API
//! record, each claims page's API twin, and searches for every canary) at
//! public and at research (a valid token, and a server run at research),
//! and with revoked, expired and forged tokens as bearer and as cookie.
//! Bodies and headers are scanned for every canary the CLI hides at that
//! level; a search for a hidden word must find nothing.

use std::collections::{BTreeSet, VecDeque};

use super::fixture::{self, Fixture, Level};
use super::scan::{contains, norm};
use crate::seed::run;
use crate::web::server::{links, Answer, Server};

/// Requests one crawl makes at most (facet links combine without end).
const BUDGET: usize = 400;

struct Crawl<'a> {
    fx: &'a Fixture,
    level: Level,
    label: String,
    headers: Vec<(&'static str, String)>,
    leaks: Vec<String>,
    seen: BTreeSet<String>,
    /// Every answer must have this status (401 for a dead bearer).
    status: Option<u16>,
    /// Which kinds of page (narrator, claims, original) answered 200.
    reached: BTreeSet<&'static str>,
}

impl Crawl<'_> {
    fn check(&mut self, path: &str, a: &Answer) {
        if let Some(want) = self.status {
            if a.status != want {
                self.leaks.push(format!(
                    "{} {path}: status {} (want {want})",
                    self.label, a.status
                ));
            }
        }
        if a.status == 200 {
            if path.starts_with("/api/narrators/") {
                self.reached.insert("narrator API");
            } else if path.starts_with("/api/terms/") {
                self.reached.insert("claims API");
            } else if path.starts_with("/narrators/") {
                self.reached.insert("narrator");
            } else if path.ends_with("/claims") {
                self.reached.insert("claims");
            } else if path.ends_with("/original") {
                self.reached.insert("original");
            }
        }
        if a.status >= 500 {
            self.leaks
                .push(format!("{} {path}: status {}", self.label, a.status));
        }
        let all = a.all_bytes();
        let n = norm(&all);
        let asked = path.to_uppercase();
        for c in &self.fx.canaries {
            if !contains(&n, c.word.as_bytes()) {
                continue;
            }
            if c.allowed(self.level) {
                self.seen.insert(c.word.clone());
            } else if !asked.contains(&c.word) {
                self.leaks.push(format!(
                    "{} [{}] {path}: shows {} ({})",
                    self.label,
                    self.level.name(),
                    c.word,
                    c.what
                ));
            }
        }
    }

    fn run(&mut self, s: &Server) {
        let mut queue: VecDeque<String> = VecDeque::new();
        let mut done: BTreeSet<String> = BTreeSet::new();
        // The home page once its holdings are counted, so the crawl
        // starts from every link it will have.
        {
            let owned = self.headers.clone();
            let headers: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let _ = s.counted_with("/", &headers);
        }
        queue.push_back("/".into());
        for id in self.fx.items.values().copied().chain([99]) {
            for p in [
                "/items/{}",
                "/items/{}/audio",
                "/api/items/{}",
                "/items/{}/original",
            ] {
                queue.push_back(p.replace("{}", &id.to_string()));
            }
        }
        // Every narrator, those without an open testimony too (a 404).
        for n in self.fx.narrators.values().copied().chain([99]) {
            queue.push_back(format!("/narrators/{n}"));
            queue.push_back(format!("/api/narrators/{n}"));
        }
        queue.push_back("/api/items?q=".into());
        queue.push_back("/api/items?q=kind%3Atestimony".into());
        queue.push_back("/login".into());
        let owned = self.headers.clone();
        let headers: Vec<(&str, &str)> = owned.iter().map(|(n, v)| (*n, v.as_str())).collect();
        // A hidden word finds nothing, on the page and in the API.
        let words: Vec<String> = self
            .fx
            .canaries
            .iter()
            .filter(|c| !c.allowed(self.level))
            .map(|c| c.word.clone())
            .collect();
        for w in &words {
            let a = s.get_with(&format!("/api/items?q={w}"), &headers);
            self.check("/api/items?q=WORD", &a);
            if a.status == 200 && a.text().trim() != "[]" {
                self.leaks.push(format!(
                    "{} [{}] /api/items?q={w} finds items: {}",
                    self.label,
                    self.level.name(),
                    a.text()
                ));
            }
            let a = s.get_with(&format!("/search?q={w}"), &headers);
            if a.status == 200 && !a.text().contains(">0 items<") {
                self.leaks.push(format!(
                    "{} [{}] /search?q={w} finds items",
                    self.label,
                    self.level.name()
                ));
            }
        }
        // Searches last: their facet links combine without end, and every
        // other page (items, terms, audio, API) must be reached first.
        let mut searches: VecDeque<String> = VecDeque::new();
        while let Some(path) = queue.pop_front().or_else(|| searches.pop_front()) {
            if done.len() >= BUDGET {
                break;
            }
            if !done.insert(path.clone()) {
                continue;
            }
            let a = s.get_with(&path, &headers);
            self.check(&path, &a);
            // Each claims page's JSON twin.
            if path.starts_with("/terms/") && path.ends_with("/claims") {
                queue.push_back(format!("/api{path}"));
            }
            if a.header("content-type")
                .is_some_and(|t| t.starts_with("text/html"))
            {
                for l in links(&a.text()) {
                    if done.contains(&l) {
                        continue;
                    }
                    if l.starts_with("/search") {
                        searches.push_back(l);
                    } else {
                        queue.push_back(l);
                    }
                }
            }
        }
        let left = queue.len() + searches.len();
        eprintln!(
            "leak web pass: {}: {} requests ({} pages, {} other links left at the budget)",
            self.label,
            done.len(),
            done.iter().filter(|p| !p.starts_with("/search")).count(),
            left
        );
        assert!(
            queue.is_empty(),
            "{}: the budget ran out before every page but searches was read",
            self.label
        );
    }
}

fn crawl<'a>(
    fx: &'a Fixture,
    s: &Server,
    label: &str,
    level: Level,
    headers: Vec<(&'static str, String)>,
    status: Option<u16>,
) -> Crawl<'a> {
    let mut c = Crawl {
        fx,
        level,
        label: label.into(),
        headers,
        leaks: Vec::new(),
        seen: BTreeSet::new(),
        status,
        reached: BTreeSet::new(),
    };
    c.run(s);
    c
}

fn token(fx: &Fixture, label: &str) -> String {
    let (code, out, err) = run(
        &fx.env,
        &[
            "token",
            "create",
            "--access",
            "research",
            "--label",
            label,
            "--expires",
            "2099-12-31",
        ],
    );
    assert_eq!(code, 0, "{err}");
    out.trim().to_string()
}

#[test]
fn no_page_shows_what_the_reader_may_not_see() {
    let fx = fixture::build();
    let good = token(&fx, "Leak Reader");
    let revoked = token(&fx, "Revoked Reader");
    let expired = token(&fx, "Expired Reader");
    let list = fx.env.json(&["token", "list", "--format", "json"]);
    let id_of = |label: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|t| t["label"] == label)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (code, _, err) = run(
        &fx.env,
        &["token", "revoke", &id_of("Revoked Reader").to_string()],
    );
    assert_eq!(code, 0, "{err}");
    fx.env
        .db()
        .execute(
            "UPDATE web_tokens SET expires = '2001-01-01' WHERE id = ?1",
            [id_of("Expired Reader")],
        )
        .unwrap();
    let forged = format!("custos_{}", "A".repeat(43));

    let mut leaks = Vec::new();
    let mut seen_public = BTreeSet::new();
    let mut seen_research = BTreeSet::new();
    {
        let s = Server::start(&fx.env, &["--access", "public"]);
        let c = crawl(&fx, &s, "anonymous", Level::Public, vec![], None);
        // Positive control: the crawl reads the narrator, claims and
        // download routes, not only their 404s and 403s.
        for page in [
            "narrator",
            "claims",
            "original",
            "narrator API",
            "claims API",
        ] {
            assert!(
                c.reached.contains(page),
                "public crawl never read a {page} page: {:?}",
                c.reached
            );
        }
        seen_public.extend(c.seen);
        leaks.extend(c.leaks);
        let c = crawl(
            &fx,
            &s,
            "valid bearer",
            Level::Research,
            vec![("authorization", format!("Bearer {good}"))],
            None,
        );
        seen_research.extend(c.seen);
        leaks.extend(c.leaks);
        let c = crawl(
            &fx,
            &s,
            "valid cookie",
            Level::Research,
            vec![("cookie", format!("custos_token={good}"))],
            None,
        );
        seen_research.extend(c.seen);
        leaks.extend(c.leaks);
        for (what, secret) in [
            ("revoked", &revoked),
            ("expired", &expired),
            ("forged", &forged),
        ] {
            let c = crawl(
                &fx,
                &s,
                &format!("{what} bearer"),
                Level::Public,
                vec![("authorization", format!("Bearer {secret}"))],
                Some(401),
            );
            leaks.extend(c.leaks);
            let c = crawl(
                &fx,
                &s,
                &format!("{what} cookie"),
                Level::Public,
                vec![("cookie", format!("custos_token={secret}"))],
                None,
            );
            leaks.extend(c.leaks);
        }
        assert!(s.stop() == Some(0));
    }
    {
        let s = Server::start(&fx.env, &["--access", "research"]);
        let c = crawl(
            &fx,
            &s,
            "anonymous at a research server",
            Level::Research,
            vec![],
            None,
        );
        seen_research.extend(c.seen);
        leaks.extend(c.leaks);
    }
    // Positive controls: the crawl reaches what each level may read.
    assert!(
        seen_public.contains("LEAKCANARYTEXTPUB"),
        "public crawl never saw the open text: {seen_public:?}"
    );
    assert!(
        seen_research.contains("LEAKCANARYTEXTRES"),
        "research crawl never saw the research text: {seen_research:?}"
    );
    // The research reads were logged for the custodian, the dead tokens' not.
    let log = fx.env.json(&["token", "log", "--format", "json"]);
    let rows = log.as_array().unwrap();
    assert!(
        rows.iter().any(|r| r["token"] == id_of("Leak Reader")),
        "{log}"
    );
    assert!(
        rows.iter()
            .all(|r| r["token"] == id_of("Leak Reader") || r["token"].is_null()),
        "{log}"
    );
    assert!(
        leaks.is_empty(),
        "{} problem(s):\n{}",
        leaks.len(),
        leaks
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    drop(fx.reader);
}
