//! `rsume doctor [PROFILE] [--json]`: a checklist for a person, each failure with its fix.
//! The files and the chain first (with IAM's word on the chain's MFA device), the wrapper and
//! the cache, then what only STS can answer (the clock, who the keys belong to,
//! GetSessionToken). The exit status is 0 only when no check failed; `--json` prints the
//! same list as data, whatever the outcome.

mod aws;
mod chain;
mod device;
mod files;

use std::io::IsTerminal;

use serde::Serialize;

use super::{Env, Output, profiles, report};
use crate::cli::RequestArgs;
use crate::log;
use crate::resolve::Overrides;

/// One line of the checklist.
#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    outcome: Outcome,
    detail: String,
    /// More to show under the line (the chain, drawn hop by hop).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lines: Vec<String>,
    /// What to do about a failure.
    fix: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Pass,
    Fail,
    /// Not checked, and the detail says why; not a failure.
    Skip,
}

impl Check {
    fn pass(check: &'static str, detail: impl Into<String>) -> Check {
        Check {
            check,
            outcome: Outcome::Pass,
            detail: detail.into(),
            lines: Vec::new(),
            fix: None,
        }
    }

    fn fail(check: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            check,
            outcome: Outcome::Fail,
            detail: detail.into(),
            lines: Vec::new(),
            fix: Some(fix.into()),
        }
    }

    fn skip(check: &'static str, detail: impl Into<String>) -> Check {
        Check {
            check,
            outcome: Outcome::Skip,
            detail: detail.into(),
            lines: Vec::new(),
            fix: None,
        }
    }
}

/// The whole report, as `--json` prints it.
#[derive(Debug, Serialize)]
struct Report {
    profile: String,
    /// Where the profile's name came from.
    profile_from: String,
    ok: bool,
    checks: Vec<Check>,
}

pub fn run(
    given: Option<&str>,
    json: bool,
    args: &RequestArgs,
    env: Env<'_>,
) -> anyhow::Result<Output> {
    let (profile, profile_from) = choose(given, env);
    let mut checks = Vec::new();
    let loaded = files::check(env, &mut checks);
    let overrides = Overrides {
        region: args.region.clone(),
        session_duration: args.session_duration,
        role_duration: args.role_duration,
        sts_timeout: args.sts_timeout,
    };
    let plan = loaded.and_then(|(set, first_run)| {
        chain::check(&set, first_run, &profile, &overrides, env, &mut checks)
    });
    // Each check asks the plan; none runs another, so this order is the checklist's.
    if let Some(plan) = &plan {
        checks.push(device::check(plan, env));
    }
    checks.push(wrapper(env));
    checks.push(files::cache(env, args.no_cache));
    match plan {
        Some(plan) => aws::check(&plan, &mut checks),
        None => checks.push(Check::skip(
            "AWS",
            "the clock, the identity and GetSessionToken need a profile that resolves",
        )),
    }
    let ok = checks.iter().all(|c| c.outcome != Outcome::Fail);
    let report_text = if json {
        serde_json::to_string_pretty(&Report {
            profile,
            profile_from,
            ok,
            checks,
        })? + "\n"
    } else {
        let header = format!("checking profile '{profile}': {profile_from}");
        format!("{}\n", log::printable(&header)) + &render(&checks, colour_wanted(env))
    };
    report(&report_text, if ok { 0 } else { 1 })
}

/// The profile to check and where its name came from: the command line, else the profile
/// rsume made active in this shell (`RSUME_PROFILE`), else the one the SDKs would use.
fn choose(given: Option<&str>, env: Env<'_>) -> (String, String) {
    let active = env("RSUME_PROFILE").filter(|name| !name.is_empty());
    match (given, active) {
        (None, Some(name)) => (
            name,
            "the profile rsume made active in this shell (RSUME_PROFILE)".into(),
        ),
        (given, _) => {
            let (name, from) = profiles::choose(given, env);
            let from = match from {
                profiles::NameFrom::Default => {
                    format!("{from}, and no rsume profile is active in this shell")
                }
                from => from.to_string(),
            };
            (name, from)
        }
    }
}

/// Whether the wrapper function ran this rsume: it sets RSUME_WRAPPER for direct commands
/// only, so the variable says nothing in a child shell or a script.
fn wrapper(env: Env<'_>) -> Check {
    const CHECK: &str = "wrapper";
    match env("RSUME_WRAPPER").filter(|v| !v.is_empty()) {
        Some(shell) => Check::pass(CHECK, format!("the {shell} wrapper function is loaded")),
        None => {
            let shell = crate::shell::detect(env).shell();
            Check::fail(
                CHECK,
                "rsume ran without the wrapper function, so `rsume PROFILE` cannot set variables in this shell",
                format!(
                    "load it now and in your shell's startup file:  {}",
                    shell.eval_hint(&format!("init {}", shell.name()))
                ),
            )
        }
    }
}

/// Colour only for a person at a terminal who has not asked for none (no-color.org).
fn colour_wanted(env: Env<'_>) -> bool {
    std::io::stdout().is_terminal() && env("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn render(checks: &[Check], colour: bool) -> String {
    let mut text = String::new();
    for check in checks {
        let (mark, code) = match check.outcome {
            Outcome::Pass => ("✓", "32"),
            Outcome::Fail => ("✗", "31"),
            Outcome::Skip => ("-", "2"),
        };
        let mark = if colour {
            format!("\x1b[{code}m{mark}\x1b[0m")
        } else {
            mark.to_owned()
        };
        let detail = log::printable(&check.detail);
        text.push_str(&format!("{mark} {}: {detail}\n", check.check));
        for line in &check.lines {
            text.push_str(&format!("    {}\n", log::printable(line)));
        }
        if let Some(fix) = &check.fix {
            text.push_str(&format!("    fix: {}\n", log::printable(fix)));
        }
    }
    let failed = checks.iter().filter(|c| c.outcome == Outcome::Fail).count();
    text.push_str(&match failed {
        0 => "all checks passed\n".to_owned(),
        1 => "1 check failed\n".to_owned(),
        n => format!("{n} checks failed\n"),
    });
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked_and_fixes_under_failures() {
        let checks = [
            Check::pass("one", "fine"),
            Check::fail("two", "broken", "mend it"),
        ];
        let plain = render(&checks, false);
        assert_eq!(
            plain,
            "✓ one: fine\n✗ two: broken\n    fix: mend it\n1 check failed\n"
        );
        assert!(render(&checks, true).contains("\x1b[31m✗\x1b[0m two"));
    }
}
