//! `custos backup`: a consistent, verified copy with its recorded head.

use serde_json::Value;

use crate::harness::{run, Env};

#[test]
fn a_backup_is_a_verified_copy_that_records_the_head() {
    let env = Env::with_archive();
    let ids = env.import_fixtures();
    let head_before = String::from_utf8(env.cmd().args(["log", "--head"]).output().unwrap().stdout)
        .unwrap()
        .trim()
        .to_string();
    let dest = env.path().join("copy");
    let out = env.cmd().arg("backup").arg(&dest).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(printed, head_before);
    let recorded = std::fs::read_to_string(dest.join("custos-head.txt")).unwrap();
    assert_eq!(recorded.trim(), head_before);
    // Same objects, byte for byte.
    let snap = |d: &std::path::Path| {
        Env::snapshot(&d.join("objects"))
            .into_iter()
            .map(|(p, b)| (p.strip_prefix(d).unwrap().to_path_buf(), b))
            .collect::<Vec<_>>()
    };
    assert_eq!(snap(&dest), snap(&env.archive()));
    // The copy is an archive of its own that verifies, items and history alike.
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &dest)
        .args(["verify", "--head", &head_before]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &dest)
        .args(["list", "--format", "json"]);
    let (_, listed, _) = run(c);
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), ids.len());
    // The source notes the backup, and the recorded head stays in its chain.
    let exports = env.json(&["log", "--type", "export", "--format", "json"]);
    assert_eq!(exports[0]["detail"]["head"], head_before.as_str());
    let mut c = env.cmd();
    c.args(["verify", "--head", &head_before]);
    assert_eq!(run(c).0, 0);
}

#[test]
fn refuses_a_non_empty_destination_or_one_inside_the_archive() {
    let env = Env::with_archive();
    env.import_fixtures();
    let busy = env.write("elsewhere/keep.txt", "mine");
    let mut c = env.cmd();
    c.arg("backup").arg(busy.parent().unwrap());
    assert_eq!(run(c).0, 2);
    assert_eq!(std::fs::read(&busy).unwrap(), b"mine");
    let mut c = env.cmd();
    c.arg("backup").arg(env.archive().join("inner"));
    assert_eq!(run(c).0, 2);
    assert!(!env.archive().join("inner").exists());
}

#[test]
fn a_damaged_source_gives_a_failed_backup() {
    let env = Env::with_archive();
    let ids = env.import_fixtures();
    let show = env.json(&["show", &ids[0].to_string(), "--format", "json"]);
    let sha = show["sha256"].as_str().unwrap();
    let p = env
        .archive()
        .join("objects")
        .join(&sha[0..2])
        .join(&sha[2..4])
        .join(sha);
    std::fs::remove_file(p).unwrap();
    let mut c = env.cmd();
    c.arg("backup").arg(env.path().join("copy"));
    let (code, _, err) = run(c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("INCOMPLETE"), "{err}");
    assert!(err.contains(sha), "names the object: {err}");
}

#[test]
fn a_backup_taken_during_an_import_is_consistent() {
    let env = Env::with_archive();
    env.import_fixtures();
    let data = crate::crash::make_data(&env, "data", 400, 2);
    let mut import = env.spawnable();
    import
        .arg("import")
        .arg(&data)
        .stderr(std::process::Stdio::null());
    let mut child = import.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let dest = env.path().join("copy");
    let out = env.cmd().arg("backup").arg(&dest).output().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut c = env.cmd();
    c.env("CUSTOS_ARCHIVE", &dest).args(["verify"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
}
