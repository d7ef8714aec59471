//! Deterministic randomness and invented words for the synthetic data.
//!
//! A small xoshiro256** generator seeded through SplitMix64, with the
//! distributions the generators need (uniform, log-normal, Zipf, weighted
//! choice), and a fixed fictional vocabulary built from syllables. The same
//! seed must always give the same bytes on every machine, so nothing here
//! may depend on the platform, the clock or a crate's changing algorithm;
//! and every word must be invented, never taken from a real text.

/// xoshiro256**: fast, good enough for test data, stable forever.
#[derive(Clone)]
pub struct Rng {
    s: [u64; 4],
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        Rng {
            s: [
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
            ],
        }
    }

    /// An independent stream for item `i` of a run, so any item can be
    /// regenerated alone (duplicates, parallel generation).
    pub fn for_item(seed: u64, stream: u64, i: u64) -> Rng {
        let mut x = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let a = splitmix(&mut x);
        Rng::new(a ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n); n > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    pub fn range(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        lo + self.below((hi_inclusive - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(f64::MIN_POSITIVE);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and shape.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Index into `weights` chosen in proportion to them.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < u64::from(w) {
                return i;
            }
            x -= u64::from(w);
        }
        weights.len() - 1
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Zipf-distributed ranks over `n` items via a cumulative table.
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 1..=n {
            acc += 1.0 / (r as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let x = rng.f64();
        self.cdf.partition_point(|&c| c < x).min(self.cdf.len() - 1)
    }
}

const ONSETS: &[&str] = &[
    "b", "br", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "sk", "t",
    "tr", "v", "z", "th", "sh", "ch", "",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"];
const CODAS: &[&str] = &["", "", "n", "r", "l", "m", "s", "th", "k", "nd", "rn", "st"];

/// Words planted in the catalogue's text at known frequencies, for the
/// full-text query benchmarks. The vocabulary never produces them.
pub const WORD_EVERY: &str = "ossuvel";
pub const WORD_MEDIUM: &str = "brannoch";
pub const WORD_RARE: &str = "quiddarn";

/// A fixed vocabulary of `n` distinct invented words (same for every seed).
pub fn vocabulary(n: usize) -> Vec<String> {
    let mut rng = Rng::new(0x00C0_FFEE);
    let mut seen = std::collections::HashSet::new();
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let syllables = 1 + rng.weighted(&[3, 5, 3, 1]);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len() as u64) as usize]);
            w.push_str(VOWELS[rng.below(VOWELS.len() as u64) as usize]);
        }
        w.push_str(CODAS[rng.below(CODAS.len() as u64) as usize]);
        if w.len() < 2 || [WORD_EVERY, WORD_MEDIUM, WORD_RARE].contains(&w.as_str()) {
            continue;
        }
        if seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

/// Invented proper names (places, people), capitalised.
pub fn names(n: usize, salt: u64) -> Vec<String> {
    let mut rng = Rng::new(0x0BAD_5EED ^ salt);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let syllables = 2 + rng.weighted(&[5, 3]);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(ONSETS[rng.below(ONSETS.len() as u64) as usize]);
            w.push_str(VOWELS[rng.below(VOWELS.len() as u64) as usize]);
        }
        w.push_str(CODAS[rng.below(CODAS.len() as u64) as usize]);
        let mut c = w.chars();
        let cap = match c.next() {
            Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
            None => continue,
        };
        if seen.insert(cap.clone()) {
            out.push(cap);
        }
    }
    out
}

/// Prose from the vocabulary: sentences of Zipf-chosen words.
pub struct Prose {
    pub words: Vec<String>,
    zipf: Zipf,
}

impl Prose {
    pub fn new() -> Prose {
        let words = vocabulary(8000);
        let zipf = Zipf::new(words.len(), 1.05);
        Prose { words, zipf }
    }

    /// Appends roughly `bytes` bytes of sentences to `out`.
    pub fn write(&self, rng: &mut Rng, out: &mut String, bytes: usize) {
        let end = out.len() + bytes;
        let mut in_sentence = 0;
        while out.len() < end {
            let w = &self.words[self.zipf.sample(rng)];
            if in_sentence == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else {
                out.push_str(w);
            }
            in_sentence += 1;
            if in_sentence > 6 && rng.chance(0.12) {
                out.push('.');
                in_sentence = 0;
                out.push(if rng.chance(0.1) { '\n' } else { ' ' });
            } else {
                out.push(' ');
            }
        }
    }

    /// A few words, for titles.
    pub fn phrase(&self, rng: &mut Rng, n: usize) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i > 0 {
                s.push(' ');
            }
            // Titles prefer the less common words, as titles do.
            let w = &self.words[100 + self.zipf.sample(rng) % (self.words.len() - 100)];
            s.push_str(w);
        }
        s
    }
}
