<#
.SYNOPSIS
    SEP Port Doctor over PowerShell remoting: check many PCs at once and collect one JSON file
    per computer into a collection folder.

.DESCRIPTION
    From an administrator's PC:

        .\Invoke-SepPortDoctorFleet.ps1 -ComputerListFile .\computers.txt -Manager sepm01 `
            -Version '14.3 RU9' -CollectionFolder \\fileserver\sep-port-doctor$\results `
            -CopyProgram .\sep-port-doctor

    opens a remoting session to each computer (Invoke-Command, in parallel up to -ThrottleLimit),
    runs SepPortDoctor-Collect.ps1 (beside this script) there, and writes each computer's JSON as
    <COMPUTERNAME>_<yyyyMMddTHHmmssZ>.json into -CollectionFolder, under a temporary name first and
    then renamed (a collector never reads half a file). A computer that could not be reached or
    checked gets <COMPUTERNAME>_<time>.error.txt saying why. One object per computer is written to
    the pipeline (Computer, ExitCode, Summary, File), ready for Format-Table or Export-Csv.

    The program reaches each computer one of two ways:
      -CopyProgram PATH   the packaged folder (sep-port-doctor, with sep-port-doctor.exe inside) or
                          the one-file sep-port-doctor.exe on this PC: copied into the remote user's
                          %TEMP% over the session, run, and removed again.
      -RemoteProgram PATH where it already is on every computer (deployed by software distribution,
                          e.g. "C:\Program Files\SEP Port Doctor\sep-port-doctor.exe"). A UNC path
                          works only where the session may reach the share (the second hop needs
                          credential delegation, which this script neither needs nor sets up).
    The files are written here, on the administrator's side, so no computer needs access to the
    collection folder.

    Rights: the check itself needs no administrator rights on the computers. Opening a remoting
    session needs what WinRM allows by default: membership in "Remote Management Users" (or
    Administrators) on each computer, with remoting enabled there (Enable-PSRemoting, done once by
    an administrator; not by this script). Writing into -CollectionFolder needs your own write right
    there. No credentials are stored here; the session uses your logon (add -Credential to
    Invoke-Command yourself only if your site requires another account).

    Exit codes: 0 every computer was checked and nothing is wrong; 1 problems were found on at least
    one computer, or a computer could not be checked (its object and its .error.txt say why);
    2 bad input (a missing parameter, list file or folder; nothing was sent). Each computer's own
    exit code (the check's: 0 nothing wrong, 1 problems, 2 bad input, 3 a check could not be
    completed, 70 internal error; README "Exit codes", core/exit_codes.py; 10-12 from
    SepPortDoctor-Collect.ps1) is in its object's ExitCode.
    Windows PowerShell 5.1 and PowerShell 7.
#>
[CmdletBinding()]
param(
    [string[]]$ComputerName = @(),
    [string]$ComputerListFile = '',
    [string]$Manager = '',
    [string]$Version = '',
    [string]$CollectionFolder = '',
    [string]$CopyProgram = '',
    [string]$RemoteProgram = '',
    [string]$ExtraArguments = '',
    [string]$Lang = '',
    [int]$ThrottleLimit = 32,
    [int]$TimeoutSeconds = 600
)

$collector = Join-Path $PSScriptRoot 'SepPortDoctor-Collect.ps1'
# The helpers (file names, the atomic write, the summary line) are the collector's own. Dot-sourcing
# runs its parameter block in this scope, so it is given this script's values for the names both
# scripts use (Manager, Version, ExtraArguments, Lang, TimeoutSeconds), which leaves them as they are.
. $collector -Manager $Manager -Version $Version -ExtraArguments $ExtraArguments -Lang $Lang -TimeoutSeconds $TimeoutSeconds

function Stop-SepFleet {
    param([string]$Message)
    Write-Output ('Invoke-SepPortDoctorFleet: {0} (bad input, nothing sent)' -f $Message)
    exit 2
}

$computers = @($ComputerName)
if ($ComputerListFile -ne '') {
    if (-not (Test-Path -LiteralPath $ComputerListFile -PathType Leaf)) { Stop-SepFleet "no such list file: $ComputerListFile" }
    # One computer a line; blank lines and lines starting with # are skipped.
    $computers += @(Get-Content -LiteralPath $ComputerListFile | ForEach-Object { $_.Trim() } |
        Where-Object { $_ -ne '' -and -not $_.StartsWith('#') })
}
$computers = @($computers | Where-Object { $_ -ne '' } | Sort-Object -Unique)
if ($computers.Count -eq 0) { Stop-SepFleet 'give -ComputerName or -ComputerListFile' }
if ($Manager -eq '' -or $Version -eq '') { Stop-SepFleet '-Manager and -Version are required' }
if ($CollectionFolder -eq '' -or -not (Test-Path -LiteralPath $CollectionFolder -PathType Container)) {
    Stop-SepFleet "-CollectionFolder must be an existing folder: $CollectionFolder"
}
if (($CopyProgram -eq '') -eq ($RemoteProgram -eq '')) { Stop-SepFleet 'give exactly one of -CopyProgram and -RemoteProgram' }
if ($CopyProgram -ne '' -and -not (Test-Path -LiteralPath $CopyProgram)) { Stop-SepFleet "no such program: $CopyProgram" }

