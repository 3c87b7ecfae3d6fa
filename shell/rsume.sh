# rsume for @SHELL@: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  eval "$(rsume init @SHELL@)"   (for example in @RC_FILE@)
#
# `rsume init` prints this without its comment lines, and the text must mean the same under
# the unquoted `eval $(rsume init @SHELL@)`, which joins all lines into one: every statement
# ends in `;`, and no word holds a glob character (`*`, `?`, `[`) or relies on a newline
# (docs/shells.md, "Unquoted eval"; tests/shells.rs checks it).
#
# The wrapper reads no flag: rsume runs as it is, a foreground job on the terminal, whatever
# the command (so Ctrl-Z suspends a program `rsume exec` runs). It writes shell code, and
# only that, into this shell's code file (named after the shell's process id, in a directory
# only this user can enter), once at the end of a run that succeeded; the wrapper reads it,
# empties the file with a builtin and evaluates what it read. A failed run's status is
# returned without evaluating anything. RSUME_WRAPPER tells rsume doctor the wrapper ran it.
rsume() {
    local __rsume_file=@CODE_DIR@/${BASHPID:-$$} __rsume_code=;
    RSUME_WRAPPER=@SHELL@ command rsume --wrapper @SHELL@ --code-file "$__rsume_file" "$@" || return;
    test -s "$__rsume_file" || return 0;
    IFS= read -r -d '' __rsume_code <"$__rsume_file" || true;
    : >"$__rsume_file";
    eval "$__rsume_code";
};
