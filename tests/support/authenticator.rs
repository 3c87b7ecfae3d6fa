//! What a person's authenticator app does with `rsume mfa setup`'s screen: read the QR code
//! (with `rqrr`) or the secret printed under it, and generate codes (with Debian's
//! `oathtool`, from the secret alone).

#![allow(dead_code)]

use std::process::Command;

/// The QR code drawn in `screen` (half blocks between rsume's colour codes), read back by
/// a QR decoder.
pub fn decode_terminal_qr(screen: &str) -> String {
    let screen = utf8(screen);
    let rows: Vec<Vec<char>> = screen
        .lines()
        .filter_map(|line| line.split_once("\x1b[30;107m"))
        .map(|(_, rest)| rest.split("\x1b[0m").next().unwrap().chars().collect())
        .collect();
    assert!(rows.len() > 10, "no QR code in:\n{screen}");
    assert!(
        rows.len() <= 24,
        "{} rows do not fit a terminal",
        rows.len()
    );
    let width = rows[0].len();
    let dark = |x: usize, y: usize| match rows[y / 2][x] {
        '█' => true,
        '▀' => y.is_multiple_of(2),
        '▄' => !y.is_multiple_of(2),
        ' ' => false,
        other => panic!("unexpected {other:?} in the QR code"),
    };
    const SCALE: usize = 4;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(
        width * SCALE,
        rows.len() * 2 * SCALE,
        |x, y| if dark(x / SCALE, y / SCALE) { 0 } else { 255 },
    );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the screen");
    grids[0].decode().expect("a readable QR code").1
}

/// rexpect hands over each byte as a char: the bytes again, read as UTF-8.
fn utf8(screen: &str) -> String {
    let bytes: Vec<u8> = screen
        .chars()
        .map(|c| u8::try_from(c).expect("one byte per char"))
        .collect();
    String::from_utf8(bytes).expect("UTF-8 on the terminal")
}

/// The current and the next TOTP code of `secret`, from oathtool.
pub fn two_codes(secret: &str) -> (String, String) {
    let output = Command::new("oathtool")
        .args(["--totp", "--base32", "--window=1", secret])
        .output()
        .expect("oathtool (Debian package oathtool; scripts/setup.sh installs it)");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let mut codes = text.lines().map(str::to_owned);
    (codes.next().unwrap(), codes.next().unwrap())
}

/// The text after `secret key in the app (time-based): ` on the screen.
pub fn printed_secret(screen: &str) -> String {
    let (_, rest) = screen
        .split_once("secret key in the app (time-based): ")
        .expect("the secret as text");
    rest.split_whitespace().next().unwrap().to_owned()
}
