# rsume for PowerShell: `rsume PROFILE` sets the profile's credentials in this session.
# Load with:  rsume init powershell | Out-String | Invoke-Expression   (for example in $PROFILE)
function rsume {
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing, and
    # nothing is evaluated. The status is returned the way PowerShell returns a program's:
    # in $LASTEXITCODE (rsume's own exit code on failure, 0 after success). A function
    # cannot `exit` (that ends the session), and $? stays True after a plain function, so
    # scripts check  if ($LASTEXITCODE) { ... }  after  rsume PROFILE.
    $exe = Get-Command -Name rsume -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $code = & $exe --wrapper powershell @args
    $status = $LASTEXITCODE
    if ($status -eq 0 -and $code) { Invoke-Expression ($code -join "`n") }
    $global:LASTEXITCODE = $status
}
