# Refresh before each prompt (rsume init @SHELL@ --auto-refresh): once the credentials rsume set
# are within their margin (RSUME_REFRESH_AT, epoch seconds), assume the profile again, from
# the cache or asking for a code once. The shell's own clock decides, so no process starts
# until then. A refresh that fails or is cancelled leaves the variables as they were and is
# not tried again until rsume sets new ones. Stop it with:  unset -f __rsume_refresh
__rsume_refresh() {
    local __rsume_status=$?
    if [ -n "${RSUME_REFRESH_AT-}" ] && [ -n "${RSUME_PROFILE-}" ] \
        && [ "${__rsume_refresh_failed-}" != "$RSUME_REFRESH_AT" ] \
        && [ "${EPOCHSECONDS:-$(date +%s)}" -ge "$RSUME_REFRESH_AT" ]; then
        rsume -p "$RSUME_PROFILE" || __rsume_refresh_failed=$RSUME_REFRESH_AT
    fi
    return $__rsume_status
}
