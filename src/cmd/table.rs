//! Plain aligned columns for people (`rsume -l`, `rsume cache list`).

use crate::log::printable;

/// `rows[0]` is the header. Cells are made printable like every message, so a hostile
/// name cannot break the layout, drive the terminal or reorder what is shown.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let rows: Vec<[String; N]> = rows
        .iter()
        .map(|row| row.each_ref().map(|cell| printable(cell).into_owned()))
        .collect();
    let mut widths = [0; N];
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            // Padded by hand: format!'s width is a u16, and a cell may be longer.
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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
