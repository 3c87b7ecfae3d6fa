# rsume for @SHELL@: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  eval "$(rsume init @SHELL@)"   (for example in @RC_FILE@)
rsume() {
    # Commands that talk to the terminal or run a program are run as they are, told by
    # RSUME_WRAPPER that they run through this function (rsume doctor checks it).
    if __rsume_direct "$@"; then
        RSUME_WRAPPER=@SHELL@ command rsume "$@"
        return
    fi
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing
    # and its status is returned without evaluating anything.
    local __rsume_code
    __rsume_code="$(command rsume --wrapper @SHELL@ "$@")" || return
    eval "$__rsume_code"
}
# Succeeds when the command word (the first word that is not a flag or a flag's value)
# names a command whose output must not be captured. The lists come from rsume's own
# command definition.
__rsume_direct() {
    local __rsume_word __rsume_skip=
    for __rsume_word in "$@"; do
        if [ -n "$__rsume_skip" ]; then
            __rsume_skip=
            continue
        fi
        case $__rsume_word in
            --) return 1 ;;
            @VALUE_FLAGS@) __rsume_skip=1 ;;
            -*) ;;
            @DIRECT_COMMANDS@) return 0 ;;
            *) return 1 ;;
        esac
    done
    return 1
}
