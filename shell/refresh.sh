# Refresh before each prompt (rsume init @SHELL@ --auto-refresh): once the credentials rsume set
# are within their margin (RSUME_REFRESH_AT, epoch seconds), repeat the run that set them
# (rsume --repeat reads it from RSUME_REFRESH_ARGS), from the cache or asking for a code
# once. The shell's own clock decides, so no process starts until then. A refresh that
# fails or is cancelled leaves the variables as they were and is not tried again until rsume
# sets new ones. RSUME_PROMPT_HOOK tells rsume the hook is here, so it can say when it will
# not renew a run. Stop it with:  unset -f __rsume_refresh
__rsume_refresh() {
    local __rsume_status=$?
    if [ -n "${RSUME_REFRESH_AT-}" ] \
        && [ "${__rsume_refresh_failed-}" != "$RSUME_REFRESH_AT" ] \
        && [ "${EPOCHSECONDS:-$(date +%s)}" -ge "$RSUME_REFRESH_AT" ]; then
        rsume --repeat || __rsume_refresh_failed=$RSUME_REFRESH_AT
    fi
    return $__rsume_status
}
export RSUME_PROMPT_HOOK=@SHELL@
