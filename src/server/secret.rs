//! The endpoint's two unguessable parts, its path and its token, and the one comparison of a
//! presented token: in constant time, so no timing tells how much of a guess was right.

use std::io;

/// `bytes` random bytes from the operating system, as lowercase hex.
pub fn random_hex(bytes: usize) -> io::Result<String> {
    let mut buffer = vec![0u8; bytes];
    fill(&mut buffer)?;
    Ok(hex::encode(buffer))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn fill(buffer: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buffer.len() {
        let rest = &mut buffer[filled..];
        // SAFETY: the kernel writes at most `rest.len()` bytes into `rest`.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if got < 0 {
            let error = io::Error::last_os_error();
            if error.kind() != io::ErrorKind::Interrupted {
                return Err(error);
            }
        } else {
            filled += got as usize;
        }
    }
    Ok(())
}

/// The other Unix systems have `getentropy`, which fills at most 256 bytes a call.
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
fn fill(buffer: &mut [u8]) -> io::Result<()> {
    for chunk in buffer.chunks_mut(256) {
        // SAFETY: the system writes exactly `chunk.len()` (at most 256) bytes into `chunk`.
        if unsafe { libc::getentropy(chunk.as_mut_ptr().cast(), chunk.len()) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn fill(_buffer: &mut [u8]) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no random source for the server's token on this system",
    ))
}

/// Whether `presented` is `expected`, looking at every byte whatever the first difference.
/// Only the length may end it early, and every token rsume makes has the same length.
pub fn same(presented: &[u8], expected: &[u8]) -> bool {
    if presented.len() != expected.len() {
        return false;
    }
    let difference = presented
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_values_differ_and_have_the_asked_length() {
        let (a, b) = (random_hex(32).unwrap(), random_hex(32).unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn only_the_whole_token_is_the_same() {
        let token = b"0123456789abcdef";
        assert!(same(token, token));
        assert!(!same(b"", token));
        assert!(!same(&token[..15], token));
        assert!(!same(b"0123456789abcdeF", token));
        assert!(!same(b"0123456789abcdef0", token));
    }
}
