# rsume for PowerShell: `rsume PROFILE` sets the profile's credentials in this session.
# Load with:  rsume init powershell | Out-String | Invoke-Expression   (for example in $PROFILE)
function global:rsume {
    # A failed run prints nothing and nothing is evaluated; its status is left in
    # $LASTEXITCODE as PowerShell reports a program's (0 after success). A function cannot
    # `exit` (that ends the session), so scripts check  if ($LASTEXITCODE) { ... }.
    $exe = Get-Command -Name rsume -CommandType Application -ErrorAction Stop | Select-Object -First 1
    # Commands that talk to the terminal or run a program are run as they are, told by
    # RSUME_WRAPPER that they run through this function (rsume doctor checks it); the lists
    # come from rsume's own command definition.
    $valueFlags = @(@VALUE_FLAGS@)
    $direct = @(@DIRECT_COMMANDS@)
    $skip = $false
    foreach ($word in $args) {
        if ($skip) { $skip = $false; continue }
        if ($word -ceq '--') { break }
        if ($valueFlags -ccontains $word) { $skip = $true; continue }
        # A short-flag cluster whose first flag that takes a value is its last letter (-qp X).
        if ("$word" -cmatch '^-[^-@VALUE_SHORTS@]*[@VALUE_SHORTS@]$') { $skip = $true; continue }
        if ("$word".StartsWith('-')) { continue }
        if ($direct -ccontains $word) {
            $env:RSUME_WRAPPER = 'powershell'
            try { & $exe @args } finally { Remove-Item Env:RSUME_WRAPPER -ErrorAction SilentlyContinue }
            return
        }
        break
    }
    # Under --wrapper every output of rsume is shell code.
    $code = & $exe --wrapper powershell @args
    $status = $LASTEXITCODE
    if ($status -eq 0 -and $code) { Invoke-Expression ($code -join "`n") }
    $global:LASTEXITCODE = $status
}
