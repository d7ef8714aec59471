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
mod results;
mod routes;
mod search;
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
/// Archives searches may not take, so item pages always find one: all
/// but one per CPU core. A search that is not kept from before is CPU
/// work from start to end; more of them at once than there are cores
/// only share the cores more finely, while every item page (and every
/// kept search page, read in the light lane) waits for its share.
fn reserved_for_items() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    POOL_SIZE - cores.clamp(1, POOL_SIZE - 2)
}
/// Threads for reads and log writes: the pool's archives, the access
/// log's writer and a few waiting their turn.
const BLOCKING_THREADS: usize = POOL_SIZE * 2;

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
    let pool = ReadPool::with_reserve(&root, POOL_SIZE, reserved_for_items())?;
    let state = AppState::new(pool, a.access);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Reads wait for one of POOL_SIZE archives anyway: more threads
        // would only wait too, each with its own allocator arena.
        .max_blocking_threads(BLOCKING_THREADS)
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
        // Counted at start, off the clock: the first readers then find
        // the home page's holdings ready.
        pages::count_later(&state, a.access);
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
