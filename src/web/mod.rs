//! `custos serve`: the read-only web portal (issue 15). It lives in the
//! binary, like the commands, so it reaches the archive only through the
//! library's public read API (`custos::reader`, `custos::report`): the
//! same policy and the same read path as the command line, never rows or
//! SQL of its own.
//!
//! This module starts the server and stops it; it must never serve the
//! custodian level, and never decide what a reader may see.

mod api;
mod claims;
mod copy_cache;
mod item;
mod login;
mod narrator;
pub mod oai;
mod original;
mod pages;
mod routes;
mod state;
mod term;
mod who;

use std::path::Path;

use custos::archive::pool::ReadPool;
use custos::cli::ServeArgs;
use custos::error::{Error, Result};

pub use routes::router;
pub use state::AppState;

/// Read connections open at once (each with its page cache): requests
/// beyond this wait for one, so memory does not grow with the number of
/// clients.
const POOL_SIZE: usize = 8;
/// Archives searches may not take, so item pages always find one.
const RESERVED_FOR_ITEMS: usize = 2;

pub fn serve(archive_arg: Option<&Path>, a: ServeArgs) -> Result<()> {
    if !a.listen.ip().is_loopback() {
        // The server speaks plain HTTP: tokens and cookies would cross the
        // network in clear text.
        eprintln!(
            "custos: warning: serving on {} without TLS; bind to 127.0.0.1 and put a reverse proxy with TLS in front (README: Serving the archive to researchers)",
            a.listen
        );
    }
    let root = custos::archive::locate(archive_arg)?;
    let pool = ReadPool::with_reserve(&root, POOL_SIZE, RESERVED_FOR_ITEMS)?;
    let state = AppState::new(pool, a.access);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("cannot start the web server: {e}")))?;
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .map_err(|e| Error::Failed(format!("cannot listen on {}: {e}", a.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Failed(format!("cannot listen on {}: {e}", a.listen)))?;
        // The actual address, so `--listen 127.0.0.1:0` tells its port.
        eprintln!("custos: serving at {} level on http://{addr}/", a.access);
        let oai = oai::for_serve(&root, &a, addr)?;
        tokio::spawn(pages::warm(state.clone(), a.access));
        axum::serve(listener, router(state).layer(axum::Extension(oai)))
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Error::Failed(format!("the web server stopped: {e}")))
    });
    copy_cache::clear();
    served
}

/// Resolves on Ctrl-C or SIGTERM; requests in flight then finish.
async fn shutdown() {
    let ctrl_c = async {
        // Without a handler there is nothing to wait for but SIGTERM.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
