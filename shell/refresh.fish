# Refresh before each prompt (rsume init fish --auto-refresh): once the credentials rsume set
# are within their margin (RSUME_REFRESH_AT, epoch seconds), repeat the run that set them
# (rsume --repeat reads it from RSUME_REFRESH_ARGS), from the cache or asking for a code
# once. fish has no clock of its own, so while rsume's credentials are set each prompt runs
# one `date`. A refresh that fails or is cancelled leaves the variables as they were and is
# not tried again until rsume sets new ones. RSUME_PROMPT_HOOK tells rsume the hook is here,
# so it can say when it will not renew a run.
# Stop it with:  functions -e __rsume_refresh
function __rsume_refresh --on-event fish_prompt
    set -q RSUME_REFRESH_AT; or return
    test "$__rsume_refresh_failed" = "$RSUME_REFRESH_AT"; and return
    test (command date +%s) -ge $RSUME_REFRESH_AT; or return
    rsume --repeat; or set -g __rsume_refresh_failed $RSUME_REFRESH_AT
end
set -gx RSUME_PROMPT_HOOK fish
