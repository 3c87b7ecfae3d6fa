//! Plain aligned columns for people (`rsume -l`, `rsume cache list`).

use std::borrow::Cow;

use crate::log::printable;

/// `rows[0]` is the header. Cells are made printable like every message, so a hostile
/// name cannot break the layout, drive the terminal or reorder what is shown. A cell is
/// copied only when escaping changed it: `rsume -l` shows 30,000 cells for 5,000 profiles.
pub fn table<const N: usize, S: AsRef<str>>(rows: &[[S; N]]) -> String {
    let rows: Vec<[Cow<str>; N]> = rows
        .iter()
        .map(|row| row.each_ref().map(|cell| printable(cell.as_ref())))
        .collect();
    let mut widths = [0; N];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let start = out.len();
        for (cell, width) in row.iter().zip(widths) {
            // Padded by hand: format!'s width is a u16, and a cell may be longer.
            out.push_str(cell);
            pad(&mut out, width - cell.chars().count() + 2);
        }
        let end = start + out[start..].trim_end().len();
        out.truncate(end);
        out.push('\n');
    }
    out
}

/// `count` spaces, pushed a slice at a time rather than a character at a time.
fn pad(out: &mut String, mut count: usize) {
    const SPACES: &str = "                                ";
    while count > 0 {
        let step = count.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        count -= step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_escapes() {
        let rows = [
            ["A".to_owned(), "B".into()],
            ["long name".into(), "x\ny\u{202E}".into()],
        ];
        assert_eq!(table(&rows), "A          B\nlong name  x\\u{a}y\\u{202e}\n");
    }
}
