# rsume for PowerShell: `rsume PROFILE` sets the profile's credentials in this session.
# Load with:  rsume init powershell | Out-String | Invoke-Expression   (for example in $PROFILE)
function global:rsume {
    # The wrapper reads no flag: rsume runs as it is, whatever the command. It writes shell
    # code, and only that, into this session's code file (named after $PID, in a directory
    # only this user can enter), once at the end of a run that succeeded; the wrapper reads
    # it, removes the file and evaluates what it read. A failed run's status is left in
    # $LASTEXITCODE as PowerShell reports a program's (0 after success). A function cannot
    # `exit` (that ends the session), so scripts check  if ($LASTEXITCODE) { ... }.
    # RSUME_WRAPPER tells rsume doctor the wrapper ran it.
    $exe = Get-Command -Name rsume -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $file = Join-Path (@CODE_DIR@) "$PID"
    $env:RSUME_WRAPPER = 'powershell'
    try { & $exe --wrapper powershell --code-file $file @args } finally { Remove-Item Env:RSUME_WRAPPER -ErrorAction SilentlyContinue }
    $status = $LASTEXITCODE
    if ($status -eq 0 -and (Test-Path -LiteralPath $file)) {
        $code = Get-Content -LiteralPath $file -Raw
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
        if ($code) { Invoke-Expression $code }
    }
    $global:LASTEXITCODE = $status
}
