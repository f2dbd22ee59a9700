//! Unified diffs (`--diff`): Myers' algorithm over lines, three lines of
//! context, as `diff -u` prints them.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Del,
    Add,
}

/// The edit script turning `a` into `b` (Myers, O((N+M)·D)).
fn script(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize;
    let mut v = vec![0isize; 2 * max + 2];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max as isize {
        trace.push(v.clone());
        let mut k = -d;
        while k <= d {
            let i = (k + off) as usize;
            let mut x = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
                v[i + 1]
            } else {
                v[i - 1] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[i] = x;
            if x >= n && y >= m {
                break 'outer;
            }
            k += 2;
        }
    }
    // Walk back through the trace.
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (0..trace.len() as isize).rev() {
        let v = &trace[d as usize];
        let k = x - y;
        let i = (k + off) as usize;
        let prev_k = if k == -d || (k != d && v[i - 1] < v[i + 1]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[(prev_k + off) as usize];
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push((Op::Same, x as usize, y as usize));
        }
        if d > 0 {
            if x == prev_x {
                ops.push((Op::Add, x as usize, prev_y as usize));
            } else {
                ops.push((Op::Del, prev_x as usize, y as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    ops.reverse();
    ops
}

/// `--- a/name` / `+++ b/name` and hunks; empty when the texts are equal.
pub fn unified(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
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
            if !line.ends_with('\n') {
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
        let d = unified("x", "", "new\n");
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -0,0 +1,1 @@\n+new\n");
    }
}
