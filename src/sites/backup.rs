//! `backup --site NAME` and `restore --site NAME|URL DIR`: a catalogue
//! snapshot at a site, and an archive rebuilt from one.
//!
//! A backup first makes sure the site holds a confirmed copy of every
//! object (as `replicate` does, recording each), then uploads a `VACUUM
//! INTO` snapshot under `catalogue/<stamp>/custos.db` with its SHA-256
//! (`custos.db.sha256`, `sha256sum -c` format) and the history's head
//! (`custos-head.txt`), and last `catalogue/LATEST` naming the stamp, so a
//! half-done backup is never the latest. A restore reads LATEST, checks the
//! snapshot's digest, rebuilds the folder (every object fetched, hashed and
//! made durable before it counts), then verifies the result. It never
//! writes into an existing archive.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::archive::{Archive, Mode, DB_FILE};
use crate::catalogue::copies;
use crate::catalogue::events;
use crate::catalogue::fixity::{self as rows, Outcome};
use crate::catalogue::sites::{self, SiteRow};
use crate::error::{Error, Result};
use crate::fixity::{self, VerifyOptions};
use crate::model::Sha256;
use crate::store::{self, Staging};

use super::{key_of, Remote};

/// What `backup --site` did.
#[derive(Debug)]
pub struct SiteBackup {
    pub site: String,
    pub prefix: String,
    pub head: String,
    pub copied: u64,
}

pub fn backup_to_site(archive: &mut Archive, site: &str, agent: &str) -> Result<SiteBackup> {
    let row = sites::require(archive.conn(), site)?;
    let remote = super::connect(&row)?;
    remote.probe()?;
    // Every object the snapshot will name must be at the site first.
    let good: std::collections::BTreeSet<i64> = copies::all(archive.conn(), Some(row.id))?
        .into_iter()
        .filter(|c| c.outcome == Outcome::Ok.as_str())
        .map(|c| c.object_id)
        .collect();
    let mut copied = 0;
    for obj in copies::wanted(archive.conn())? {
        if !good.contains(&obj.object_id) {
            super::replicate::copy_one(archive, &row, &remote, &obj, agent, "copied")?;
            copied += 1;
        }
    }
    let staging = Staging::new(&archive.staging_dir())?;
    let db = staging.dir().join("snapshot.db");
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&db)
        .map_err(|e| Error::io(&db, e))?;
    archive.vacuum_into(&db)?;
    let (sha, _) = store::hash_file(&db).map_err(|e| Error::io(&db, e))?;
    let head = {
        let snap =
            rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        events::head_with_id(&snap)?.1
    };
    let stamp = crate::clock::now_rfc3339().replace(':', "");
    let prefix = format!("catalogue/{stamp}");
    let rt = super::runtime()?;
    rt.block_on(async {
        remote
            .upload(&db, &format!("{prefix}/{DB_FILE}"), &sha, &mut |_| Ok(()))
            .await?;
        remote
            .put_text(
                &format!("{prefix}/{DB_FILE}.sha256"),
                &format!("{}  {DB_FILE}\n", sha.as_str()),
            )
            .await?;
        remote
            .put_text(&format!("{prefix}/custos-head.txt"), &format!("{head}\n"))
            .await?;
        match remote.hash(&format!("{prefix}/{DB_FILE}")).await? {
            Some((got, _)) if got == sha => {}
            _ => {
                return Err(Error::Site(format!(
                    "site {}: the catalogue snapshot did not read back right; LATEST was not moved",
                    row.name
                )))
            }
        }
        remote
            .put_text("catalogue/LATEST", &format!("{stamp}\n"))
            .await
    })?;
    let _ = fs::remove_file(&db);
    let now = crate::clock::now_rfc3339();
    archive.write(|tx| {
        let detail = serde_json::json!({ "site": row.name, "backup": prefix, "head": head });
        events::EventLog::new(tx)?.append(
            events::EventType::Export,
            None,
            agent,
            "success",
            Some(&detail),
            &now,
        )?;
        Ok(())
    })?;
    Ok(SiteBackup {
        site: row.name,
        prefix,
        head,
        copied,
    })
}

/// Where to restore from: a site of the current archive, or given whole.
pub struct RestoreFrom {
    pub site: SiteRow,
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub dir: PathBuf,
    pub head: String,
    pub objects: u64,
    pub failures: Vec<String>,
    pub damaged: bool,
}

/// A site row for a URL given on the command line (nothing is stored).
pub fn site_from_url(
    url: &str,
    endpoint: Option<String>,
    region: Option<String>,
    credentials_file: Option<PathBuf>,
    profile: Option<String>,
) -> Result<SiteRow> {
    let parsed: super::SiteUrl = url.parse().map_err(Error::usage)?;
    Ok(SiteRow {
        id: 0,
        name: "restore".into(),
        url: parsed.to_string(),
        endpoint,
        region,
        credentials_file: credentials_file.map(|p| p.to_string_lossy().into_owned()),
        profile,
        added_at: String::new(),
    })
}

