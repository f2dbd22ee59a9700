//! The fast path's scalars and flow collections: plain (one or more
//! lines), quoted, literal blocks, and one-line flat `[...]`/`{...}`.

use super::*;

/// A line break inside a flow scalar, folded: a space, or a line break
/// for each blank line.
fn fold(s: &mut String, blanks: usize) {
    if blanks == 0 {
        s.push(' ');
    } else {
        s.extend(std::iter::repeat_n('\n', blanks));
    }
}

impl<'a, F: Sink<'a>> Fast<'a, '_, F> {
    /// From the line starting at `p`, past blank lines: the start of the
    /// first line with content, where its content starts, and how many
    /// blank lines came before it.
    fn skip_blank_lines(&self, mut p: usize) -> (usize, usize, usize) {
        let mut blanks = 0;
        loop {
            let f = self.skip_spaces(p);
            if self.at(f) != b'\n' {
                return (p, f, blanks);
            }
            blanks += 1;
            p = f + 1;
        }
    }

    /// One line of a plain scalar from `v`: its end (trailing spaces
    /// trimmed) and whether a comment follows; `None` at a `: `.
    pub(super) fn plain_line(&self, v: usize) -> Option<(usize, bool)> {
        let mut i = v;
        let comment = loop {
            i = self.find3(i, b':', b'#', b'\n');
            match self.at(i) {
                0 | b'\n' => break false,
                b':' if matches!(self.at(i + 1), 0 | b' ' | b'\n') => return None,
                b'#' if self.at(i - 1) == b' ' => break true,
                _ => i += 1,
            }
        };
        while i > v && self.at(i - 1) == b' ' {
            i -= 1;
        }
        Some((i, comment))
    }

    /// A plain scalar at `v`, continued on the lines indented past `parent`
    /// (folded: a line break is a space, each blank line a newline).
    pub(super) fn plain(&mut self, v: usize, parent: isize) -> Option<usize> {
        if !self.plain_start_ok(v) {
            return None;
        }
        let (mut end, mut comment) = self.plain_line(v)?;
        let mut owned: Option<String> = None;
        while !comment {
            let (p, f, blanks) = self.skip_blank_lines(self.next_line(end));
            let c = self.at(f);
            if c == 0 || c == b'#' || (f - p) as isize <= parent {
                break;
            }
            let (e, c2) = self.plain_line(f)?;
            let s = owned.get_or_insert_with(|| self.t[v..end].to_string());
            fold(s, blanks);
            s.push_str(&self.t[f..e]);
            end = e;
            comment = c2;
        }
        let value = match owned {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(&self.t[v..end]),
        };
        self.scalar(value, PStyle::Plain, v, end)?;
        self.finish_line(end, parent)
    }

    /// After a node that ends at `end`: only a comment may follow on the
    /// line, and the next line must not be indented past `parent` (a
    /// continuation, or an error).
    pub(super) fn finish_line(&self, end: usize, parent: isize) -> Option<usize> {
        let r = self.skip_spaces(end);
        match self.at(r) {
            0 | b'\n' => {}
            b'#' if r > end => {}
            _ => return None,
        }
        let next = self.next_line(r);
        if let Some((l, f)) = self.next_nonblank(next)
            && (f - l) as isize > parent
        {
            return None;
        }
        Some(next)
    }

