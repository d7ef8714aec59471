//! One site's client: an `object_store` store with short timeouts and a
//! bounded number of retries (an unreachable site is reported within a
//! minute, throttling is retried with backoff a few times and then
//! reported), and the few operations replication needs, each streamed so
//! memory stays flat whatever the object's size.
//!
//! Every error leaving here is an `Error::Site` naming the site and what
//! went wrong in words, with any credential scrubbed from the store's own
//! text. It never touches the catalogue; callers record outcomes.

use std::fs::File;
use std::io::Read;
use std::path::Path as FsPath;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::multipart::MultipartStore;
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256 as Hasher};

use super::credentials;
use super::store_error::{describe, scrub};
use super::SiteUrl;
use crate::catalogue::sites::SiteRow;
use crate::error::{Error, Result};
use crate::model::Sha256;

/// Parts of a multipart upload; S3 wants at least 5 MiB but the last.
/// One part in flight at a time keeps memory near this size.
pub const PART: usize = 8 * 1024 * 1024;

/// The S3 client's limits (README, "When a site fails"): a connection is
/// given up after CONNECT_TIMEOUT; a request that sends no part is given
/// up when READ_TIMEOUT passes before its answer begins or between two
/// pieces of it, and after TIMEOUT in all; no retry starts once
/// RETRY_TIMEOUT has passed since the first try.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// A request that sends up to a part (8 MiB) has this long in all: the
/// upload needs about 190 KB/s (1.5 Mbit/s) to the site, and a site that
/// stalls mid-part is given up after it (the retry budget is spent by then).
pub const PART_TIMEOUT: Duration = Duration::from_secs(45);
pub const RETRY_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Remote {
    pub name: String,
    store: Arc<dyn ObjectStore>,
    /// The same site for requests that carry up to a part of bytes (a
    /// whole small object, a part, finishing an upload): no read timeout,
    /// since reqwest's runs from the start of the request to the answer's
    /// headers, so it would also bound the time to send the bytes.
    bulk: Arc<dyn ObjectStore>,
    /// The S3 client's low-level multipart API, so the upload id can be
    /// recorded before the first part and aborted by a later run.
    multipart: Option<Arc<dyn MultipartStore>>,
    prefix: String,
    local_root: Option<std::path::PathBuf>,
    secrets: Vec<String>,
    /// Set by the first error that says the site as a whole is not usable
    /// now (unreachable, too slow, full, credentials or bucket refused), so
    /// callers stop sending it work for the rest of the run instead of
    /// waiting out every request's timeout again.
    down: std::sync::Mutex<Option<String>>,
}

