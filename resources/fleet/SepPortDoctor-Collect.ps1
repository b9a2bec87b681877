<#
.SYNOPSIS
    SEP Port Doctor, unattended: check this PC's ports to its SEP Manager and write the result
    into a collection folder as one JSON file per computer.

.DESCRIPTION
    Runs the packaged command line without a window:

        sep-port-doctor.exe check --json --role client --manager <Manager> --version <Version>

    and writes what it prints to <Share>\<COMPUTERNAME>_<yyyyMMddTHHmmssZ>.json (UTC). The file is
    written under a temporary name in the same folder (".<name>.<random>.tmp") and then renamed,
    so whoever collects the folder never reads half a file: skip names that start with "." or end
    in ".tmp". When the check printed no result (the program is missing, bad input, an internal
    error, a timeout), <COMPUTERNAME>_<time>.error.txt in the same folder says why.
    Without -Share the result comes back as an object instead (PowerShell remoting:
    Invoke-SepPortDoctorFleet.ps1 writes it on the administrator's side).

    One script for three tools (README, "Fleet"):
      - Configuration Manager "Run Script": import this file; its parameters show in the console,
        and the console shows the exit code and the one summary line this prints.
      - Group Policy scheduled task: group_policy\ScheduledTasks.xml runs it from a share.
      - PowerShell remoting: Invoke-SepPortDoctorFleet.ps1 sends it to each computer.
    Windows PowerShell 5.1 and PowerShell 7.

    Rights: the check itself needs no administrator rights (a standard user, NETWORK SERVICE or
    SYSTEM all work; nothing on the PC is changed). Writing to the share needs that share's write
    right for the account this runs as: SYSTEM and NETWORK SERVICE reach the share as the computer
    account (DOMAIN\PC$), so grant "Domain Computers" the right to create files in the folder
    (README, "Fleet", has a least-privilege drop-box setting). No credentials are stored here or
    asked for.

    Exit codes: the check's own, passed through (README "Exit codes", core/exit_codes.py):
      0 nothing wrong, 1 problems found, 2 bad input (one line says which), 3 no problem found but
      a check could not be completed, 70 internal error (the program's log file is named), others
      as the README lists them. This script adds three of its own:
      10 the program was not found or could not be started,
      11 the result could not be written into the collection folder,
      12 the check did not finish within -TimeoutSeconds (it was stopped).

.PARAMETER Manager
    The SEP Manager's host name or IP address, as the clients know it.
.PARAMETER Version
    The SEP version of the clients, as technicians write it ("14.3 RU9") or a build number.
.PARAMETER Share
    The collection folder, usually a UNC path (\\fileserver\sep-port-doctor$\results).
    Empty: return the result as an object instead of writing a file.
.PARAMETER Program
    sep-port-doctor.exe (the console program of the packaged folder). Environment variables are
    expanded (%TEMP%\...). Empty: the package this script came in, then
    %ProgramFiles%\SEP Port Doctor\sep-port-doctor.exe, then sep-port-doctor.exe on PATH.
.PARAMETER ExtraArguments
    More options for "check", separated by spaces, such as "--port 8014=8015 --timeout 3"
    (none of check's options takes a value with a space in it).
.PARAMETER Lang
    ja or en for the words in the JSON (headlines); empty: the PC's own language.
.PARAMETER TimeoutSeconds
    The longest the check may take before it is stopped (a hang guard; a check takes seconds).
#>
[CmdletBinding()]
param(
    [string]$Manager = '',
    [string]$Version = '',
    [string]$Share = '',
    [string]$Program = '',
    [string]$ExtraArguments = '',
    [string]$Lang = '',
    [int]$TimeoutSeconds = 600
)

#region shared: scripts/sync_fleet_recipes.py copies this region into the Intune scripts (a test keeps them equal)
$SepExitProgramMissing = 10
$SepExitCannotWrite = 11
$SepExitTimedOut = 12

function ConvertTo-SepArgument {
    # One argument of a Windows command line, quoted the way the C runtime splits it again.
    param([string]$Value)
    if ($Value -ne '' -and $Value -notmatch '[\s"]') { return $Value }
    $quoted = New-Object System.Text.StringBuilder
    [void]$quoted.Append('"')
    $backslashes = 0
    foreach ($character in $Value.ToCharArray()) {
        if ($character -eq '\') {
            $backslashes++
            continue
        }
        if ($character -eq '"') {
            [void]$quoted.Append([char]'\', 2 * $backslashes + 1)
        } elseif ($backslashes -gt 0) {
            [void]$quoted.Append([char]'\', $backslashes)
        }
        [void]$quoted.Append($character)
        $backslashes = 0
    }
    if ($backslashes -gt 0) { [void]$quoted.Append([char]'\', 2 * $backslashes) }
    [void]$quoted.Append('"')
    return $quoted.ToString()
}

function Find-SepProgram {
    # The console program: as given, else beside this script in the package, else installed, else on PATH.
    param([string]$Given, [string]$ScriptFolder)
    if ($Given -ne '') {
        $expanded = [System.Environment]::ExpandEnvironmentVariables($Given)
        if (Test-Path -LiteralPath $expanded -PathType Leaf) { return $expanded }
        return $null
    }
    $candidates = @()
    if ($ScriptFolder) {
        # In the package: sep-port-doctor\_internal\sep_port_doctor\resources\fleet\<this script>
        $candidates += Join-Path $ScriptFolder '..\..\..\..\sep-port-doctor.exe'
    }
    if ($env:ProgramFiles) {
        $candidates += Join-Path $env:ProgramFiles 'SEP Port Doctor\sep-port-doctor.exe'
    }
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) { return (Resolve-Path -LiteralPath $candidate).ProviderPath }
    }
    $onPath = Get-Command -Name 'sep-port-doctor.exe' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($onPath) { return $onPath.Source }
    return $null
}

function Get-SepCheckArguments {
    param([string]$Manager, [string]$Version, [string]$ExtraArguments, [string]$Lang)
    $arguments = @('check', '--json', '--role', 'client', '--manager', $Manager, '--version', $Version)
    if ($Lang -ne '') { $arguments += @('--lang', $Lang) }
    if ($ExtraArguments.Trim() -ne '') { $arguments += @($ExtraArguments.Trim() -split '\s+') }
    return , $arguments
}

function Get-SepUtcStamp {
    return [System.DateTime]::UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", [System.Globalization.CultureInfo]::InvariantCulture)
}

function Get-SepFileStem {
    # <computer>_<UTC time>: only letters, digits, '.', '_' and '-' (a name every file server accepts).
    param([string]$Computer, [string]$UtcStamp)
    $safe = $Computer -replace '[^A-Za-z0-9._-]', '_'
    if ($safe -eq '') { $safe = 'unknown' }
    return '{0}_{1}' -f $safe, $UtcStamp
}

function Invoke-SepCheck {
    # Runs the check with a hang guard; what it printed, its exit code, and why it failed if it did.
    param([string]$Program, [string[]]$Arguments, [int]$TimeoutSeconds)
    $result = [pscustomobject]@{
        Computer = $env:COMPUTERNAME
        UtcStamp = Get-SepUtcStamp
        ExitCode = $SepExitProgramMissing
        Json = ''
        Problem = ''
    }
    if (-not $Program) {
        $result.Problem = 'sep-port-doctor.exe was not found (give -Program)'
        return $result
    }
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = $Program
    $start.Arguments = (@($Arguments | ForEach-Object { ConvertTo-SepArgument $_ })) -join ' '
    $start.UseShellExecute = $false
    $start.CreateNoWindow = $true
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    # The JSON is plain ASCII when the output's encoding is not Unicode, and UTF-8 when it is:
    # reading it as UTF-8 is right in both cases. Messages on stderr use the ANSI code page.
    $start.StandardOutputEncoding = New-Object System.Text.UTF8Encoding($false)
    $ansi = [System.Globalization.CultureInfo]::CurrentCulture.TextInfo.ANSICodePage
    try {
        $start.StandardErrorEncoding = [System.Text.Encoding]::GetEncoding($ansi)
    } catch {
        $start.StandardErrorEncoding = New-Object System.Text.UTF8Encoding($false)
    }
    try {
        $process = [System.Diagnostics.Process]::Start($start)
    } catch {
        $result.Problem = 'could not start {0}: {1}' -f $Program, $_.Exception.Message
        return $result
    }
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        try { $process.Kill() } catch { }
        [void]$process.WaitForExit(10000)
        $result.ExitCode = $SepExitTimedOut
        $result.Problem = 'the check did not finish within {0} s and was stopped' -f $TimeoutSeconds
        return $result
    }
    $process.WaitForExit()
    $result.ExitCode = $process.ExitCode
    $result.Json = $stdout.Result.Trim()
    if ($result.Json -eq '' -or -not $result.Json.StartsWith('{')) {
        $result.Json = ''
        $lines = @($stderr.Result.Trim() -split "`r?`n" | Where-Object { $_ -ne '' })
        $last = if ($lines.Count -gt 0) { $lines[-1] } else { 'no output' }
        $result.Problem = 'the check printed no result (exit code {0}): {1}' -f $result.ExitCode, $last
    }
    return $result
}

function Write-SepFile {
    # Writes under a temporary name in the same folder, then renames: readers never see half a file.
    param([string]$Folder, [string]$Stem, [string]$Extension, [string]$Text)
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    for ($attempt = 0; $attempt -lt 10; $attempt++) {
        $name = if ($attempt -eq 0) { '{0}{1}' -f $Stem, $Extension } else { '{0}-{1}{2}' -f $Stem, $attempt, $Extension }
        $final = Join-Path $Folder $name
        if (Test-Path -LiteralPath $final) { continue }
        $temporary = Join-Path $Folder ('.{0}.{1}.tmp' -f $name, [System.Guid]::NewGuid().ToString('N'))
        try {
            [System.IO.File]::WriteAllText($temporary, $Text + "`n", $utf8)
            [System.IO.File]::Move($temporary, $final)
            return $final
        } catch [System.IO.IOException] {
            # Another run took the name meanwhile: try the next one.
            if (Test-Path -LiteralPath $final) { Remove-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue; continue }
            Remove-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue
            throw
        } catch {
            Remove-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue
            throw
        }
    }
    throw ('{0}: ten results of this computer in the same second' -f $Folder)
}

function Save-SepResult {
    # The JSON, or the reason there is none, into the folder; the full path written.
    param([string]$Folder, $Result)
    $stem = Get-SepFileStem -Computer $Result.Computer -UtcStamp $Result.UtcStamp
    if ($Result.Json -ne '') {
        return Write-SepFile -Folder $Folder -Stem $stem -Extension '.json' -Text $Result.Json
    }
    $code = if ($null -eq $Result.ExitCode) { 'none (the check did not run)' } else { [string]$Result.ExitCode }
    $text = "SEP Port Doctor could not check {0} at {1} (UTC).`nexit code: {2}`n{3}" -f $Result.Computer, $Result.UtcStamp, $code, $Result.Problem
    return Write-SepFile -Folder $Folder -Stem $stem -Extension '.error.txt' -Text $text
}

function Format-SepSummary {
    # One line for the tool's console: the overall verdict, the counts and the first problems.
    param($Result)
    if ($Result.Json -eq '') { return '{0}: not checked: {1}' -f $Result.Computer, $Result.Problem }
    try {
        $report = $Result.Json | ConvertFrom-Json
    } catch {
        return '{0}: exit code {1}, the output is not JSON' -f $Result.Computer, $Result.ExitCode
    }
    $problems = @($report.checks | Where-Object { $_.severity -eq 'problem' } |
        ForEach-Object { '{0} {1} {2}' -f $_.protocol.ToUpper(), $_.default_port, $_.state })
    $line = '{0} -> {1}: {2} (problem {3}, warning {4})' -f $Result.Computer, $report.manager, $report.overall, $report.counts.problem, $report.counts.warning
    if ($problems.Count -gt 0) { $line += ': ' + (($problems | Select-Object -First 5) -join ', ') }
    return $line
}
#endregion shared

# Dot-sourced (". .\SepPortDoctor-Collect.ps1"): only the functions above are loaded.
if ($MyInvocation.InvocationName -eq '.') { return }

if ($Manager -eq '' -or $Version -eq '') {
    Write-Output 'SEP Port Doctor: -Manager and -Version are required (bad input, nothing sent)'
    exit 2
}
$found = Find-SepProgram -Given $Program -ScriptFolder $PSScriptRoot
$arguments = Get-SepCheckArguments -Manager $Manager -Version $Version -ExtraArguments $ExtraArguments -Lang $Lang
$result = Invoke-SepCheck -Program $found -Arguments $arguments -TimeoutSeconds $TimeoutSeconds
if ($Share -eq '') {
    # Remoting: the result goes back to the caller, who writes the file (no second hop from this
    # computer to the share, so no credential delegation); its ExitCode says what exit would have.
    $result | Add-Member -NotePropertyName Summary -NotePropertyValue (Format-SepSummary $result)
    $result
    return
}
try {
    $written = Save-SepResult -Folder $Share -Result $result
} catch {
    Write-Output ('{0}; not written to {1}: {2}' -f (Format-SepSummary $result), $Share, $_.Exception.Message)
    exit $SepExitCannotWrite
}
Write-Output ('{0}; {1}' -f (Format-SepSummary $result), $written)
exit $result.ExitCode
