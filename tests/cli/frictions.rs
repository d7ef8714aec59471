//! First-week frictions of issue 18 that live in the command line's words:
//! a date in a common free-text form is refused with the EDTF form to
//! type, `edit --help` / `untag --help` say what those commands do, and
//! an import says which item each file became.

use crate::harness::{run, Env};

#[test]
fn a_free_text_date_is_refused_with_the_edtf_form_to_type() {
    let env = Env::with_archive();
    let f = env.write("d.txt", "A fictional note.");
    for (typed, wanted) in [
        ("13 January 1990", "1990-01-13"),
        ("1990/01/13", "1990-01-13"),
        ("1990-21", "1990-03/1990-05"),
    ] {
        let mut c = env.cmd();
        c.arg("import").arg(&f).args(["--date", typed]);
        let (code, _, err) = run(c);
        assert_eq!(code, 2, "{typed}: {err}");
        assert!(err.contains(wanted), "{typed}: {err}");
    }
    let items = env.json(&["list", "--format", "json"]);
    assert_eq!(items.as_array().map(Vec::len), Some(0), "nothing imported");
}

#[test]
fn edit_and_untag_help_say_what_they_do() {
    let env = Env::new();
    let help = |args: &[&str]| {
        let mut c = env.cmd();
        c.args(args);
        run(c).1
    };
    let edit = help(&["edit", "--help"]);
    assert!(edit.contains("A new title"), "{edit}");
    assert!(!edit.contains("only when importing"), "{edit}");
    let untag = help(&["untag", "--help"]);
    assert!(untag.starts_with("Unlink an item"), "{untag}");
    let tag = help(&["tag", "--help"]);
    assert!(tag.starts_with("Link an item"), "{tag}");
}

#[test]
fn an_import_names_the_items_it_made() {
    let env = Env::with_archive();
    let a = env.write("few/a.txt", "A fictional letter from Corran Ford.");
    let b = env.write("few/b.txt", "A fictional list of boats.");
    let mut c = env.cmd();
    c.arg("import").arg(&a).arg(&b);
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("item 1: ") && err.contains("item 2: "),
        "{err}"
    );
    let mut c = env.cmd();
    c.arg("import").arg(&a);
    let (_, _, err) = run(c);
    assert!(err.contains("item 1 (already in the archive)"), "{err}");
    for i in 0..25 {
        env.write(
            &format!("many/{i:02}.txt"),
            format!("Fictional note number {i}."),
        );
    }
    let mut c = env.cmd();
    c.arg("import").arg(env.path().join("many"));
    let (code, _, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("new items: 3–27"), "{err}");
}
