//! `custos access-copy ITEM --access LEVEL --out FILE`: the recording as a
//! reader at that level may hear it. Parse, call the reader, report.

use std::path::Path;

use custos::archive::Mode;
use custos::cli::AccessCopyArgs;
use custos::error::Result;
use custos::reader::Reader;

pub fn run(archive_arg: Option<&Path>, a: AccessCopyArgs) -> Result<()> {
    let archive = super::open(archive_arg, Mode::Read)?;
    let access = super::access(&archive, &a.access)?;
    let n = Reader::new(&archive, access, custos::clock::today()).access_copy(
        &custos::sites::primary::Objects::of(&archive)?,
        a.id,
        &a.out,
    )?;
    super::note(format!(
        "item {}: access copy for {access} written to {} ({n} closed passage(s) silenced)",
        a.id,
        a.out.display()
    ));
    Ok(())
}
