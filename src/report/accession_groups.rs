//! `report accessions`: one row per accession (number, received, extent,
//! and the items of it this reader may see in full, with their size), and
//! a row for items that came in no accession. The donor and the agreement
//! are the custodian's (a donor of testimonies can be a narrator); an
//! accession none of whose items the reader may see is left out, so the
//! report cannot show that closed material came in.
//!
//! It counts with the policy's SQL predicate (`policy::sql::open`); it
//! never prints. `--items` gives the register of every ingest instead
//! (`registers::accessions`).

use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use super::{Reader, Report, Section};
use crate::error::Result;
use crate::output::{bytes_col, col};
use crate::policy;

/// One accession as this reader may see it.
#[derive(Debug, Serialize)]
struct AccessionGroup {
    number: Option<String>,
    received: Option<String>,
    extent: Option<String>,
    items: i64,
    size: i64,
    /// Custodian only.
    donor: Option<String>,
    agreement_item: Option<i64>,
    agreement_note: Option<String>,
    note: Option<String>,
}

pub fn accession_groups(conn: &Connection, reader: Reader) -> Result<Report> {
    let open = reader.open();
    let custodial = policy::sees_everything(reader.access);
    // Every accession with the count of its items open to the reader; the
    // items of none make the last row.
    let sql = format!(
        "SELECT * FROM (
         SELECT a.number AS number, a.received, a.extent, a.donor, a.agreement_item_id, a.agreement_note, a.note,
                count(i.id), coalesce(sum(i.size), 0)
         FROM accessions a
         LEFT JOIN accession_items x ON x.accession_id = a.id
         LEFT JOIN items i ON i.id = x.item_id AND {open}
         GROUP BY a.id
         UNION ALL
         SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(i.id), coalesce(sum(i.size), 0)
         FROM items i WHERE NOT EXISTS (SELECT 1 FROM accession_items x WHERE x.item_id = i.id) AND {open})
         ORDER BY number IS NULL, number",
        open = open.sql,
    );
    let mut params = open.params.clone();
    params.extend(open.params.iter().cloned());
    let mut stmt = conn.prepare(&sql)?;
    let mut q = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut rows = Vec::new();
    let (mut total_items, mut total_size) = (0i64, 0i64);
    while let Some(r) = q.next()? {
        let number: Option<String> = r.get(0)?;
        let (items, size): (i64, i64) = (r.get(7)?, r.get(8)?);
        // Below custodian an accession shows only through what it holds.
        if items == 0 && !(custodial && number.is_some()) {
            continue;
        }
        let c = |v: Option<String>| v.filter(|_| custodial);
        let group = AccessionGroup {
            number: number.clone(),
            received: r.get(1)?,
            extent: r.get(2)?,
            items,
            size,
            donor: c(r.get(3)?),
            agreement_item: r.get::<_, Option<i64>>(4)?.filter(|_| custodial),
            agreement_note: c(r.get(5)?),
            note: c(r.get(6)?),
        };
        total_items += items;
        total_size += size;
        let mut v = crate::output::to_value(&group)?;
        if number.is_none() {
            v["number"] = "(no accession)".into();
        }
        rows.push(v);
    }
    let mut columns = vec![
        col("number", "Accession"),
        col("received", "Received"),
        col("extent", "Extent"),
        col("items", "Items"),
        bytes_col("size", "Total size"),
    ];
    if custodial {
        columns.push(col("donor", "Donor"));
        columns.push(col("agreement_item", "Agreement"));
    }
    Ok(Report {
        sections: vec![Section {
            key: "accessions",
            title: "Items by accession (`--items` lists every ingest)".into(),
            columns,
            rows,
            total: Some(json!({"number": "Total", "items": total_items, "size": total_size})),
        }],
        notes: if custodial {
            Vec::new()
        } else {
            vec!["donors and agreements are custodial detail; shown with --access custodian".into()]
        },
    })
}
