//! The terminal is opened in one place, `src/mfa/terminal.rs`: prompts, seeds and
//! confirmations all go through it, so its rules (never stdout, the Windows console names)
//! hold everywhere. A structural check, since CI runs on Linux only.

mod support;

use std::path::Path;

use support::source::rust_files;

const TERMINAL_MODULE: &str = "src/mfa/terminal.rs";

#[test]
fn only_the_terminal_module_names_the_terminal_device() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let module = root.join(TERMINAL_MODULE);
    let files = rust_files(&root.join("src"));
    assert!(files.contains(&module), "{TERMINAL_MODULE} moved?");
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for device in ["\"/dev/tty\"", "\"CONIN$\"", "\"CONOUT$\""] {
            if text.contains(device) && file != module {
                found.push(format!("{} names {device}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "open the terminal through {TERMINAL_MODULE}: {found:?}"
    );
    let module_text = std::fs::read_to_string(&module).unwrap();
    assert!(
        module_text.contains("pub fn open()"),
        "{TERMINAL_MODULE} has no open()"
    );
}
