# rsume for @SHELL@: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  eval "$(rsume init @SHELL@)"   (for example in @RC_FILE@)
#
# `rsume init` prints this without its comment lines, and the text must mean the same under
# the unquoted `eval $(rsume init @SHELL@)`, which joins all lines into one: every statement
# ends in `;`, and no word holds a glob character (`*`, `?`, `[`) or relies on a newline
# (docs/shells.md, "Unquoted eval"; tests/shells.rs checks it).
#
# Commands that talk to the terminal or run a program are run as they are, told by
# RSUME_WRAPPER that they run through this function (rsume doctor checks it). Under
# --wrapper every output of rsume is shell code; a failed run prints nothing and its status
# is returned without evaluating anything.
rsume() {
    if __rsume_direct "$@"; then
        RSUME_WRAPPER=@SHELL@ command rsume "$@";
        return;
    fi;
    local __rsume_code;
    __rsume_code="$(command rsume --wrapper @SHELL@ "$@")" || return;
    eval "$__rsume_code";
};
# Succeeds when the command word (the first word that is not a flag or a flag's value)
# names a command whose output must not be captured. The lists come from rsume's own
# command definition. A cluster of short flags takes the next word as its value when its
# first flag that takes a value is its last letter: `-qp status` is the profile `status`,
# `-pstatus` holds its value, `-qv` takes none.
__rsume_direct() {
    local __rsume_word __rsume_skip= __rsume_rest;
    for __rsume_word in "$@"; do
        if test -n "$__rsume_skip"; then
            __rsume_skip=;
            continue;
        fi;
        case $__rsume_word in
            --) return 1 ;;
            @VALUE_FLAGS@) __rsume_skip=1; continue ;;
            @DIRECT_COMMANDS@) return 0 ;;
        esac;
        test "${__rsume_word#-}" = "$__rsume_word" && return 1;
        test "${__rsume_word#--}" = "$__rsume_word" || continue;
        __rsume_rest=${__rsume_word#-};
        while test -n "$__rsume_rest"; do
            case ${__rsume_rest:0:1} in
                @VALUE_SHORTS@) test -n "${__rsume_rest:1}" || __rsume_skip=1; break ;;
            esac;
            __rsume_rest=${__rsume_rest:1};
        done;
    done;
    return 1;
};
