//! The item field registry: every field of an item record declared once,
//! with what each consumer needs to know of it — its name (the JSON key,
//! query field, `--clear` value and manifest column), its table header,
//! where it is stored, whether and how it can be edited, who may see it,
//! its Dublin Core element, and whether `list` shows it in a table.
//!
//! Listings, CSV and Dublin Core columns, `--clear` and the edit rules are
//! read from here; the typed record (`ItemRecord`), its view, the query
//! allow-list and the manifest columns are bound to it by tests in this
//! module, so a field added in one place and not the others fails the
//! build's tests. It decides nothing about a given reader: `Seen` only
//! names which of the policy's grants governs the field.

use crate::output::{bytes_col, col, hash_col, Column};

/// Where the value is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A column of `items`.
    Item(&'static str),
    /// A column of the item's object (`objects`).
    Object(&'static str),
    /// A column of the item's first provenance record.
    Provenance(&'static str),
}

/// Whether `edit` may change the field, and clear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// Set at import from the bytes or the provenance; never edited.
    Fixed,
    /// Editable, never empty (title, kind).
    Required,
    /// Editable, and `--clear` empties it.
    Clearable,
}

/// Which of the policy's grants governs the field (`policy::Grant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Kept even on a closed or withdrawn entry (id, kind, collection).
    Listed,
    /// Only where the item is open to the reader.
    Open,
    /// Open, and only with the origin grant (a path can name people).
    Origin,
    /// Open, and only with the digest grant (hashing candidate names into
    /// a redacted text would confirm them).
    Digest,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldDef {
    pub name: &'static str,
    pub header: &'static str,
    pub stored: Stored,
    pub edit: Edit,
    pub seen: Seen,
    /// Shown below custodian beside a redacted item's redacted copy (which
    /// replaces title and description), so a new value is checked against
    /// the item's sealed terms.
    pub beside_redacted: bool,
    /// A query field of the same name exists (`custos fields`).
    pub query: bool,
    /// A manifest column of the same name sets it at import.
    pub manifest: bool,
    pub dublin_core: Option<&'static str>,
    /// In `list`'s table (CSV, TSV and JSON carry every field).
    pub in_table: bool,
    /// Counted in bytes (KiB/MiB in tables).
    pub bytes: bool,
}

const fn field(name: &'static str, header: &'static str, stored: Stored, seen: Seen) -> FieldDef {
    FieldDef {
        name,
        header,
        stored,
        edit: Edit::Fixed,
        seen,
        beside_redacted: false,
        query: true,
        manifest: false,
        dublin_core: None,
        in_table: false,
        bytes: false,
    }
}

/// Every field of an item record, in the record's order.
pub const ITEM_FIELDS: &[FieldDef] = &[
    FieldDef {
        dublin_core: Some("dc:identifier"),
        in_table: true,
        ..field("id", "ID", Stored::Item("id"), Seen::Listed)
    },
    FieldDef {
        edit: Edit::Required,
        manifest: true,
        dublin_core: Some("dc:title"),
        in_table: true,
        ..field("title", "Title", Stored::Item("title"), Seen::Open)
    },
    FieldDef {
        edit: Edit::Required,
        manifest: true,
        dublin_core: Some("dc:type"),
        in_table: true,
        ..field("kind", "Kind", Stored::Item("kind"), Seen::Listed)
    },
    FieldDef {
        edit: Edit::Clearable,
        manifest: true,
        dublin_core: Some("dc:date"),
        in_table: true,
        ..field("date", "Date", Stored::Item("date"), Seen::Open)
    },
    FieldDef {
        dublin_core: Some("custos:sha256"),
        ..field("sha256", "SHA-256", Stored::Object("sha256"), Seen::Digest)
    },
    FieldDef {
        in_table: true,
        bytes: true,
        ..field("size", "Size", Stored::Object("size"), Seen::Digest)
    },
    FieldDef {
        dublin_core: Some("dc:format"),
        ..field(
            "media_type",
            "Media type",
            Stored::Object("media_type"),
            Seen::Open,
        )
    },
    FieldDef {
        query: false,
        ..field(
            "original_name",
            "Original name",
            Stored::Provenance("original_name"),
            Seen::Origin,
        )
    },
    FieldDef {
        manifest: true,
        dublin_core: Some("dc:source"),
        in_table: true,
        ..field(
            "origin",
            "Origin",
            Stored::Provenance("origin"),
            Seen::Origin,
        )
    },
    field(
        "ingested_at",
        "Ingested at",
        Stored::Provenance("ingested_at"),
        Seen::Open,
    ),
    field(
        "ingested_by",
        "Ingested by",
        Stored::Provenance("ingested_by"),
        Seen::Open,
    ),
    FieldDef {
        edit: Edit::Clearable,
        manifest: true,
        dublin_core: Some("dc:language"),
        ..field("language", "Language", Stored::Item("language"), Seen::Open)
    },
    FieldDef {
        edit: Edit::Clearable,
        beside_redacted: true,
        manifest: true,
        dublin_core: Some("custos:collection"),
        ..field(
            "collection",
            "Collection",
            Stored::Item("collection"),
            Seen::Listed,
        )
    },
    FieldDef {
        edit: Edit::Clearable,
        beside_redacted: true,
        manifest: true,
        dublin_core: Some("dc:creator"),
        ..field("creator", "Creator", Stored::Item("creator"), Seen::Open)
    },
    FieldDef {
        edit: Edit::Clearable,
        manifest: true,
        dublin_core: Some("dc:description"),
        ..field(
            "description",
            "Description",
            Stored::Item("description"),
            Seen::Open,
        )
    },
    FieldDef {
        edit: Edit::Clearable,
        manifest: true,
        dublin_core: Some("dc:coverage"),
        ..field("coverage", "Coverage", Stored::Item("coverage"), Seen::Open)
    },
    FieldDef {
        edit: Edit::Clearable,
        manifest: true,
        dublin_core: Some("dc:rights"),
        ..field("rights", "Rights", Stored::Item("rights"), Seen::Open)
    },
    FieldDef {
        edit: Edit::Clearable,
        beside_redacted: true,
        manifest: true,
        dublin_core: Some("custos:location"),
        ..field(
            "location",
            "Location",
            Stored::Item("location"),
            Seen::Origin,
        )
    },
];

/// The field named `name`.
pub fn get(name: &str) -> Option<&'static FieldDef> {
    ITEM_FIELDS.iter().find(|f| f.name == name)
}

