//! A `custos serve` on a loopback port the OS picks, stopped with SIGTERM
//! when dropped, and a small blocking HTTP client (ureq) for it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::Env;

pub struct Server {
    child: Child,
    pub base: String,
    stderr: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

/// One answer: status, headers (lowercase names) and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Headers and body as one byte string, for canary scans.
    pub fn all_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for (n, v) in &self.headers {
            all.extend(format!("{n}: {v}\n").into_bytes());
        }
        all.extend(&self.body);
        all
    }
    /// The headers that can differ between two identical answers removed.
    pub fn without_date(&self) -> Answer {
        Answer {
            headers: self
                .headers
                .iter()
                .filter(|(n, _)| n != "date")
                .cloned()
                .collect(),
            ..self.clone()
        }
    }
}

impl Server {
    /// Starts `custos serve` with `args` and waits until it listens.
    pub fn start(env: &Env, args: &[&str]) -> Server {
        Server::spawn(env.spawnable(), args)
    }

    /// Starts `custos serve` from `cmd` (its environment and archive).
    pub fn spawn(mut cmd: std::process::Command, args: &[&str]) -> Server {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn custos serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let log = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                // Logged before the URL is sent, so a caller that has the
                // URL also sees the line that announced it.
                {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
                if let Some(at) = line.find("http://") {
                    let _ = tx.send(line[at..].trim_end_matches('/').to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("custos serve did not start: {}", stderr.lock().unwrap()));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Server {
            child,
            base,
            stderr,
            agent,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// GET `path` (starting with `/`) with extra request headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.agent.get(format!("{}{path}", self.base));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        let mut resp = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_else(|e| panic!("GET {path}: body: {e}"));
        Answer {
            status,
            headers,
            body,
        }
    }

    /// GET `path` until the page no longer says its counts are being
    /// computed (the server counts in the background): at most a minute.
    pub fn counted_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let start = Instant::now();
        loop {
            let a = self.get_with(path, headers);
            if !a.text().contains("being counted") || start.elapsed() > Duration::from_secs(60) {
                return a;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn counted(&self, path: &str) -> Answer {
        self.counted_with(path, &[])
    }

    pub fn get(&self, path: &str) -> Answer {
        self.get_with(path, &[])
    }

    /// POST a form body.
    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        let mut resp = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_form(form.iter().copied())
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = resp.body_mut().read_to_vec().unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Sends SIGTERM and waits for the exit; returns the exit code.
    pub fn stop(mut self) -> Option<i32> {
        self.terminate()
    }

    fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: a plain signal to our own child process.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

/// Every same-site link (`href` and `src` attribute) in an HTML page.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "action=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let Some(end) = rest.find('"') else { break };
            let link = rest[..end].replace("&amp;", "&");
            let link = link.split('#').next().unwrap_or("").to_string();
            if link.starts_with('/') && !link.starts_with("//") {
                out.push(link);
            }
        }
    }
    out
}
