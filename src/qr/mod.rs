//! QR codes for an authenticator app: drawn in the terminal with half blocks, or written
//! as a PNG. `qrcode` encodes; the drawing is ours, for a quiet zone small enough that a
//! code with a 64-character seed fits a 24-row terminal.

mod png;

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code in the terminal: scanners cope with two, and the usual
/// four would cost two more rows.
const TERMINAL_QUIET_ZONE: usize = 2;
/// The PNG keeps the standard quiet zone and 8 pixels per module.
const PNG_QUIET_ZONE: usize = 4;
const PNG_SCALE: usize = 8;

/// Black on bright white whatever the terminal's colours, so a dark theme does not invert
/// the code; reset at each line's end.
const COLOURS: &str = "\x1b[30;107m";
const RESET: &str = "\x1b[0m";

#[derive(Debug, thiserror::Error)]
#[error("the text is too long for a QR code")]
pub struct TooLong;

/// The modules of one code, `true` for dark, row by row.
pub struct Qr {
    width: usize,
    dark: Vec<bool>,
}

impl Qr {
    /// Level L (the lowest error correction): a screen shows the code cleanly, and the
    /// smaller code fits the terminal.
    pub fn new(text: &str) -> Result<Self, TooLong> {
        let code = QrCode::with_error_correction_level(text, EcLevel::L).map_err(|_| TooLong)?;
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
        })
    }

    /// Whether the module at (x, y) of the code with a quiet zone of `quiet` is dark.
    fn is_dark(&self, x: usize, y: usize, quiet: usize) -> bool {
        let inside = |v: usize| v.checked_sub(quiet).filter(|v| *v < self.width);
        match (inside(x), inside(y)) {
            (Some(x), Some(y)) => self.dark[y * self.width + x],
            _ => false,
        }
    }

    /// The code as lines of half blocks, two module rows per line.
    pub fn terminal_text(&self) -> String {
        let side = self.width + 2 * TERMINAL_QUIET_ZONE;
        let mut text = String::new();
        for y in (0..side).step_by(2) {
            text.push_str(COLOURS);
            for x in 0..side {
                let top = self.is_dark(x, y, TERMINAL_QUIET_ZONE);
                let bottom = y + 1 < side && self.is_dark(x, y + 1, TERMINAL_QUIET_ZONE);
                text.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            text.push_str(RESET);
            text.push('\n');
        }
        text
    }

    /// The code as a black-and-white PNG.
    pub fn png(&self) -> Vec<u8> {
        let side = (self.width + 2 * PNG_QUIET_ZONE) * PNG_SCALE;
        png::encode(side, |x, y| {
            self.is_dark(x / PNG_SCALE, y / PNG_SCALE, PNG_QUIET_ZONE)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/AWS:alice@123456789012?secret=\
        ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRSTUVWXYZ234567&issuer=AWS";

    #[test]
    fn a_seed_uri_fits_a_24_row_terminal() {
        let text = Qr::new(URI).unwrap().terminal_text();
        assert!(text.lines().count() <= 24, "{} rows", text.lines().count());
    }

    #[test]
    fn the_quiet_zone_is_light_and_finder_patterns_dark() {
        let qr = Qr::new(URI).unwrap();
        let q = TERMINAL_QUIET_ZONE;
        assert!((0..q).all(|x| !qr.is_dark(x, x, q)));
        // The top-left finder pattern: a dark 7x7 ring.
        assert!((0..7).all(|i| qr.is_dark(q + i, q, q) && qr.is_dark(q, q + i, q)));
        assert!(!qr.is_dark(q + 1, q + 1, q));
    }
}
