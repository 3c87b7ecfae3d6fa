# rsume for fish: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  rsume init fish | source   (for example in ~/.config/fish/config.fish)
function rsume --description 'Assume an AWS profile in this shell'
    # Commands that talk to the terminal or run a program are run as they are, told by
    # RSUME_WRAPPER that they run through this function (rsume doctor checks it).
    if __rsume_direct $argv
        RSUME_WRAPPER=fish command rsume $argv
        return $status
    end
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing
    # and its status is returned without evaluating anything.
    set -l code (command rsume --wrapper fish $argv | string collect)
    set -l code_status $pipestatus[1]
    if test $code_status -ne 0
        return $code_status
    end
    printf '%s\n' $code | source
end
# Succeeds when the command word (the first word that is not a flag or a flag's value)
# names a command whose output must not be captured. The lists come from rsume's own
# command definition. A cluster of short flags takes the next word as its value when its
# first flag that takes a value is its last letter (`-qp status`).
function __rsume_direct
    set -l skip 0
    for word in $argv
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $word
            case --
                return 1
            case @VALUE_FLAGS@
                set skip 1
            case '--*'
            case '-*'
                string match -qr -- '^-[^-@VALUE_SHORTS@]*[@VALUE_SHORTS@]$' $word; and set skip 1
            case @DIRECT_COMMANDS@
                return 0
            case '*'
                return 1
        end
    end
    return 1
end
