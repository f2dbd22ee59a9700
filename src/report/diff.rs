//! Unified diffs (`--diff`): Myers' algorithm over lines, three lines of
//! context, as `diff -u` prints them.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// The edit script turning `a` into `b`: Myers' algorithm in its
/// linear-space form (the middle snake, divide and conquer), so memory is
/// O(N+M) however many lines differ, time O((N+M)·D).
fn script(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    let max = a.len() + b.len() + 2;
    let mut vf = vec![0usize; 2 * max + 2];
    let mut vb = vec![0usize; 2 * max + 2];
    split(a, b, 0, a.len(), 0, b.len(), &mut vf, &mut vb, &mut ops);
    ops
}

/// Appends the script for `a[a0..a1]` → `b[b0..b1]`.
#[allow(clippy::too_many_arguments)]
fn split(
    a: &[&str],
    b: &[&str],
    mut a0: usize,
    mut a1: usize,
    mut b0: usize,
    mut b1: usize,
    vf: &mut [usize],
    vb: &mut [usize],
    ops: &mut Vec<(Op, usize, usize)>,
) {
    // Common prefix and suffix.
    while a0 < a1 && b0 < b1 && a[a0] == b[b0] {
        ops.push((Op::Same, a0, b0));
        a0 += 1;
        b0 += 1;
    }
    let mut tail = 0;
    while a0 < a1 && b0 < b1 && a[a1 - 1] == b[b1 - 1] {
        a1 -= 1;
        b1 -= 1;
        tail += 1;
    }
    if a0 == a1 {
        ops.extend((b0..b1).map(|j| (Op::Add, a0, j)));
    } else if b0 == b1 {
        ops.extend((a0..a1).map(|i| (Op::Del, i, b0)));
    } else {
        let (x, y, u, v) = middle_snake(&a[a0..a1], &b[b0..b1], vf, vb);
        let (x, y, u, v) = (a0 + x, b0 + y, a0 + u, b0 + v);
        if (x, y) == (a0, b0) && (u, v) == (a1, b1) || (u, v) == (a0, b0) || (x, y) == (a1, b1) {
            // No progress possible by splitting (cannot happen after the
            // trimming above); delete and add the rest.
            ops.extend((a0..a1).map(|i| (Op::Del, i, b0)));
            ops.extend((b0..b1).map(|j| (Op::Add, a1, j)));
        } else {
            split(a, b, a0, x, b0, y, vf, vb, ops);
            ops.extend((0..u - x).map(|k| (Op::Same, x + k, y + k)));
            split(a, b, u, a1, v, b1, vf, vb, ops);
        }
    }
    ops.extend((0..tail).map(|k| (Op::Same, a1 + k, b1 + k)));
}

/// The middle snake of the shortest edit script of `a` → `b` (both
/// non-empty): `(x, y)` to `(u, v)`, a run of equal lines that an optimal
/// script passes through.
fn middle_snake(a: &[&str], b: &[&str], vf: &mut [usize], vb: &mut [usize]) -> (usize, usize, usize, usize) {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let delta = n - m;
    let odd = delta & 1 == 1;
    let off = (n + m + 1) as usize;
    let at = |k: isize| (k + off as isize) as usize;
    vf[at(1)] = 0;
    vb[at(1)] = 0;
    for d in 0..=((n + m + 1) / 2) {
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && vf[at(k - 1)] < vf[at(k + 1)]) {
                vf[at(k + 1)]
            } else {
                vf[at(k - 1)] + 1
            };
            let mut y = (x as isize - k) as usize;
            let (sx, sy) = (x, y);
            while (x as isize) < n && (y as isize) < m && a[x] == b[y] {
                x += 1;
                y += 1;
            }
            vf[at(k)] = x;
            let kb = delta - k;
            if odd && kb > -d && kb < d && (vf[at(k)] + vb[at(kb)]) as isize >= n {
                return (sx, sy, x, y);
            }
            k += 2;
        }
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && vb[at(k - 1)] < vb[at(k + 1)]) {
                vb[at(k + 1)]
            } else {
                vb[at(k - 1)] + 1
            };
            let mut y = (x as isize - k) as usize;
            let (sx, sy) = (x, y);
            while (x as isize) < n && (y as isize) < m && a[(n as usize) - 1 - x] == b[(m as usize) - 1 - y] {
                x += 1;
                y += 1;
            }
            vb[at(k)] = x;
            let kf = delta - k;
            if !odd && kf >= -d && kf <= d && (vf[at(kf)] + vb[at(k)]) as isize >= n {
                let (n, m) = (n as usize, m as usize);
                return (n - x, m - y, n - sx, m - sy);
            }
            k += 2;
        }
    }
    // Unreachable for non-empty inputs: the paths always meet.
    (0, 0, 0, 0)
}

