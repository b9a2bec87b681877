<#
.SYNOPSIS
    SEP Port Doctor for Intune Remediations, the remediation script: collect the result that
    Detect-SepPortDoctor.ps1 found wanting.

.DESCRIPTION
    Writes the newest result the detection kept on this PC (%LOCALAPPDATA%\SEP Port Doctor\fleet\:
    the check's JSON, or the .error.txt saying why the check could not run) into the collection
    folder $Share as <COMPUTERNAME>_<yyyyMMddTHHmmssZ>.json (UTC), under a temporary name first and
    then renamed, so a collector never reads half a file. With no kept result it runs the check
    itself. It prints one line for the "Remediation output" column and nothing to standard error.
    It changes nothing on the PC: what the check finds (a port filtered on the way to the manager,
    a stopped service, a firewall rule) is for the administrator to fix, guided by the JSON.

    Exit codes (what Intune expects of a remediation script):
      0 the result was written into the collection folder (or $Share is empty: nothing to write);
      1 it could not be written (the line says why).
    The check's own exit codes, which the detection turned into "needs attention" before this ran:
    0 nothing wrong, 1 problems found, 2 bad input, 3 a check could not be completed, 70 internal
    error (README "Exit codes", core/exit_codes.py).

    Settings: the same block as Detect-SepPortDoctor.ps1 (keep the two equal).

    Rights: none beyond the check's (no administrator rights) and the share's write right for the
    account Intune runs this as (see Detect-SepPortDoctor.ps1). No credentials are stored here.
#>

# --- Settings -------------------------------------------------------------------------------
$Manager = 'sepm01.example.local'          # the SEP Manager, as the clients know it
$Version = '14.3 RU9'                      # the clients' SEP version
$Program = '%ProgramFiles%\SEP Port Doctor\sep-port-doctor.exe'   # where the program was deployed
$Share = ''                                # collection folder (UNC); empty: Intune's columns only
$ExtraArguments = ''                       # more check options, e.g. '--port 8014=8015'
$Lang = ''                                 # ja or en; empty: the PC's language
$TimeoutSeconds = 600                      # hang guard
# ---------------------------------------------------------------------------------------------

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

try {
    if ($Share -eq '') {
        Write-Output 'SEP Port Doctor: no collection folder set ($Share); the detection output is the result'
        exit 0
    }
    $state = Join-Path ([System.Environment]::GetFolderPath('LocalApplicationData')) 'SEP Port Doctor\fleet'
    $kept = @()
    if (Test-Path -LiteralPath $state) {
        $kept = @(Get-ChildItem -LiteralPath $state -File |
            Where-Object { $_.Name -like '*.json' -or $_.Name -like '*.error.txt' } |
            Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1)
    }
    if ($kept.Count -gt 0) {
        $name = $kept[0].Name
        $extension = if ($name -like '*.error.txt') { '.error.txt' } else { '.json' }
        $stem = $name.Substring(0, $name.Length - $extension.Length)
        $text = [System.IO.File]::ReadAllText($kept[0].FullName, (New-Object System.Text.UTF8Encoding($false))).TrimEnd()
        $written = Write-SepFile -Folder $Share -Stem $stem -Extension $extension -Text $text
        Write-Output ('SEP Port Doctor: {0} collected: {1}' -f $name, $written)
        exit 0
    }
    $found = Find-SepProgram -Given $Program -ScriptFolder ''
    $arguments = Get-SepCheckArguments -Manager $Manager -Version $Version -ExtraArguments $ExtraArguments -Lang $Lang
    $result = Invoke-SepCheck -Program $found -Arguments $arguments -TimeoutSeconds $TimeoutSeconds
    $written = Save-SepResult -Folder $Share -Result $result
    Write-Output ('{0}; {1}' -f (Format-SepSummary $result), $written)
    exit 0
} catch {
    Write-Output ('SEP Port Doctor: the result could not be written to {0}: {1}' -f $Share, $_.Exception.Message)
    exit 1
}
