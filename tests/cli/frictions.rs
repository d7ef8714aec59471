//! First-week frictions of issue 18 that live in the command line's words:
//! a date in a common free-text form is refused with the EDTF form to
//! type, and `edit --help` / `untag --help` say what those commands do.

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
