//! Edit distances and the "did you mean" hints built on them: `suggest`,
//! [`edit_distance`], [`edit_distance_within`] and [`distance_within`].

pub(super) fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// Longest word (in bytes) "did you mean" hints compare: the distance is
/// quadratic in the lengths, and no rule, kind or field name is this long.
pub const MAX_SUGGEST_LEN: usize = 256;

/// Levenshtein distance, for "did you mean" hints. Words longer than
/// [`MAX_SUGGEST_LEN`] are not compared: their distance is given as the
/// longer length (an upper bound, too far for any hint).
pub fn edit_distance(a: &str, b: &str) -> usize {
    if a.len() > MAX_SUGGEST_LEN || b.len() > MAX_SUGGEST_LEN {
        return a.len().max(b.len());
    }
    distance_within(a, b, usize::MAX, false).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `max` (`None` when it is more): a
/// hint that takes only close names stops comparing a name as soon as it is
/// too far, and does not compare names whose lengths differ by more.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    if a.len() > MAX_SUGGEST_LEN || b.len() > MAX_SUGGEST_LEN {
        return Some(a.len().max(b.len())).filter(|d| *d <= max);
    }
    distance_within(a, b, max, false)
}

/// The distance of `a` and `b` when it is at most `max`: insertions,
/// deletions, substitutions, and with `swaps` a swap of two adjacent
/// characters, each count 1 (with swaps: the optimal string alignment
/// distance). Not limited in length: callers keep to short names.
pub fn distance_within(a: &str, b: &str, max: usize, swaps: bool) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        return table(a.as_bytes(), b.as_bytes(), max, swaps);
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    table(&a, &b, max, swaps)
}

/// Three rows of the distance table, reused; `None` once two rows in a
/// row are over `max` (a row reads only the two before it, each +0 or +1,
/// so the distance can only grow from there), or when the lengths alone
/// differ by more.
fn table<T: PartialEq>(a: &[T], b: &[T], max: usize, swaps: bool) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    let mut prev_min = 0;
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if swaps && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max && prev_min >= max {
            return None;
        }
        prev_min = row_min;
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().filter(|d| *d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook distance (with `swaps`: optimal string alignment),
    /// with a whole table of chars.
    fn reference(a: &str, b: &str, swaps: bool) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut t = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in t.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in t[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (t[i - 1][j - 1] + cost).min(t[i - 1][j] + 1).min(t[i][j - 1] + 1);
                if swaps && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(t[i - 2][j - 2] + 1);
                }
                t[i][j] = v;
            }
        }
        t[a.len()][b.len()]
    }

    #[test]
    fn edit_distances_bounded_and_not() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "acb",
            "bca",
            "ca",
            "abdc",
            "image",
            "imgae",
            "imagePullPolicy",
            "imagePullPolicies",
            "ports",
            "port",
            "containerPort",
            "contianerPort",
            "web",
            "wbe",
            "webb",
            "web-svc",
            "frontend",
            "fronted",
            "ftonrend",
            "é",
            "éa",
            "aé",
            "ée",
            "naïve",
            "naive",
            "日本",
            "本日",
            "日本語",
            "kind",
        ];
        for a in words {
            for b in words {
                let want = reference(a, b, false);
                assert_eq!(edit_distance(a, b), want, "{a:?} {b:?}");
                let swapped = reference(a, b, true);
                for max in 0..5 {
                    let got = edit_distance_within(a, b, max);
                    assert_eq!(got, Some(want).filter(|d| *d <= max), "{a:?} {b:?} within {max}");
                    let got = distance_within(a, b, max, true);
                    assert_eq!(
                        got,
                        Some(swapped).filter(|d| *d <= max),
                        "{a:?} {b:?} within {max}, swaps"
                    );
                }
            }
        }
    }
}
