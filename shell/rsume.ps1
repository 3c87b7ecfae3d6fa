# rsume for PowerShell: `rsume PROFILE` sets the profile's credentials in this session.
# Load with:  rsume init powershell | Out-String | Invoke-Expression   (for example in $PROFILE)
function rsume {
    # Under --wrapper every output of rsume is shell code; a failed run prints nothing
    # and its status is returned without evaluating anything.
    $exe = Get-Command -Name rsume -CommandType Application -ErrorAction Stop | Select-Object -First 1
    $code = & $exe --wrapper powershell @args
    if ($LASTEXITCODE -ne 0) { return }
    if ($code) { Invoke-Expression ($code -join "`n") }
}
