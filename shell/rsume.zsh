# rsume for zsh: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  eval "$(rsume init zsh)"   (for example in ~/.zshrc)
rsume() {
    local __rsume_code
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing
    # and its status is returned without evaluating anything.
    __rsume_code="$(command rsume --wrapper zsh "$@")" || return
    eval "$__rsume_code"
}
