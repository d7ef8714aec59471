//! What the transition test checks after every step: every read command's
//! output (stdout and stderr) at public and research holds no word the
//! model closes and no redacted name; searches for those find nothing;
//! searches for what the model opens find it; the sealed legal name
//! appears nowhere, not even to the custodian without the key.

use std::path::Path;

use serde_json::Value;

use super::model::{Level, Model};
use super::sys::{Sys, LEGAL};

const FORMATS: [&str; 5] = ["json", "csv", "table", "tsv", "jsonl"];

/// Folds what a reader might see so that spelling variants of a name
/// compare equal: case, soft hyphens, zero-width characters, hyphens.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
            )
        })
        .map(|c| if c == '-' { ' ' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

fn scan(what: &str, text: &str, forbidden: &[&str]) -> Result<(), String> {
    let folded = fold(text);
    for f in forbidden {
        if folded.contains(&fold(f)) {
            return Err(format!("{what} shows {f:?}:\n{text}"));
        }
    }
    Ok(())
}

pub(super) fn run_scan(sys: &Sys, args: &[&str], forbidden: &[&str]) -> Result<(), String> {
    let out = sys.out(args);
    if out.status.code() == Some(101) || out.status.code().is_none() {
        return Err(format!(
            "custos {args:?} crashed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    scan(&format!("custos {args:?}"), &text, forbidden)
}

/// The web portal at `level` (issue 15): each item's page and API record
/// exists exactly where `show` finds it (a hidden item is a 404, as a
/// missing one), and no answer, headers included, holds a closed word.
/// The server runs on across operations, so its kept pages are checked.
fn web(sys: &Sys, level: &str, ids: &[String], forbidden: &[&str]) -> Result<(), String> {
    let server = sys.server(level);
    for id in ids {
        let shown = sys.out(&["show", id, "--access", level]).status.success();
        for path in [format!("/items/{id}"), format!("/api/items/{id}")] {
            let a = server.get(&path);
            let want = if shown { 200 } else { 404 };
            if a.status != want {
                return Err(format!(
                    "GET {path} at {level}: {} where show says {want}",
                    a.status
                ));
            }
            // askama escapes for HTML; a name must not hide behind it.
            let text = String::from_utf8_lossy(&a.all_bytes())
                .replace("&#39;", "'")
                .replace("&#34;", "\"")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            scan(&format!("GET {path} at {level}"), &text, forbidden)?;
        }
        // The original (webpages): a hidden item's is the one 404; a shown
        // one's is sent or refused (403); the audio, narrator and claims
        // pages linked from the item page are scanned like it.
        let path = format!("/items/{id}/original");
        let a = server.get(&path);
        let allowed: &[u16] = if shown { &[200, 403] } else { &[404] };
        if !allowed.contains(&a.status) {
            return Err(format!(
                "GET {path} at {level}: {} where show says {}",
                a.status,
                if shown { "shown" } else { "hidden" }
            ));
        }
        let mut paths = vec![path, format!("/items/{id}/audio")];
        let page = server.get(&format!("/items/{id}")).text();
        paths.extend(
            crate::web::server::links(&page)
                .into_iter()
                .filter(|l| l.starts_with("/narrators/") || l.starts_with("/terms/")),
        );
        for path in paths {
            let a = server.get(&path);
            if a.status >= 500 {
                return Err(format!("GET {path} at {level}: {}", a.status));
            }
            let text = unescaped(&a);
            scan(&format!("GET {path} at {level}"), &text, forbidden)?;
            let mut twins = Vec::new();
            if path.starts_with("/narrators/") {
                twins.push(format!("/api{path}"));
            }
            if path.starts_with("/terms/") && !path.ends_with("/claims") {
                twins.push(format!("{path}/claims"));
                twins.push(format!("/api{path}/claims"));
            }
            // The JSON twin answers where the page does, and holds no
            // more than it.
            for twin in twins {
                let a = server.get(&twin);
                if a.status >= 500 {
                    return Err(format!("GET {twin} at {level}: {}", a.status));
                }
                scan(&format!("GET {twin} at {level}"), &unescaped(&a), forbidden)?;
            }
        }
    }
    Ok(())
}

/// The web search at `level` finds each item's word in both scripts
/// exactly where the model opens the item, from the same long-running
/// server, so a page of results kept from before a write is never served
/// after it; the home page and every search page hold no closed word.
fn web_search(sys: &Sys, model: &Model, level: Level, forbidden: &[&str]) -> Result<(), String> {
    let l = level.as_str();
    let server = sys.server(l);
    let home = server.get("/");
    scan(&format!("GET / at {l}"), &unescaped(&home), forbidden)?;
    for item in &model.items {
        let Some(id) = item.id else { continue };
        let open = item.open_at(level, model.today);
        for word in [item.word.clone(), super::cyrillic(&item.word)] {
            let enc: String = url_encode(&word);
            let path = format!("/search?q={enc}");
            let a = server.get(&path);
            // The page repeats what was asked (the search box, the title):
            // that word is the reader's own, every other stays forbidden.
            let others: Vec<&str> = forbidden
                .iter()
                .copied()
                .filter(|f| fold(f) != fold(&word))
                .collect();
            scan(&format!("GET {path} at {l}"), &unescaped(&a), &others)?;
            let found = a.text().contains(&format!("href=\"/items/{id}\""));
            if found != open {
                return Err(format!(
                    "GET {path} at {l} {} item {id}, which the model {} ({item:?})",
                    if found { "finds" } else { "does not find" },
                    if open { "opens" } else { "closes" }
                ));
            }
        }
    }
    Ok(())
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An answer's headers and body with askama's HTML escapes undone, so a
/// name cannot hide behind them.
fn unescaped(a: &crate::web::server::Answer) -> String {
    String::from_utf8_lossy(&a.all_bytes())
        .replace("&#39;", "'")
        .replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The SHA-256 digests of the files in the current archive's folder site.
fn site_digests(sys: &Sys) -> std::collections::BTreeSet<String> {
    digests_in(&sys.site())
}

fn digests_in(dir: &std::path::Path) -> std::collections::BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| std::fs::read(e.path()).ok())
        .map(|b| crate::harness::sha256_hex(&b))
        .collect()
}

/// After `replicate`: every item that is not purged has its bytes at the
/// site.
pub fn replicated(sys: &Sys, model: &Model) -> Result<(), String> {
    let at_site = site_digests(sys);
    for it in model.items.iter().filter(|i| i.id.is_some() && !i.purged) {
        if !at_site.contains(&crate::harness::sha256_hex(&it.bytes)) {
            return Err(format!(
                "item {:?} has no copy at the site after replicate",
                it.id
            ));
        }
    }
    Ok(())
}

/// A purged item's bytes are at no site (the site is always reachable here).
/// With a primary store: every other item's bytes are there, and none
/// under the archive's own objects/.
fn purged_everywhere(sys: &Sys, model: &Model) -> Result<(), String> {
    let at_site = site_digests(sys);
    let at_store = sys.store().map(|s| digests_in(&s)).unwrap_or_default();
    for it in model.items.iter().filter(|i| i.purged) {
        let sha = crate::harness::sha256_hex(&it.bytes);
        if at_site.contains(&sha) || at_store.contains(&sha) {
            return Err(format!("purged item {:?} is still at a site", it.id));
        }
    }
    if sys.store().is_some() {
        // A deaccession may have erased the bytes too (`--purge-bytes`).
        let kept = |i: &&super::model::Item| i.id.is_some() && !i.purged && !i.deaccessioned;
        for it in model.items.iter().filter(kept) {
            if !at_store.contains(&crate::harness::sha256_hex(&it.bytes)) {
                let show = sys.out(&[
                    "show",
                    &it.id.unwrap_or(0).to_string(),
                    "--access",
                    "custodian",
                ]);
                return Err(format!(
                    "item {:?} ({}) is not at the primary store {:?} ({at_store:?}): {}{}",
                    it.id,
                    crate::harness::sha256_hex(&it.bytes),
                    sys.store(),
                    String::from_utf8_lossy(&show.stdout),
                    String::from_utf8_lossy(&show.stderr)
                ));
            }
        }
        let local = digests_in(&sys.archive.join("objects"));
        if !local.is_empty() {
            return Err(format!(
                "{} original(s) under objects/ of an archive whose originals are on a store",
                local.len()
            ));
        }
    }
    Ok(())
}

fn query_ids(sys: &Sys, term: &str, level: &str) -> Result<Vec<i64>, String> {
    let out = sys.out(&["query", term, "--access", level, "--format", "json"]);
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "query {term:?} at {level}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    Ok(v.iter().filter_map(|o| o["id"].as_i64()).collect())
}

pub fn all(sys: &Sys, model: &Model, step: usize) -> Result<(), String> {
    let fmt = FORMATS[step % FORMATS.len()];
    purged_everywhere(sys, model)?;
    let ids: Vec<String> = model
        .items
        .iter()
        .filter_map(|i| i.id)
        .map(|i| i.to_string())
        .collect();
    for level in Level::ALL {
        let l = level.as_str();
        let mut forbidden = model.forbidden(level);
        forbidden.push(LEGAL);
        let commands: Vec<Vec<&str>> = vec![
            vec!["list", "--format", fmt, "--access", l],
            vec!["query", "--format", fmt, "--access", l],
            vec!["terms", "--format", fmt, "--access", l],
            vec!["report", "narrators", "--format", fmt, "--access", l],
            vec!["report", "consent", "--format", fmt, "--access", l],
            vec!["narrator", "list", "--format", fmt, "--access", l],
            vec!["log", "--format", fmt, "--access", l],
            vec!["report", "claims", "--format", fmt, "--access", l],
            vec!["site", "list", "--format", fmt, "--access", l],
        ];
        for args in &commands {
            run_scan(sys, args, &forbidden)?;
        }
        for id in &ids {
            run_scan(
                sys,
                &["show", id, "--format", fmt, "--access", l],
                &forbidden,
            )?;
            run_scan(
                sys,
                &["claim", "list", id, "--format", fmt, "--access", l],
                &forbidden,
            )?;
        }
        web(sys, l, &ids, &forbidden)?;
        web_search(sys, model, level, &forbidden)?;
        super::passages::check(sys, model, level, &forbidden)?;
        for item in &model.items {
            let open = item.open_at(level, model.today);
            let mut hidden_terms: Vec<String> = Vec::new();
            if !open {
                hidden_terms.push(item.word.clone());
                hidden_terms.push(super::cyrillic(&item.word));
            }
            if !item.name_visible_at(level, model.today) {
                hidden_terms.extend(item.name.split(' ').map(str::to_string));
                hidden_terms.push(format!("\"{}\"", item.name));
                hidden_terms.push(format!("agent:\"{}\"", item.name));
            }
            for t in &hidden_terms {
                let found = query_ids(sys, t, l)?;
                if !found.is_empty() {
                    return Err(format!(
                        "query {t:?} at {l} finds {found:?}, which the model closes"
                    ));
                }
            }
        }
        for item in model.findable(level) {
            for word in [item.word.clone(), super::cyrillic(&item.word)] {
                let found = query_ids(sys, &word, l)?;
                if found != [item.id.unwrap_or_default()] {
                    return Err(format!(
                        "query {word:?} at {l} finds {found:?}; the model opens item {:?} ({item:?})",
                        item.id
                    ));
                }
            }
        }
    }
    sys.check_signed_head()?;
    // The custodian without the key: no legal name either.
    run_scan(
        sys,
        &["list", "--format", fmt, "--access", "custodian"],
        &[LEGAL],
    )?;
    for id in &ids {
        run_scan(
            sys,
            &["show", id, "--format", fmt, "--access", "custodian"],
            &[LEGAL],
        )?;
    }
    Ok(())
}

/// Exports at `level` and scans every file of the bag, then of the
/// level's OCFL root after exporting into it again.
pub fn export(sys: &Sys, model: &Model, level: &str) -> Result<(), String> {
    let bag = sys.path().join(format!("export-{}-{level}", sys.step));
    let out = sys.out(&[
        "export",
        "--bag",
        bag.to_str().unwrap_or_default(),
        "--access",
        level,
    ]);
    if !out.status.success() {
        return Err(format!(
            "export at {level} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut forbidden = match level {
        "public" => model.forbidden(Level::Public),
        "research" => model.forbidden(Level::Research),
        _ => Vec::new(),
    };
    forbidden.push(LEGAL);
    scan_dir(&bag, &forbidden)?;
    let _ = std::fs::remove_dir_all(&bag);
    // One OCFL root per level and archive, exported into again and again:
    // every version it keeps must hold nothing the model now closes.
    let archive = sys
        .archive
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    let root = sys.path().join(format!("ocfl-{level}-{archive}"));
    let out = sys.out(&[
        "export",
        "--ocfl",
        root.to_str().unwrap_or_default(),
        "--access",
        level,
    ]);
    if !out.status.success() {
        return Err(format!(
            "OCFL export at {level} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    scan_dir(&root, &forbidden)
}

fn scan_dir(dir: &Path, forbidden: &[&str]) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).map_err(|e| e.to_string())?;
            scan(
                &entry.path().display().to_string(),
                &String::from_utf8_lossy(&bytes),
                forbidden,
            )?;
        }
    }
    Ok(())
}
