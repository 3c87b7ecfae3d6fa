# rsume for fish: `rsume PROFILE` sets the profile's credentials in this shell.
# Load with:  rsume init fish | source   (for example in ~/.config/fish/config.fish)
function rsume --description 'Assume an AWS profile in this shell'
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing
    # and its status is returned without evaluating anything.
    set -l code (command rsume --wrapper fish $argv | string collect)
    set -l code_status $pipestatus[1]
    if test $code_status -ne 0
        return $code_status
    end
    printf '%s\n' $code | source
end