impl FieldDef {
    pub fn column(&self) -> Column {
        if self.bytes {
            bytes_col(self.name, self.header)
        } else if matches!(self.stored, Stored::Object("sha256")) {
            hash_col(self.name, self.header)
        } else {
            col(self.name, self.header)
        }
    }
}

/// The `access` column every listing ends with (the view adds it).
const ACCESS: Column = col("access", "Access");

/// Every field, then access: what CSV and TSV of `list` carry.
pub fn all_columns() -> Vec<Column> {
    let mut c: Vec<Column> = ITEM_FIELDS.iter().map(FieldDef::column).collect();
    c.push(ACCESS);
    c
}

/// The fields of `list`'s table, then access.
pub fn table_columns() -> Vec<Column> {
    let mut c: Vec<Column> = ITEM_FIELDS
        .iter()
        .filter(|f| f.in_table)
        .map(FieldDef::column)
        .collect();
    c.push(ACCESS);
    c
}

/// Dublin Core elements (or custos's own, where Dublin Core has none) and
/// the record keys they carry, then `custos:access` from the view's access.
/// (`dc:rights` is the item's rights statement, never its access state:
/// "closed" is not a licence.)
pub fn dublin_core() -> Vec<(&'static str, &'static str)> {
    ITEM_FIELDS
        .iter()
        .filter_map(|f| Some((f.dublin_core?, f.name)))
        .chain([("custos:access", "access")])
        .collect()
}

/// The names `edit --clear` takes.
pub fn clearable() -> impl Iterator<Item = &'static FieldDef> {
    ITEM_FIELDS.iter().filter(|f| f.edit == Edit::Clearable)
}

#[cfg(test)]
mod tests;
