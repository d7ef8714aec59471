//! Arguments of the commands that ask questions: `tag`, `terms`, `query`, `fields`, `report`, `sql`; and the rewrite that lets query terms start with `-`.
//!
//! Declarations only (clap derive); nothing here touches the archive.

use clap::{ArgGroup, Args, Subcommand};

use super::*;

/// Terms to link items to at import (repeatable).
#[derive(Debug, Args, Clone, Default)]
pub struct TermArgs {
    /// An event term, e.g. "Velmora unrest" (repeatable)
    #[arg(long, value_name = "TERM")]
    pub event: Vec<String>,
    /// A place term, e.g. Velmora (repeatable)
    #[arg(long, value_name = "TERM")]
    pub place: Vec<String>,
    /// A subject term, e.g. rescue (repeatable)
    #[arg(long, value_name = "TERM")]
    pub subject: Vec<String>,
    /// An agent term: a person or organisation the item is about, e.g. "Harrow Valley Memory Project" (repeatable)
    #[arg(long, value_name = "TERM")]
    pub agent_term: Vec<String>,
}

/// Link an item to controlled-vocabulary terms, or (untag) unlink it
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("which").args(["ids", "query"]).required(true)),
    after_help = "Examples:\n  custos tag 17 --event \"Velmora unrest\" --place Velmora --subject rescue\n  custos tag 17 --agent-term \"Harrow Valley Memory Project\"\n  custos tag 18 19 20 --place \"Corran Ford\"\n  custos tag --query 'collection:\"Box 12\"' --subject floods --dry-run\n  custos untag 17 --subject rescue\n\nTerms compare without regard to case or Unicode normalisation: \"Şuşa\" and \"ŞUŞA\" are one term.\nEach change is logged as a metadata_modification event; a batch (several ids or --query) is\none transaction. The person doing the work is --by; --agent-term is the vocabulary term\n(the old `--agent` still means the term here, with a warning)."
)]
pub struct TagArgs {
    /// Items to change (several ids get the same terms)
    #[arg(value_name = "ID")]
    pub ids: Vec<crate::model::ItemId>,
    #[command(flatten)]
    pub batch: BatchArgs,
    #[command(flatten)]
    pub terms: TermArgs,
    /// The old spelling of --agent-term (deprecated: elsewhere --agent was the worker)
    #[arg(long, value_name = "TERM", hide = true)]
    pub agent: Vec<String>,
    /// Who is making the change, for the event log (default: your login name)
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// The custodian's secret key, to check a new term of a redacted item against its sealed terms (default: the one `custos key init` wrote)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// List controlled-vocabulary terms with item counts; rename or merge them
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  custos terms\n  custos terms --vocab place --format csv\n  custos terms rename place \"Velmora town\" Velmora\n  custos terms merge subject \"rescuers\" rescue\n  custos terms name add place:Stepanakert Khankendi --lang az --script Latn --form official --used-by Azerbaijan --source 12 --locator \"p. 3\"\n  custos terms name list place:Khankendi\n  custos terms label place:Stepanakert Ստեփանակերտ\n  custos terms show place:Степанакерт --lang hy\n\nA term has many names (language, script, form, who uses it, source); any of them finds it, in\nquery, tag and import. A name two terms share is refused, naming both. Counts include only items the access level may see in full."
)]
pub struct TermsArgs {
    #[command(subcommand)]
    pub action: Option<TermsAction>,
    /// Only this vocabulary: event, place, subject, agent
    #[arg(long, value_enum)]
    pub vocab: Option<Vocab>,
    #[command(flatten)]
    pub access: AccessArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum TermsAction {
    /// Give a term a new label (its items keep it)
    Rename {
        #[arg(value_enum)]
        vocab: Vocab,
        old: String,
        new: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Move every item of one term to another and remove the first
    Merge {
        #[arg(value_enum)]
        vocab: Vocab,
        from: String,
        into: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// The names of a term: add, list, remove
    #[command(subcommand)]
    Name(NameAction),
    /// Choose which of a term's names is its display label
    Label {
        term: TermRef,
        name: String,
        /// Who is making the change (default: your login name)
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// A term, found by any of its names, with every name
    Show {
        term: TermRef,
        /// Show the term in this language where it has a name in it
        #[arg(long, value_name = "TAG")]
        lang: Option<LangTag>,
        #[command(flatten)]
        access: AccessArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Find items: field:value terms, ranges, negation, OR, and full-text words
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos query kind:testimony date:1991..1992 consent:granted\n  custos query cellar --fields id,title,snippet\n  custos query '\"tannery lane\"' -kind:letter\n  custos query place:velmora , place:oster --count\n  custos query size:1KB..2MB --sort -size --limit 10\n  custos query evidence:none kind:testimony --access custodian\n  custos query title:courier --sql\n\nGrammar: field:value (substring, any case), field:=value (exact), -field:value or ^field:value (not),\nfield:a..b, field:a.., field:..b (ranges on numbers, sizes and EDTF dates; dates match when they overlap),\n\"a , b\" (a standalone comma) is OR, everything else is AND; bare words and \"quoted phrases\" search the full text.\nWhat the shell quoted stays one term: 'event:=Harbour fire', 'place:Corran Ford' and event:=\"Harbour fire\"\nfind the same items, and 'tannery lane' is a phrase. An argument that itself holds \" is split at its unquoted spaces.\n`custos fields` lists every field. Items the access level may not see are never found."
)]
pub struct QueryArgs {
    /// Query terms (none: every item the access level may see)
    #[arg(value_name = "TERM")]
    pub terms: Vec<String>,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Columns to show, comma-separated (see `custos fields`; also snippet, access)
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// Sort by a field, - prefix for descending (e.g. -date)
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// At most this many items
    #[arg(long, short = 'n')]
    pub limit: Option<u64>,
    /// Skip this many items first
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    /// Print only the number of matching items
    #[arg(long)]
    pub count: bool,
    /// Print the generated SQL and its parameters; run nothing
    #[arg(long)]
    pub sql: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// List the fields `custos query` understands, with their types and examples
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  custos fields\n  custos fields --format json")]
pub struct FieldsArgs {
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportName {
    /// Testimonies by consent state and scope, missing releases, embargoes ending, withdrawals
    Consent,
    /// Item counts and total size, grouped --by
    Holdings,
    /// The accession register: every ingest in --since/--until
    Accessions,
    /// Narrators by anonymity and testimonies per narrator (display form only)
    Narrators,
    /// Last fixity check per item, and failures
    Fixity,
    /// What the sources claim, side by side per subject and property; disputed where they disagree
    Claims,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    Kind,
    Collection,
    Event,
    Place,
    Decade,
    Language,
}

/// Reports for archivists: consent, holdings, accessions, narrators, fixity
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos report consent --within 90d\n  custos report holdings --by decade\n  custos report holdings --by place --format json\n  custos report accessions --since 2026-01-01 --until 2026-03-31 --format csv\n  custos report narrators --access public\n  custos report fixity\n  custos report claims --disputed --format json\n\nEvery report passes through the access policy: below custodian, items the level may not see are not counted,\nand closed items are counted only when grouped by kind or collection."
)]
pub struct ReportArgs {
    #[arg(value_enum)]
    pub name: ReportName,
    #[command(flatten)]
    pub access: AccessArgs,
    /// holdings: group by kind, collection, event, place, decade or language
    #[arg(long, value_enum, default_value = "kind")]
    pub by: GroupBy,
    /// consent: embargoes ending within this many days (e.g. 90d, 12w, 6m, 1y)
    #[arg(long, default_value = "90d")]
    pub within: String,
    /// accessions: from this day (YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// accessions: up to and including this day (YYYY-MM-DD)
    #[arg(long)]
    pub until: Option<String>,
    /// accessions: list every ingest (the accession register) instead of one row per accession; --since/--until imply it
    #[arg(long)]
    pub items: bool,
    /// claims: only claims about this subject (`event:Harbour fire` or an item id)
    #[arg(long)]
    pub subject: Option<ClaimSubjectArg>,
    /// claims: only this property
    #[arg(long)]
    pub property: Option<String>,
    /// claims: only properties whose claims disagree
    #[arg(long)]
    pub disputed: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Run one read-only SQL statement (below custodian: only policy-filtered tables)
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  custos sql \"SELECT kind, count(*) FROM items_visible GROUP BY kind\"\n  custos sql --access custodian \"SELECT status, count(*) FROM consent_current GROUP BY status\"\n\nBelow custodian the statement may read only the temporary tables items_visible and item_terms_visible,\nfilled with exactly what `custos query` shows at that level. At custodian it may read the catalogue tables.\nWrites, ATTACH and PRAGMA changes are refused; a statement running longer than --timeout is stopped."
)]
pub struct SqlArgs {
    /// One SELECT statement
    pub statement: String,
    #[command(flatten)]
    pub access: AccessArgs,
    /// Stop the statement after this many seconds
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What the query command's own options are, read from its clap
/// definition (so a new option cannot be taken for a negated term): names
/// of options that take a value (the word after them is theirs), and short
/// options with the values they may carry attached (`-n50`, `-fjson`).
struct QueryOptions {
    valued: Vec<String>,
    /// (short letter, takes a value, its possible values)
    shorts: Vec<(char, bool, Vec<String>)>,
}

impl QueryOptions {
    fn read() -> QueryOptions {
        use clap::CommandFactory as _;
        let mut root = super::Cli::command();
        // Arguments' value counts are settled when the command is built.
        root.build();
        let mut valued = Vec::new();
        let mut shorts = Vec::new();
        let query = root.find_subcommand("query");
        let args = root
            .get_arguments()
            .filter(|a| a.is_global_set())
            .chain(query.into_iter().flat_map(|q| q.get_arguments()));
        for a in args {
            let takes = a.get_action().takes_values();
            if takes {
                valued.extend(a.get_long().map(|l| format!("--{l}")));
                valued.extend(a.get_short().map(|c| format!("-{c}")));
            }
            if let Some(c) = a.get_short() {
                let values = a
                    .get_possible_values()
                    .iter()
                    .map(|v| v.get_name().to_string())
                    .collect();
                shorts.push((c, takes, values));
            }
        }
        shorts.push(('h', false, Vec::new()));
        QueryOptions { valued, shorts }
    }

    /// `-X` or `-Xvalue` naming one of the short options (not a negation).
    fn is_short_option(&self, s: &str) -> bool {
        let mut chars = s.chars();
        let (Some('-'), Some(c)) = (chars.next(), chars.next()) else {
            return false;
        };
        let rest = chars.as_str();
        self.shorts.iter().any(|(short, takes, values)| {
            *short == c
                && (rest.is_empty()
                    || (*takes
                        && !rest.contains(':')
                        && (values.iter().any(|v| v == rest)
                            || (values.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())))))
        })
    }
}

/// `custos query -kind:letter -cellar`: a query term may begin with `-`
/// (negation), which clap would take for an option. Before parsing, such
/// terms of the `query` command are rewritten to the equivalent `^` form;
/// option names, option values and everything after `--` are left alone.
pub fn rewrite_negations(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    // The subcommand: the first argument that is neither an option nor the
    // value of `--archive` (the one global option with a value). A later
    // "query" is a value of some other command (`custos tag 5 --subject query`).
    let mut at = None;
    let mut skip_value = false;
    for (i, a) in args.iter().enumerate().skip(1) {
        if skip_value {
            skip_value = false;
        } else if a == "--archive" {
            skip_value = true;
        } else if !a.as_encoded_bytes().starts_with(b"-") {
            at = (a == "query").then_some(i);
            break;
        }
    }
    let Some(at) = at else {
        return args;
    };
    let options = QueryOptions::read();
    let mut out = Vec::with_capacity(args.len());
    let mut value_next = false;
    let mut after_dashdash = false;
    for (i, a) in args.into_iter().enumerate() {
        if i <= at || after_dashdash {
            out.push(a);
            continue;
        }
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        if value_next {
            value_next = false;
            out.push(a);
            continue;
        }
        if s == "--" {
            after_dashdash = true;
            out.push(a);
            continue;
        }
        if options.valued.iter().any(|v| v == s) {
            value_next = true;
            out.push(a);
            continue;
        }
        let short_option = options.is_short_option(s);
        if s.starts_with('-') && !s.starts_with("--") && s.len() > 1 && !short_option {
            out.push(format!("^{}", &s[1..]).into());
        } else {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite_negations;
    use proptest::prelude::*;
    use std::ffi::OsString;

    fn rewrite(args: &[&str]) -> Vec<String> {
        let args = args.iter().map(OsString::from).collect();
        rewrite_negations(args)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn terms_beginning_with_any_letter_pass_and_negations_become_carets() {
        assert_eq!(
            rewrite(&[
                "custos",
                "query",
                "Şuşa",
                "-Şuşa",
                "-n",
                "5",
                "-kind:letter",
                "москва"
            ]),
            [
                "custos",
                "query",
                "Şuşa",
                "^Şuşa",
                "-n",
                "5",
                "^kind:letter",
                "москва"
            ]
        );
        assert_eq!(
            rewrite(&["custos", "query", "-f", "json", "-fjson", "-n3", "-h", "-ñ"]),
            ["custos", "query", "-f", "json", "-fjson", "-n3", "-h", "^ñ"]
        );
        assert_eq!(
            rewrite(&["custos", "--archive", "query", "query", "-cellar"]),
            ["custos", "--archive", "query", "query", "^cellar"]
        );
        // Only the query command's arguments are rewritten.
        let other = ["custos", "tag", "5", "--subject", "query", "-x"];
        assert_eq!(rewrite(&other), other);
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_every_argument(args in prop::collection::vec("\\PC{0,6}", 0..6)) {
            let mut all = vec!["custos".to_string(), "query".to_string()];
            all.extend(args);
            let refs: Vec<&str> = all.iter().map(String::as_str).collect();
            prop_assert_eq!(rewrite(&refs).len(), all.len());
        }
    }
}
