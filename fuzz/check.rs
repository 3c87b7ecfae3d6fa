// Shared by the fuzz target and the regression test (both `include!` it): what must hold
// for any input at all.

/// Splits `data` into a config and a credentials file at the first NUL (or uses it as both),
/// parses, and resolves every profile found. Panics only if a rule is broken.
pub fn check_profile_files(data: &[u8]) {
    use rsume::config::{ProfileFiles, parse};
    use rsume::resolve::{Overrides, plan};

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, credentials) = text.split_once('\0').unwrap_or((text, text));
    let files = ProfileFiles::from_strings(config, credentials);
    match parse(&files) {
        Ok(set) => {
            let names: Vec<String> = set.profiles().map(|p| p.name().to_owned()).collect();
            for name in names {
                // Errors are fine; panics and endless loops are not.
                let _ = plan(&set, &name, &Overrides::default(), &|_| None);
            }
        }
        Err(error) => {
            let message = error.to_string();
            let lines = config.lines().count().max(credentials.lines().count()) + 1;
            let line: usize = message
                .split(':')
                .nth(1)
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("no line number in {message:?}"));
            assert!((1..=lines).contains(&line), "line {line} of {lines}: {message}");
        }
    }
}