/// The lines of a text with their breaks: `\n`, `\r\n` or a lone `\r`.
fn lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        out.push(&text[start..=i]);
        start = i + 1;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// `--- a/name` / `+++ b/name` and hunks; empty when the texts are equal.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a = lines(old);
    let b = lines(new);
    let ops = script(&a, &b);
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    const CONTEXT: usize = 3;
    let changes: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, o)| o.0 != Op::Same)
        .map(|(i, _)| i)
        .collect();
    let mut i = 0;
    while i < changes.len() {
        let start = changes[i].saturating_sub(CONTEXT);
        let mut end = changes[i];
        while i + 1 < changes.len() && changes[i + 1] <= end + 2 * CONTEXT + 1 {
            i += 1;
            end = changes[i];
        }
        let end = (end + CONTEXT + 1).min(ops.len());
        let hunk = &ops[start..end];
        let a_start = hunk.iter().find(|o| o.0 != Op::Add).map_or(hunk[0].1, |o| o.1);
        let b_start = hunk.iter().find(|o| o.0 != Op::Del).map_or(hunk[0].2, |o| o.2);
        let a_len = hunk.iter().filter(|o| o.0 != Op::Add).count();
        let b_len = hunk.iter().filter(|o| o.0 != Op::Del).count();
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            if a_len == 0 { a_start } else { a_start + 1 },
            a_len,
            if b_len == 0 { b_start } else { b_start + 1 },
            b_len
        );
        for (op, ai, bi) in hunk {
            let (mark, line) = match op {
                Op::Same => (' ', a[*ai]),
                Op::Del => ('-', a[*ai]),
                Op::Add => ('+', b[*bi]),
            };
            out.push(mark);
            out.push_str(line);
            if line.ends_with('\r') {
                // A CR-only line break: shown on a line of its own.
                out.push('\n');
            } else if !line.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
        let new = "a\nb\nC\nd\ne\nf\ng\nh\ni\nj\nk\n";
        let d = unified("x.yaml", old, new);
        assert_eq!(
            d,
            "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,6 +1,6 @@\n a\n b\n-c\n+C\n d\n e\n f\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n"
        );
        assert_eq!(unified("x", "same\n", "same\n"), "");
        // CR-only text diffs line by line.
        assert_eq!(
            unified("x", "a\rb\rc\r", "a\rB\rc\r"),
            "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n+B\r\n c\r\n"
        );
        let d = unified("x", "", "new\n");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -0,0 +1,1 @@\n+new\n");
    }

    /// Applies a script to `a`, which must give `b`; returns the number of
    /// changed lines.
    fn replay(a: &[&str], b: &[&str]) -> usize {
        let ops = script(a, b);
        let mut out = Vec::new();
        let mut changes = 0;
        for (op, i, j) in &ops {
            match op {
                Op::Same => {
                    assert_eq!(a[*i], b[*j]);
                    out.push(a[*i]);
                }
                Op::Add => {
                    out.push(b[*j]);
                    changes += 1;
                }
                Op::Del => changes += 1,
            }
        }
        assert_eq!(out, b);
        changes
    }

    #[test]
    fn scripts_are_minimal_and_replay() {
        let s = |t: &'static str| -> Vec<&'static str> { t.split_inclusive('\n').collect() };
        assert_eq!(replay(&s("a\nb\nc\n"), &s("a\nc\n")), 1);
        assert_eq!(replay(&s("a\nb\nc\na\nb\nb\na\n"), &s("c\nb\na\nb\na\nc\n")), 5);
        assert_eq!(replay(&s("x\n"), &s("y\n")), 2);
        assert_eq!(replay(&s(""), &s("y\n")), 1);
        // Many scattered changes in a long text: exact, in linear memory.
        let a: Vec<String> = (0..5_000).map(|i| format!("line {i}\n")).collect();
        let b: Vec<String> = (0..5_000)
            .map(|i| {
                if i % 7 == 0 {
                    format!("fixed {i}\n")
                } else {
                    format!("line {i}\n")
                }
            })
            .collect();
        let (a, b): (Vec<&str>, Vec<&str>) = (
            a.iter().map(|x| x.as_str()).collect(),
            b.iter().map(|x| x.as_str()).collect(),
        );
        assert_eq!(replay(&a, &b), 2 * 5_000_usize.div_ceil(7));
    }
}
