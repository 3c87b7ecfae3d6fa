# rsume for fish: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  rsume init fish | source   (for example in ~/.config/fish/config.fish)
function rsume --description 'Assume an AWS profile in this shell'
    # The wrapper reads no flag: rsume runs as it is, a foreground job on the terminal,
    # whatever the command. It writes shell code, and only that, into this shell's code file
    # (named after $fish_pid, in a directory only this user can enter), once at the end of a
    # run that succeeded; the wrapper reads it, empties the file with a builtin and sources
    # what it read. A failed run's status is returned without evaluating anything.
    # RSUME_WRAPPER tells rsume doctor the wrapper ran it.
    set -l file @CODE_DIR@/$fish_pid
    RSUME_WRAPPER=fish command rsume --wrapper fish --code-file $file $argv
    or return $status
    test -s $file; or return 0
    set -l code (string collect <$file)
    true >$file
    printf '%s\n' $code | source
end
