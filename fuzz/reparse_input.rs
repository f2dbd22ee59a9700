//! The input layout of the `yaml_reparse` fuzz target, shared with the
//! test that replays its corpus (`tests/yaml_incremental.rs`):
//! `[at: 2 bytes][remove: 1 byte][insert length: 1 byte][insert][text]`,
//! read as an edit of `text` that removes up to 15 bytes at `at` and
//! inserts up to 31 (moved to character boundaries).

/// The old text and the edited text; `None` when the bytes are too few or
/// not UTF-8.
pub fn decode(data: &[u8]) -> Option<(&str, String)> {
    if data.len() < 4 {
        return None;
    }
    let at = u16::from_le_bytes([data[0], data[1]]) as usize;
    let remove = data[2] as usize % 16;
    let insert_len = (data[3] as usize % 32).min(data.len() - 4);
    let insert = std::str::from_utf8(&data[4..4 + insert_len]).ok()?;
    let text = std::str::from_utf8(&data[4 + insert_len..]).ok()?;
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + remove).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Some((text, format!("{}{insert}{}", &text[..at], &text[end..])))
}
