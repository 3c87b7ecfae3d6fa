# Refresh before each prompt (rsume init fish --auto-refresh): once the credentials rsume set
# are within their margin (RSUME_REFRESH_AT, epoch seconds), assume the profile again, from
# the cache or asking for a code once. fish has no clock of its own, so while rsume's
# credentials are set each prompt runs one `date`. A refresh that fails or is cancelled
# leaves the variables as they were and is not tried again until rsume sets new ones.
# Stop it with:  functions -e __rsume_refresh
function __rsume_refresh --on-event fish_prompt
    set -q RSUME_REFRESH_AT RSUME_PROFILE; or return
    test "$__rsume_refresh_failed" = "$RSUME_REFRESH_AT"; and return
    test (command date +%s) -ge $RSUME_REFRESH_AT; or return
    rsume -p $RSUME_PROFILE; or set -g __rsume_refresh_failed $RSUME_REFRESH_AT
end