/// What `upload` reports while it works, for the caller to record.
pub enum UploadNote<'a> {
    Started(&'a str),
    Ended(&'a str),
}

impl Remote {
    pub fn new(row: &SiteRow, url: SiteUrl) -> Result<Remote> {
        match url {
            SiteUrl::File(dir) => {
                if !dir.is_dir() {
                    return Err(Error::Site(format!(
                        "site {}: folder {} is not there (is the disk mounted?)",
                        row.name,
                        dir.display()
                    )));
                }
                let fs = LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| Error::Site(format!("site {}: {e}", row.name)))?;
                let fs: Arc<dyn ObjectStore> = Arc::new(fs);
                Ok(Remote {
                    name: row.name.clone(),
                    store: fs.clone(),
                    bulk: fs,
                    multipart: None,
                    prefix: String::new(),
                    local_root: Some(dir),
                    secrets: Vec::new(),
                    down: Default::default(),
                })
            }
            SiteUrl::S3 { bucket, prefix } => {
                let creds = credentials::resolve(
                    &row.name,
                    row.credentials_file.as_deref().map(FsPath::new),
                    row.profile.as_deref(),
                )?;
                let endpoint = row.endpoint.clone();
                let plain_http = endpoint
                    .as_deref()
                    .is_some_and(|e| e.starts_with("http://"));
                // A site that stops answering is given up on within about
                // 30 s (two tries of READ_TIMEOUT, the retry budget); a
                // request that sends a part has PART_TIMEOUT in all.
                let options = ClientOptions::new()
                    .with_connect_timeout(CONNECT_TIMEOUT)
                    .with_allow_http(plain_http);
                let quick = options
                    .clone()
                    .with_read_timeout(READ_TIMEOUT)
                    .with_timeout(TIMEOUT);
                let bulk = options.with_timeout(PART_TIMEOUT);
                let retry = RetryConfig {
                    backoff: BackoffConfig {
                        init_backoff: Duration::from_millis(200),
                        max_backoff: Duration::from_secs(5),
                        base: 2.0,
                    },
                    max_retries: 3,
                    retry_timeout: RETRY_TIMEOUT,
                };
                let mut b = AmazonS3Builder::new()
                    .with_bucket_name(&bucket)
                    .with_region(row.region.as_deref().unwrap_or("us-east-1"))
                    .with_access_key_id(creds.key_id.expose_secret())
                    .with_secret_access_key(creds.secret.expose_secret())
                    .with_retry(retry);
                if let Some(t) = &creds.token {
                    b = b.with_token(t.expose_secret());
                }
                if let Some(e) = &endpoint {
                    // Most S3-compatible stores serve buckets as paths.
                    b = b.with_endpoint(e).with_virtual_hosted_style_request(false);
                }
                let secrets = creds.secrets();
                let build = |o: ClientOptions| {
                    b.clone().with_client_options(o).build().map_err(|e| {
                        Error::Site(format!(
                            "site {}: {}",
                            row.name,
                            scrub(&e.to_string(), &secrets)
                        ))
                    })
                };
                let (quick, bulk) = (Arc::new(build(quick)?), Arc::new(build(bulk)?));
                Ok(Remote {
                    name: row.name.clone(),
                    store: quick,
                    bulk: bulk.clone(),
                    multipart: Some(bulk),
                    prefix,
                    local_root: None,
                    secrets,
                    down: Default::default(),
                })
            }
        }
    }

    fn path(&self, key: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(key)
        } else {
            Key::from(format!("{}/{key}", self.prefix))
        }
    }

    fn fail(&self, what: &str, e: object_store::Error) -> Error {
        let (kind, words) = describe(&e, &self.secrets);
        let msg = format!("site {}: {what}: {words}", self.name);
        if kind.whole_site() {
            if let Ok(mut down) = self.down.lock() {
                down.get_or_insert_with(|| msg.clone());
            }
        }
        Error::Site(msg)
    }

    /// Why the site is not usable for the rest of this run, if an error
    /// said so.
    pub fn down(&self) -> Option<String> {
        self.down.lock().ok().and_then(|d| d.clone())
    }

    /// Lists the site's root: fails quickly on a wrong endpoint, wrong
    /// credentials or a missing bucket.
    pub fn probe(&self) -> Result<()> {
        super::runtime()?.block_on(async {
            let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
            self.store
                .list_with_delimiter(prefix.as_ref())
                .await
                .map(|_| ())
                .map_err(|e| self.fail("cannot be read", e))
        })
    }

    /// The digest and size of the object stored under `key`, streamed; None
    /// when there is no such object.
    pub async fn hash(&self, key: &str) -> Result<Option<(Sha256, u64)>> {
        let got = match self.store.get(&self.path(key)).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.fail(&format!("reading {key}"), e)),
        };
        let mut stream = got.into_stream();
        let mut h = Hasher::new();
        let mut n = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.fail(&format!("reading {key}"), e))?;
            h.update(&chunk);
            n += chunk.len() as u64;
        }
        Ok(Some((Sha256::from_digest(&h.finalize()), n)))
    }

    /// Streams the object under `key` into `out`, returning its digest.
    pub async fn download(&self, key: &str, out: &mut File) -> Result<Option<(Sha256, u64)>> {
        use std::io::Write;
        let got = match self.store.get(&self.path(key)).await {
            Ok(g) => g,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.fail(&format!("reading {key}"), e)),
        };
        let mut stream = got.into_stream();
        let mut h = Hasher::new();
        let mut n = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.fail(&format!("reading {key}"), e))?;
            h.update(&chunk);
            n += chunk.len() as u64;
            out.write_all(&chunk)
                .map_err(|e| Error::Site(format!("site {}: saving {key}: {e}", self.name)))?;
        }
        Ok(Some((Sha256::from_digest(&h.finalize()), n)))
    }

    /// Uploads the local file as `key`, in parts when large, hashing what
    /// it reads: when the bytes read are not `expected`, the upload is
    /// abandoned (a damaged local copy is never spread).
    pub async fn upload(
        &self,
        local: &FsPath,
        key: &str,
        expected: &Sha256,
        note: &mut dyn FnMut(UploadNote<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut file = File::open(local).map_err(|e| Error::io(local, e))?;
        let size = file.metadata().map_err(|e| Error::io(local, e))?.len();
        let path = self.path(key);
        let mut h = Hasher::new();
        if size <= PART as u64 {
            let mut buf = Vec::with_capacity(size as usize);
            file.read_to_end(&mut buf)
                .map_err(|e| Error::io(local, e))?;
            h.update(&buf);
            check_local(local, &Sha256::from_digest(&h.finalize()), expected)?;
            self.bulk
                .put(&path, PutPayload::from(buf))
                .await
                .map_err(|e| self.fail(&format!("writing {key}"), e))?;
            return Ok(());
        }
        match &self.multipart {
            Some(mp) => {
                let id = mp
                    .create_multipart(&path)
                    .await
                    .map_err(|e| self.fail(&format!("starting upload of {key}"), e))?;
                note(UploadNote::Started(&id))?;
                let result = self
                    .parts(mp.as_ref(), &path, &id, &mut file, local, expected)
                    .await;
                if let Err(e) = result {
                    // A site that stopped answering would make the abort
                    // wait out its timeouts too; the upload id stays
                    // recorded and the next run aborts it.
                    if self.down().is_none() && mp.abort_multipart(&path, &id).await.is_ok() {
                        note(UploadNote::Ended(&id))?;
                    }
                    return Err(e);
                }
                note(UploadNote::Ended(&id))?;
                Ok(())
            }
            None => {
                let mut up = self
                    .store
                    .put_multipart(&path)
                    .await
                    .map_err(|e| self.fail(&format!("starting upload of {key}"), e))?;
                let result: Result<()> = async {
                    loop {
                        let chunk = read_part(&mut file, local)?;
                        if chunk.is_empty() {
                            break;
                        }
                        h.update(&chunk);
                        up.put_part(PutPayload::from(chunk))
                            .await
                            .map_err(|e| self.fail(&format!("writing {key}"), e))?;
                    }
                    check_local(local, &Sha256::from_digest(&h.clone().finalize()), expected)?;
                    up.complete()
                        .await
                        .map_err(|e| self.fail(&format!("finishing {key}"), e))?;
                    Ok(())
                }
                .await;
                if result.is_err() {
                    let _ = up.abort().await;
                }
                result
            }
        }
    }

    async fn parts(
        &self,
        mp: &dyn MultipartStore,
        path: &Key,
        id: &str,
        file: &mut File,
        local: &FsPath,
        expected: &Sha256,
    ) -> Result<()> {
        let mut h = Hasher::new();
        let mut parts = Vec::new();
        loop {
            let chunk = read_part(file, local)?;
            if chunk.is_empty() {
                break;
            }
            h.update(&chunk);
            let part = mp
                .put_part(path, &id.to_string(), parts.len(), PutPayload::from(chunk))
                .await
                .map_err(|e| {
                    self.fail(&format!("writing part {} of {path}", parts.len() + 1), e)
                })?;
            parts.push(part);
        }
        check_local(local, &Sha256::from_digest(&h.finalize()), expected)?;
        mp.complete_multipart(path, &id.to_string(), parts)
            .await
            .map_err(|e| self.fail(&format!("finishing {path}"), e))?;
        Ok(())
    }

    /// Crash tests only: replaces the object under `key` with other bytes.
    #[cfg(feature = "failpoints")]
    pub async fn overwrite_for_test(&self, key: &str) -> Result<()> {
        self.store
            .put(
                &self.path(key),
                PutPayload::from(b"not what was sent".to_vec()),
            )
            .await
            .map(|_| ())
            .map_err(|e| self.fail(&format!("writing {key}"), e))
    }

    /// Writes a small object in one request.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.bulk
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| self.fail(&format!("writing {key}"), e))
    }

    /// A small object read whole; None when there is none.
    pub async fn get_bytes(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match self.store.get(&self.path(key)).await {
            Ok(g) => g
                .bytes()
                .await
                .map(|b| Some(b.to_vec()))
                .map_err(|e| self.fail(&format!("reading {key}"), e)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(&format!("reading {key}"), e)),
        }
    }

    /// Aborts an upload a killed run left behind.
    pub async fn abort(&self, key: &str, id: &str) -> Result<()> {
        if let Some(mp) = &self.multipart {
            match mp.abort_multipart(&self.path(key), &id.to_string()).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(self.fail(&format!("aborting an upload of {key}"), e)),
            }
        }
        Ok(())
    }

    /// Removes what an interrupted upload to a folder site left (the
    /// `object_store` local store stages parts as `<key>#<n>`).
    pub fn clean_local_leftovers(&self) -> usize {
        let Some(root) = &self.local_root else {
            return 0;
        };
        let mut n = 0;
        for e in walkdir::WalkDir::new(root.join("objects"))
            .into_iter()
            .filter_map(|e| e.ok())
        {
            if e.file_type().is_file()
                && e.file_name().to_string_lossy().contains('#')
                && std::fs::remove_file(e.path()).is_ok()
            {
                n += 1;
            }
        }
        n
    }

    /// Deletes `key` and confirms it is gone.
    pub async fn delete(&self, key: &str) -> Result<()> {
        let path = self.path(key);
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(self.fail(&format!("deleting {key}"), e)),
        }
        match self.store.head(&path).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            Ok(_) => Err(Error::Site(format!(
                "site {}: {key} is still there after deleting it",
                self.name
            ))),
            Err(e) => Err(self.fail(&format!("confirming the deletion of {key}"), e)),
        }
    }

    /// Every object key under the site's `objects/`.
    pub fn list_objects(&self) -> Result<Vec<String>> {
        super::runtime()?.block_on(async {
            let base = self.path("objects");
            let strip = if self.prefix.is_empty() {
                String::new()
            } else {
                format!("{}/", self.prefix)
            };
            let mut out = Vec::new();
            let mut s = self.store.list(Some(&base));
            while let Some(m) = s.next().await {
                let m = m.map_err(|e| self.fail("listing objects/", e))?;
                let full = m.location.to_string();
                out.push(full.strip_prefix(&strip).unwrap_or(&full).to_string());
            }
            Ok(out)
        })
    }
}

fn read_part(file: &mut File, local: &FsPath) -> Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(PART);
    file.by_ref()
        .take(PART as u64)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(local, e))?;
    Ok(buf)
}

fn check_local(local: &FsPath, got: &Sha256, expected: &Sha256) -> Result<()> {
    if got == expected {
        Ok(())
    } else {
        Err(Error::Failed(format!(
            "{}: the local object does not match its digest; not copied (run `custos verify`, then `custos repair`)",
            local.display()
        )))
    }
}