    /// A quoted scalar at `f`: its value, style and end. With `cont`, it
    /// may go on over lines indented past `cont` (folded like a plain one).
    pub(super) fn quoted(&self, f: usize, cont: Option<isize>) -> Option<(Cow<'a, str>, PStyle, usize)> {
        let q = self.at(f);
        let mut i = f + 1;
        let mut owned: Option<String> = None;
        let mut seg = i;
        let escape = if q == b'"' { b'\\' } else { q };
        loop {
            i = self.find3(i, b'\n', q, escape);
            let c = self.at(i);
            match c {
                0 => return None,
                b'\n' => {
                    let parent = cont?;
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.t[seg..i].trim_end_matches(' '));
                    let (p, next, blanks) = self.skip_blank_lines(i + 1);
                    if self.at(next) == 0 || (next - p) as isize <= parent {
                        return None;
                    }
                    fold(s, blanks);
                    i = next;
                    seg = i;
                }
                b'\'' if q == b'\'' && self.at(i + 1) == b'\'' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.t[seg..i]);
                    s.push('\'');
                    i += 2;
                    seg = i;
                }
                b'\\' if q == b'"' => {
                    let e = match self.at(i + 1) {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b' ' => ' ',
                        _ => return None,
                    };
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.t[seg..i]);
                    s.push(e);
                    i += 2;
                    seg = i;
                }
                c if c == q => break,
                _ => i += 1,
            }
        }
        let value = match owned {
            Some(mut s) => {
                s.push_str(&self.t[seg..i]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(&self.t[f + 1..i]),
        };
        let style = if q == b'"' {
            PStyle::DoubleQuoted
        } else {
            PStyle::SingleQuoted
        };
        Some((value, style, i + 1))
    }

    /// A literal block scalar (`|`, `|-`, `|+`) whose indicator is at `v`,
    /// in a parent indented `parent`; returns where the next line starts.
    pub(super) fn literal(&mut self, v: usize, parent: isize) -> Option<usize> {
        let mut i = v + 1;
        let mut chomp = Chomp::Clip;
        let mut explicit: Option<usize> = None;
        for _ in 0..2 {
            match self.at(i) {
                b'-' if matches!(chomp, Chomp::Clip) => chomp = Chomp::Strip,
                b'+' if matches!(chomp, Chomp::Clip) => chomp = Chomp::Keep,
                c @ b'1'..=b'9' if explicit.is_none() => explicit = Some(usize::from(c - b'0')),
                _ => break,
            }
            i += 1;
        }
        let r = self.skip_spaces(i);
        match self.at(r) {
            b'\n' => {}
            b'#' if r > i => {}
            _ => return None,
        }
        // Leading blank lines, then the first content line sets the
        // indentation (unless the header gives it).
        let mut p = self.next_line(r);
        let mut blanks = 0usize;
        let mut widest_blank = 0usize;
        let (start, indent) = loop {
            let f = self.skip_spaces(p);
            match self.at(f) {
                0 => return None,
                b'\n' => {
                    widest_blank = widest_blank.max(f - p);
                    blanks += 1;
                    p = f + 1;
                }
                _ => break (f, f - p),
            }
        };
        if let Some(d) = explicit
            && (parent < 0 || parent as usize + d != indent)
        {
            return None;
        }
        if indent as isize <= parent || widest_blank > indent {
            return None;
        }
        // The block's lines first (blank lines before each, its text), then
        // its value in one allocation of its exact size.
        let mut lines = std::mem::take(&mut self.lines);
        lines.clear();
        let end = loop {
            if p >= self.len() {
                break self.len();
            }
            let f = self.skip_spaces(p);
            match self.at(f) {
                0 => return None,
                b'\n' => {
                    if f - p > indent {
                        return None;
                    }
                    blanks += 1;
                    p = f + 1;
                }
                _ if f - p < indent => break f,
                _ => {
                    let le = self.line_end(p);
                    if le >= self.len() {
                        return None;
                    }
                    lines.push((blanks, p + indent, le));
                    blanks = 0;
                    p = le + 1;
                }
            }
        };
        let mut size: usize = lines.iter().map(|&(b, s, e)| b + (e - s) + 1).sum();
        match chomp {
            Chomp::Clip => {}
            Chomp::Strip => size = size.saturating_sub(1),
            Chomp::Keep => size += blanks,
        }
        let mut text = String::with_capacity(size);
        for &(b, s, e) in &lines {
            text.extend(std::iter::repeat_n('\n', b));
            text.push_str(&self.t[s..e]);
            text.push('\n');
        }
        self.lines = lines;
        match chomp {
            Chomp::Clip => {}
            Chomp::Strip => {
                text.pop();
            }
            Chomp::Keep => text.extend(std::iter::repeat_n('\n', blanks)),
        }
        self.scalar(Cow::Owned(text), PStyle::Literal, start, end)?;
        Some(p.min(self.len()))
    }

    /// A one-line flow sequence or mapping of scalars at `v`; returns its end.
    pub(super) fn flow(&mut self, v: usize) -> Option<usize> {
        self.enter()?;
        let seq = self.at(v) == b'[';
        let close = if seq { b']' } else { b'}' };
        if seq {
            self.emit(Event::SequenceStart(0, None), v, v + 1)?;
        } else {
            self.emit(Event::MappingStart(0, None), v, v + 1)?;
        }
        let mut i = self.skip_spaces(v + 1);
        if self.at(i) != close {
            loop {
                if !seq {
                    i = self.flow_scalar(i, true)?;
                    i = self.skip_spaces(i);
                    if self.at(i) != b':' || self.at(i + 1) != b' ' {
                        return None;
                    }
                    i = self.skip_spaces(i + 1);
                }
                i = self.flow_scalar(i, false)?;
                i = self.skip_spaces(i);
                match self.at(i) {
                    b',' => {
                        i = self.skip_spaces(i + 1);
                        if self.at(i) == close {
                            return None;
                        }
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        let end = if seq { Event::SequenceEnd } else { Event::MappingEnd };
        // The full parser's end mark runs over the spaces and comment after
        // the bracket (only those may follow it: see `finish_line`).
        let le = self.line_end(i);
        self.emit(end, i, le)?;
        self.depth -= 1;
        Some(i + 1)
    }

    /// A scalar inside a flow collection; returns its end.
    pub(super) fn flow_scalar(&mut self, i: usize, key: bool) -> Option<usize> {
        let c = self.at(i);
        if c == b'"' || c == b'\'' {
            let (value, style, end) = self.quoted(i, None)?;
            if key && (end - i > MAX_KEY || self.t.as_bytes()[i..end].contains(&b'\n')) {
                return None;
            }
            self.scalar(value, style, i, end)?;
            return Some(end);
        }
        if !self.plain_start_ok(i) || c == b'?' || c == b':' {
            return None;
        }
        let mut j = i;
        loop {
            match self.at(j) {
                0 | b'\n' | b',' | b']' | b'}' => break,
                b'[' | b'{' => return None,
                b':' if key && self.at(j + 1) == b' ' => break,
                b':' => return None,
                b'#' if self.at(j - 1) == b' ' => return None,
                // After a space, an indicator may start a token of its
                // own in the full parser's flow scanning: declined.
                b' ' if matches!(
                    self.at(j + 1),
                    b'-' | b'?' | b':' | b'#' | b'\'' | b'"' | b'!' | b'&' | b'*' | b'|' | b'>' | b'@' | b'`' | b'%'
                ) =>
                {
                    return None;
                }
                _ => j += 1,
            }
        }
        let mut end = j;
        while end > i && self.at(end - 1) == b' ' {
            end -= 1;
        }
        if key && end - i > MAX_KEY {
            return None;
        }
        self.scalar(Cow::Borrowed(&self.t[i..end]), PStyle::Plain, i, end)?;
        Some(end)
    }
}
