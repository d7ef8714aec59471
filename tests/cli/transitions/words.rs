//! The words the transition test's items are found by: a unique word per
//! item, the same word in Cyrillic letters (found through the folded
//! full-text index), and the narrator names a redaction term takes. Pure
//! functions; the model and the checks decide what each must find.

/// Names of the form a redaction term takes, and the variant of each that
/// the item's text uses (issue 11, finding 5).
pub(super) fn name_for(n: usize) -> (String, String) {
    let a = letters(n, "vor");
    let b = letters(n, "qed");
    let name = format!("{a} {b}");
    let in_text = match n % 5 {
        0 => name.clone(),
        1 => name.to_uppercase(),
        2 => format!("{a}-{b}"),
        3 => format!("{a} {}\u{ad}{}", &b[..2], &b[2..]),
        _ => format!("{}\u{200b}{} {b}", &a[..2], &a[2..]),
    };
    (name, in_text)
}

/// `word` with Cyrillic letters where one transliterates to the Latin
/// letter: the folded full-text index finds it by the Latin word, so each
/// item's text says its word both ways and every search check covers the
/// folded index too (issue 13).
pub(super) fn cyrillic(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'a' => 'а',
            'b' => 'б',
            'd' => 'д',
            'e' => 'е',
            'f' => 'ф',
            'g' => 'г',
            'i' => 'и',
            'k' => 'к',
            'l' => 'л',
            'm' => 'м',
            'n' => 'н',
            'o' => 'о',
            'p' => 'п',
            'r' => 'р',
            's' => 'с',
            't' => 'т',
            'u' => 'у',
            'v' => 'в',
            'z' => 'з',
            other => other,
        })
        .collect()
}

/// A word made of letters only, unique for `n` (FTS tokens stay whole).
pub(super) fn letters(mut n: usize, prefix: &str) -> String {
    let mut s = prefix.to_string();
    for _ in 0..4 {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}
