<#
.SYNOPSIS
    SEP Port Doctor for Intune Remediations, the detection script: does this PC reach its SEP
    Manager? Pair it with Remediate-SepPortDoctor.ps1.

.DESCRIPTION
    Runs the packaged command line unattended (check --json --role client --manager ... --version ...),
    keeps the JSON on this PC (%LOCALAPPDATA%\SEP Port Doctor\fleet\, the newest result only) and
    prints one line for the "Pre-remediation detection output" column: the verdict, the counts and the
    first problems. Intune shows only the last line of standard output (up to 2,048 characters); this
    script writes nothing to standard error, which Intune would count as a script error.

    Exit codes (what Intune expects of a detection script):
      0 nothing wrong: no remediation. With $UploadHealthy and $Share set, the healthy result is
        written into the collection folder here, so the site picture counts this PC too.
      1 needs attention: the check found problems (its exit code 1), could not complete a check (3),
        could not run (2 bad input, 70 internal error, program missing, timeout; README "Exit
        codes", core/exit_codes.py). Intune then runs Remediate-SepPortDoctor.ps1, which writes this
        result (the JSON, or why there is none) into the collection folder.
    A network fault is not something a script on the PC can repair: after the remediation Intune runs
    this detection again and reports the PC as still failing until the path to the manager is fixed.

    Settings: edit the block below (Intune runs these scripts without parameters).

    Rights: the check needs no administrator rights. Intune runs the script as SYSTEM unless "Run this
    script using the logged-on credentials" is set; either works for the check. Writing to $Share
    needs the share's write right for that account: SYSTEM reaches a share as the computer account
    (hybrid-joined PCs: grant "Domain Computers" create-files); on PCs joined to Entra ID only, run
    with the logged-on credentials (the user's write right), or leave $Share empty and read the
    results from Intune's output columns. No credentials are stored here.
#>

# --- Settings -------------------------------------------------------------------------------
$Manager = 'sepm01.example.local'          # the SEP Manager, as the clients know it
$Version = '14.3 RU9'                      # the clients' SEP version
$Program = '%ProgramFiles%\SEP Port Doctor\sep-port-doctor.exe'   # where the program was deployed
$Share = ''                                # collection folder (UNC); empty: Intune's columns only
$UploadHealthy = $true                     # also collect PCs where nothing is wrong (needs $Share)
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

function Get-SepStateFolder {
    # This account's own local application data: SYSTEM's, or the logged-on user's.
    $folder = Join-Path ([System.Environment]::GetFolderPath('LocalApplicationData')) 'SEP Port Doctor\fleet'
    if (-not (Test-Path -LiteralPath $folder)) { [void](New-Item -ItemType Directory -Path $folder -Force) }
    return $folder
}

try {
    $found = Find-SepProgram -Given $Program -ScriptFolder ''
    $arguments = Get-SepCheckArguments -Manager $Manager -Version $Version -ExtraArguments $ExtraArguments -Lang $Lang
    $result = Invoke-SepCheck -Program $found -Arguments $arguments -TimeoutSeconds $TimeoutSeconds
    $summary = Format-SepSummary $result
    # Only the newest result is kept here; the remediation sends it.
    $state = Get-SepStateFolder
    Get-ChildItem -LiteralPath $state -File | Remove-Item -Force -ErrorAction SilentlyContinue
    [void](Save-SepResult -Folder $state -Result $result)
    if ($result.ExitCode -eq 0) {
        if ($UploadHealthy -and $Share -ne '') {
            try {
                $written = Save-SepResult -Folder $Share -Result $result
                $summary += '; ' + $written
            } catch {
                $summary += '; not written to the collection folder: ' + $_.Exception.Message
            }
        }
        Write-Output $summary
        exit 0
    }
    Write-Output $summary
    exit 1
} catch {
    Write-Output ('SEP Port Doctor detection failed: ' + $_.Exception.Message)
    exit 1
}
