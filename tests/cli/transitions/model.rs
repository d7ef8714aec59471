//! The reference model of the transition test: what each item is (a
//! testimony or not, its consent, whether it is evidence, redacted or
//! purged, deaccessioned) and, from that alone, what a reader at each level may see.
//!
//! It encodes the rules as an archivist states them, not as the code
//! implements them: a testimony stays one, a restriction only narrows, a
//! purged item stays purged, a redacted name is never seen below custodian,
//! an item's own access and a testimony's consent both hold (the stricter
//! wins).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Archive,
    Research,
    Publication,
    Public,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Archive,
        Scope::Research,
        Scope::Publication,
        Scope::Public,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Archive => "archive",
            Scope::Research => "research",
            Scope::Publication => "publication",
            Scope::Public => "public",
        }
    }
    /// The levels that see a testimony given with this scope.
    fn seen_by(self, level: Level) -> bool {
        match level {
            Level::Public => self == Scope::Public,
            Level::Research => self != Scope::Archive,
        }
    }
    /// The narrower of two scopes, as a restriction leaves it: what no
    /// level that `a` hides from may see.
    pub fn narrower(a: Scope, b: Scope) -> Scope {
        // Research and publication are seen by the same levels.
        let width = |s: Scope| match s {
            Scope::Archive => 0,
            Scope::Research | Scope::Publication => 1,
            Scope::Public => 2,
        };
        if width(b) < width(a) {
            b
        } else {
            a
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Public,
    Research,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::Public, Level::Research];
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Public => "public",
            Level::Research => "research",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    None,
    Given {
        scope: Scope,
        /// The day (YYYY-MM-DD) the embargo ends, if any.
        embargo: Option<&'static str>,
    },
    Withdrawn,
}

/// An item's own access (`custos access`, intake), whatever its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Own {
    Open,
    /// Closed below custodian, until the day (YYYY-MM-DD) if any.
    Closed(Option<&'static str>),
    /// Open to research, closed to public, until the day if any.
    Research(Option<&'static str>),
}

impl Own {
    /// Whether the item's own access lets `level` in on `today`: open on
    /// the end day.
    fn admits(self, level: Level, today: &str) -> bool {
        let ended = |u: Option<&str>| u.is_some_and(|u| today >= u);
        match self {
            Own::Open => true,
            Own::Closed(u) => ended(u),
            Own::Research(u) => level == Level::Research || ended(u),
        }
    }
}

/// One item as the model knows it. `word` is said only in its title and
/// text; `name` only in its text and (if tagged) as an agent term.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: Option<i64>,
    pub word: String,
    pub name: String,
    pub bytes: Vec<u8>,
    pub testimony: bool,
    pub consent: Consent,
    pub evidence: bool,
    pub redacted: bool,
    pub purged: bool,
    pub own: Own,
    /// Deaccessioned: gone below custodian for good, whatever else holds.
    pub deaccessioned: bool,
    /// A recording with a transcript and passage restrictions (issue 12).
    pub recording: Option<super::passages::Rec>,
}

impl Item {
    /// Whether a reader at `level` on day `today` may see the item's
    /// content (its word).
    /// Both its consent (a testimony's) and its own access must let the
    /// reader in: the stricter wins.
    pub fn open_at(&self, level: Level, today: &str) -> bool {
        if self.purged || self.deaccessioned || self.evidence || !self.own.admits(level, today) {
            return false;
        }
        if !self.testimony {
            return true;
        }
        match self.consent {
            Consent::None | Consent::Withdrawn => false,
            Consent::Given { scope, embargo } => {
                scope.seen_by(level) && embargo.is_none_or(|e| today >= e)
            }
        }
    }

    /// Whether the word said only inside a recording's passage may appear
    /// at `level`: the item open, not redacted (its transcript is then the
    /// custodian's), the transcript held, and no restriction closing the
    /// passage to the level. A restriction only ever closes more.
    pub fn pword_visible_at(&self, level: Level, today: &str) -> bool {
        self.recording.as_ref().is_some_and(|r| {
            r.transcript
                && !self.redacted
                && self.open_at(level, today)
                && !r.pword_closed(level, today)
        })
    }

    /// Whether the name may appear at `level`.
    pub fn name_visible_at(&self, level: Level, today: &str) -> bool {
        self.open_at(level, today) && !self.redacted
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub items: Vec<Item>,
    /// The day (YYYY-MM-DD) the commands run on.
    pub today: &'static str,
    /// The item the last operation touched (see `pick`).
    pub focus: Option<usize>,
}

impl Model {
    /// Words and names that must not appear in any output at `level`.
    pub fn forbidden(&self, level: Level) -> Vec<&str> {
        let mut out = Vec::new();
        for i in &self.items {
            if !i.open_at(level, self.today) {
                out.push(i.word.as_str());
            }
            if !i.name_visible_at(level, self.today) {
                out.push(i.name.as_str());
            }
            if let Some(r) = &i.recording {
                if !i.pword_visible_at(level, self.today) {
                    out.push(r.pword.as_str());
                }
            }
        }
        out
    }

    /// Items whose word a search at `level` must find (the positive control
    /// that keeps the test from passing on a catalogue that shows nothing).
    pub fn findable(&self, level: Level) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|i| i.id.is_some() && i.open_at(level, self.today))
            .collect()
    }
}
