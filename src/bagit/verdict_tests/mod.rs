//! Verdicts per BagIt version and rule, from bags written by hand: each row
//! is a version, what is special about the bag, the verdict, and a reason
//! that must appear (a problem kind or words of its detail; for a valid bag,
//! of a warning).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::*;

mod rows;
use rows::rows;

/// A bag in memory, written to a folder at the end. Tag files are kept as
/// UTF-8 text and encoded on writing, so each row can say what it changes.
struct Bag {
    version: &'static str,
    /// (path on disk, path as the manifest writes it, content); a `None`
    /// path on disk is a file listed but not present.
    payload: Vec<(Option<String>, String, Vec<u8>)>,
    manifest_extra: String,
    tags: BTreeMap<String, String>,
    /// Declared encoding and its encoder, for every tag file but bagit.txt.
    encoding: (&'static str, fn(&str) -> Vec<u8>),
    bagit_txt: Option<Vec<u8>>,
    tagmanifest: bool,
    /// Files (re)written after the manifests were made: damage.
    overwrite: Vec<(&'static str, &'static [u8])>,
}

fn utf8(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

fn utf16_bom(s: &str) -> Vec<u8> {
    let mut b = vec![0xFE, 0xFF];
    b.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
    b
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| u8::try_from(c as u32).unwrap()).collect()
}

fn sha256(b: &[u8]) -> String {
    hash_reader(b, &[Algorithm::Sha256]).unwrap().0.remove(0)
}

fn md5(b: &[u8]) -> String {
    hash_reader(b, &[Algorithm::Md5]).unwrap().0.remove(0)
}

impl Bag {
    fn new(version: &'static str) -> Bag {
        let info = if Version::parse(version).is_some_and(|v| v <= Version::V0_95) {
            "package-info.txt"
        } else {
            "bag-info.txt"
        };
        let mut b = Bag {
            version,
            payload: Vec::new(),
            manifest_extra: String::new(),
            tags: BTreeMap::new(),
            encoding: ("UTF-8", utf8),
            bagit_txt: None,
            tagmanifest: false,
            overwrite: Vec::new(),
        };
        b.tags.insert(
            info.into(),
            "Source-Organization: Test\nPayload-Oxum: {OXUM}\n".into(),
        );
        b.file("data/a.txt", b"alpha");
        b.file("data/sub/b.txt", b"bravo!");
        b
    }

    fn file(&mut self, path: &str, content: &[u8]) -> &mut Bag {
        self.listed(path, path, content)
    }

    fn listed(&mut self, disk: &str, written: &str, content: &[u8]) -> &mut Bag {
        self.payload
            .push((Some(disk.into()), written.into(), content.to_vec()));
        self
    }

    fn absent(&mut self, written: &str, content: &[u8]) -> &mut Bag {
        self.payload.push((None, written.into(), content.to_vec()));
        self
    }

    fn tag(&mut self, name: &str, text: &str) -> &mut Bag {
        self.tags.insert(name.into(), text.into());
        self
    }

    fn info_line(&mut self, line: &str) -> &mut Bag {
        let info = if self.tags.contains_key("package-info.txt") {
            "package-info.txt"
        } else {
            "bag-info.txt"
        };
        self.tags
            .get_mut(info)
            .unwrap()
            .push_str(&format!("{line}\n"));
        self
    }

    fn write(&self, dir: &Path) {
        fs::create_dir_all(dir.join("data")).unwrap();
        let (mut bytes, mut files) = (0usize, 0usize);
        let mut manifest = String::new();
        for (disk, written, content) in &self.payload {
            manifest.push_str(&format!("{}  {written}\n", sha256(content)));
            if let Some(disk) = disk {
                let p = dir.join(disk);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, content).unwrap();
                bytes += content.len();
                files += 1;
            }
        }
        manifest.push_str(&self.manifest_extra);
        let (label, encode) = self.encoding;
        let bagit = self.bagit_txt.clone().unwrap_or_else(|| {
            format!(
                "BagIt-Version: {}\nTag-File-Character-Encoding: {label}\n",
                self.version
            )
            .into_bytes()
        });
        let mut tags: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        tags.insert("bagit.txt".into(), bagit);
        tags.insert("manifest-sha256.txt".into(), encode(&manifest));
        for (name, text) in &self.tags {
            let text = text.replace("{OXUM}", &format!("{bytes}.{files}"));
            tags.insert(name.clone(), encode(&text));
        }
        let mut tm = String::new();
        for (name, content) in &tags {
            fs::write(dir.join(name), content).unwrap();
            tm.push_str(&format!("{}  {name}\n", md5(content)));
        }
        if self.tagmanifest {
            fs::write(dir.join("tagmanifest-md5.txt"), encode(&tm)).unwrap();
        }
        for (path, content) in &self.overwrite {
            fs::write(dir.join(path), content).unwrap();
        }
    }
}

type Build = fn(&mut Bag);

#[test]
fn verdicts_per_version_and_rule() {
    let mut failures = Vec::new();
    let rows = rows();
    for (version, what, build, want, reason) in &rows {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("bag");
        let mut bag = Bag::new(version);
        build(&mut bag);
        bag.write(&dir);
        let r = validate(&dir).unwrap();
        let said: Vec<String> = (if *want == Verdict::Valid {
            &r.warnings
        } else {
            &r.problems
        })
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                serde_json::to_value(p.problem).unwrap().as_str().unwrap(),
                p.path,
                p.detail
            )
        })
        .collect();
        let ok = r.verdict() == *want
            && r.verdict == *want
            && r.valid == (*want == Verdict::Valid)
            && if reason.is_empty() {
                said.is_empty()
            } else {
                said.iter().any(|s| s.contains(reason))
            };
        if !ok {
            failures.push(format!(
                "{version} {what}: want {want:?} with {reason:?}, got {:?}: {:#?}",
                r.verdict(),
                said
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows wrong:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}