/// A site of the archive at `archive` by name.
pub fn site_named(archive: &Archive, name: &str) -> Result<SiteRow> {
    sites::require(archive.conn(), name)
}

pub fn restore_from_site(from: &RestoreFrom, dir: &Path, agent: &str) -> Result<Restored> {
    let remote = super::connect(&from.site)?;
    remote.probe()?;
    if dir.exists()
        && fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .next()
            .is_some()
    {
        return Err(Error::usage(format!(
            "{} is not empty; restore into a new or empty folder",
            dir.display()
        )));
    }
    let rt = super::runtime()?;
    let stamp = rt
        .block_on(remote.get_text("catalogue/LATEST"))?
        .ok_or_else(|| {
            Error::Site(format!(
                "site {}: no catalogue backup there (run `custos backup --site NAME` first)",
                from.site.name
            ))
        })?;
    let prefix = format!("catalogue/{}", stamp.trim());
    let listed = rt
        .block_on(remote.get_text(&format!("{prefix}/{DB_FILE}.sha256")))?
        .unwrap_or_default();
    let want: Sha256 = listed
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Error::Site(format!(
                "site {}: {prefix}/{DB_FILE}.sha256 is missing or malformed",
                from.site.name
            ))
        })?;
    let existed = dir.exists();
    let result = rebuild(from, &remote, dir, &prefix, &want, agent);
    if result.is_err() {
        // Leave nothing that looks like an archive behind.
        if existed {
            for sub in [DB_FILE, "objects", "staging"] {
                let p = dir.join(sub);
                let _ = fs::remove_dir_all(&p).or_else(|_| fs::remove_file(&p));
            }
        } else {
            let _ = fs::remove_dir_all(dir);
        }
    }
    result
}

fn rebuild(
    from: &RestoreFrom,
    remote: &Remote,
    dir: &Path,
    prefix: &str,
    want: &Sha256,
    agent: &str,
) -> Result<Restored> {
    let rt = super::runtime()?;
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true).mode(0o700);
    for sub in ["", "objects", "staging"] {
        let p = dir.join(sub);
        builder.create(&p).map_err(|e| Error::io(&p, e))?;
    }
    store::init_staging(&dir.join("staging"))?;
    let db = dir.join(DB_FILE);
    let tmp = dir.join("staging").join("restore.db");
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(|e| Error::io(&tmp, e))?;
    let got = rt.block_on(remote.download(&format!("{prefix}/{DB_FILE}"), &mut f))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    drop(f);
    match got {
        Some((sha, _)) if sha == *want => {}
        _ => {
            return Err(Error::Site(format!(
                "site {}: the catalogue snapshot {prefix}/{DB_FILE} does not match its digest; nothing restored",
                from.site.name
            )));
        }
    }
    fs::rename(&tmp, &db).map_err(|e| Error::io(&db, e))?;
    let mut archive = Archive::open(dir, Mode::Write)?;
    let head = events::head_with_id(archive.conn())?.1;
    let expected = rows::expected(archive.conn())?;
    let staging = Staging::new(&archive.staging_dir())?;
    let objects = archive.objects_dir();
    let mut written = Vec::new();
    let mut failures = Vec::new();
    for e in &expected {
        let part = staging.dir().join("part");
        let result = (|| -> Result<()> {
            let mut f = fs::File::create(&part).map_err(|e| Error::io(&part, e))?;
            match rt.block_on(remote.download(&key_of(&e.sha256), &mut f))? {
                Some((sha, _)) if sha == e.sha256 => {}
                Some(_) => {
                    return Err(Error::Failed(format!(
                        "{} at the site does not match its digest",
                        key_of(&e.sha256)
                    )))
                }
                None => {
                    return Err(Error::Failed(format!(
                        "{} is not at the site",
                        key_of(&e.sha256)
                    )))
                }
            }
            drop(f);
            let file = fs::File::open(&part).map_err(|e| Error::io(&part, e))?;
            let staged = staging.copy_in(file)?;
            written.push(staged.persist(&objects)?);
            Ok(())
        })();
        let _ = fs::remove_file(&part);
        if let Err(err) = result {
            failures.push(err.to_string());
        }
    }
    store::sync_batch(&objects, &written)?;
    drop(staging);
    let report = fixity::verify(
        &mut archive,
        &VerifyOptions {
            items: Vec::new(),
            sample: None,
            jobs: None,
            head: Some(head.clone()),
            record: false,
            agent: agent.to_string(),
            depth: fixity::Depth::Archive,
        },
        &indicatif::ProgressBar::hidden(),
    )?;
    Ok(Restored {
        dir: dir.to_path_buf(),
        head,
        objects: written.len() as u64,
        failures,
        damaged: report.damaged(),
    })
}

impl Remote {
    /// Writes a small text file under `key`.
    pub async fn put_text(&self, key: &str, text: &str) -> Result<()> {
        self.put_bytes(key, text.as_bytes().to_vec()).await
    }

    /// A small text file under `key`, None when there is none.
    pub async fn get_text(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .get_bytes(key)
            .await?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }
}