$records = New-Object System.Collections.Generic.List[object]

function Add-SepRecord {
    # The result of one computer: written into the collection folder, then one object out.
    param([string]$Computer, $Result)
    try {
        $file = Save-SepResult -Folder $CollectionFolder -Result $Result
    } catch {
        $file = 'not written: ' + $_.Exception.Message
    }
    $records.Add([pscustomobject]@{
        Computer = $Computer
        ExitCode = $Result.ExitCode
        Summary = Format-SepSummary $Result
        File = $file
    })
}

function New-SepUnchecked {
    # A computer the check never ran on: no exit code of its own.
    param([string]$Computer, [string]$Problem)
    return [pscustomobject]@{ Computer = $Computer; UtcStamp = Get-SepUtcStamp; ExitCode = $null; Json = ''; Problem = $Problem }
}

$failures = @()
$sessions = @(New-PSSession -ComputerName $computers -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue -ErrorVariable failures)
$opened = @($sessions | ForEach-Object { $_.ComputerName })
foreach ($computer in $computers) {
    if ($opened -contains $computer) { continue }
    # WinRM's messages name the computer ("Connecting to remote server PC01 failed ...").
    $why = @($failures | Where-Object { $_.Exception.Message -match [regex]::Escape($computer) } | Select-Object -First 1)
    $text = if ($why.Count -gt 0) { $why[0].Exception.Message } else { 'the remoting session could not be opened' }
    Add-SepRecord -Computer $computer -Result (New-SepUnchecked -Computer $computer -Problem ('no remoting session: ' + $text))
}

$runFolder = 'sep-port-doctor-fleet-' + [System.Guid]::NewGuid().ToString('N')
try {
    if ($sessions.Count -gt 0) {
        $program = $RemoteProgram
        if ($CopyProgram -ne '') {
            $leaf = Split-Path -Leaf $CopyProgram
            $isFolder = Test-Path -LiteralPath $CopyProgram -PathType Container
            $program = if ($isFolder) { "%TEMP%\$runFolder\$leaf\sep-port-doctor.exe" } else { "%TEMP%\$runFolder\$leaf" }
            $ready = @()
            foreach ($session in $sessions) {
                try {
                    $remoteFolder = Invoke-Command -Session $session -ErrorAction Stop -ScriptBlock {
                        param($Name)
                        (New-Item -ItemType Directory -Path (Join-Path $env:TEMP $Name) -Force).FullName
                    } -ArgumentList $runFolder
                    Copy-Item -LiteralPath $CopyProgram -Destination $remoteFolder -ToSession $session -Recurse -ErrorAction Stop
                    $ready += $session
                } catch {
                    Add-SepRecord -Computer $session.ComputerName -Result (New-SepUnchecked -Computer $session.ComputerName -Problem ('could not copy the program: ' + $_.Exception.Message))
                }
            }
        } else {
            $ready = $sessions
        }
        if ($ready.Count -gt 0) {
            # Positional, in the collector's parameter order: Manager, Version, Share (empty: return
            # the result), Program, ExtraArguments, Lang, TimeoutSeconds.
            $results = @(Invoke-Command -Session $ready -FilePath $collector -ErrorAction SilentlyContinue -ErrorVariable runFailures `
                -ArgumentList $Manager, $Version, '', $program, $ExtraArguments, $Lang, $TimeoutSeconds)
            $answered = @{}
            foreach ($result in $results) {
                if (-not $result.PSObject.Properties['ExitCode']) { continue }
                $answered[$result.PSComputerName] = $true
                Add-SepRecord -Computer $result.PSComputerName -Result $result
            }
            foreach ($session in $ready) {
                if (-not $answered.ContainsKey($session.ComputerName)) {
                    $why = @($runFailures | Where-Object { $_.OriginInfo.PSComputerName -eq $session.ComputerName } | Select-Object -First 1)
                    $text = if ($why.Count -gt 0) { $why[0].Exception.Message } else { 'no result came back' }
                    Add-SepRecord -Computer $session.ComputerName -Result (New-SepUnchecked -Computer $session.ComputerName -Problem $text)
                }
            }
        }
    }
} finally {
    if ($CopyProgram -ne '' -and $sessions.Count -gt 0) {
        Invoke-Command -Session $sessions -ErrorAction SilentlyContinue -ScriptBlock {
            param($Name)
            Remove-Item -LiteralPath (Join-Path $env:TEMP $Name) -Recurse -Force -ErrorAction SilentlyContinue
        } -ArgumentList $runFolder
    }
    if ($sessions.Count -gt 0) { Remove-PSSession -Session $sessions -ErrorAction SilentlyContinue }
}

$records | Sort-Object Computer
$troubled = @($records | Where-Object { $_.ExitCode -ne 0 })
if ($troubled.Count -gt 0) { exit 1 }
exit 0
