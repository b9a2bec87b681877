<#
.SYNOPSIS
    On a Windows runner (.github/workflows/windows.yml): the fleet recipes through PowerShell's own
    parser, then the collector run for real against the simulated manager with the built program.

    .\scripts\fleet_windows_smoke.ps1 -Program dist\sep-port-doctor\sep-port-doctor.exe

    Exit code 0 when every recipe parses and the collector wrote one valid JSON result; 1 otherwise.
    Needs no administrator rights (the simulator listens on free high ports of 127.0.0.1).
#>
param([string]$Program = 'dist\sep-port-doctor\sep-port-doctor.exe')

$failed = $false
foreach ($file in Get-ChildItem -Path (Join-Path $PSScriptRoot '..\resources\fleet') -Recurse -Filter '*.ps1') {
    $tokens = $null
    $errors = $null
    [void][System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$tokens, [ref]$errors)
    foreach ($problem in @($errors)) {
        Write-Output ('{0}:{1}: {2}' -f $file.Name, $problem.Extent.StartLineNumber, $problem.Message)
        $failed = $true
    }
}
if ($failed) { exit 1 }
Write-Output 'every fleet recipe parses'

$work = Join-Path $env:TEMP ('sep-fleet-smoke-' + [System.Guid]::NewGuid().ToString('N'))
$results = New-Item -ItemType Directory -Path (Join-Path $work 'results') -Force
$printed = Join-Path $work 'simulator.txt'
$simulator = Start-Process -FilePath $Program -ArgumentList 'simulate', '--free-ports', '--duration', '120' `
    -RedirectStandardOutput $printed -PassThru -NoNewWindow
try {
    $ports = ''
    for ($wait = 0; $wait -lt 60 -and $ports -eq ''; $wait++) {
        Start-Sleep -Milliseconds 500
        $try = @(Get-Content -LiteralPath $printed -ErrorAction SilentlyContinue | Where-Object { $_.StartsWith('try:') })
        if ($try.Count -gt 0) { $ports = (@([regex]::Matches($try[0], '--port \d+=\d+') | ForEach-Object { $_.Value })) -join ' ' }
    }
    if ($ports -eq '') { Write-Output 'the simulator did not start'; exit 1 }
    $collector = Join-Path $PSScriptRoot '..\resources\fleet\SepPortDoctor-Collect.ps1'
    & powershell.exe -NoProfile -ExecutionPolicy Bypass -File $collector -Manager 127.0.0.1 -Version '14.3 RU9' `
        -Share $results.FullName -Program (Resolve-Path -LiteralPath $Program).ProviderPath -ExtraArguments $ports
    $code = $LASTEXITCODE
    Write-Output ('collector exit code: {0}' -f $code)
    if (@(0, 1, 3) -notcontains $code) { exit 1 }
    $files = @(Get-ChildItem -LiteralPath $results.FullName)
    if ($files.Count -ne 1 -or $files[0].Name -notmatch '^[A-Za-z0-9._-]+_\d{8}T\d{6}Z\.json$') {
        Write-Output ('expected one result, found: {0}' -f (($files | ForEach-Object { $_.Name }) -join ', '))
        exit 1
    }
    $report = Get-Content -LiteralPath $files[0].FullName -Raw | ConvertFrom-Json
    if ($report.computer -ne $env:COMPUTERNAME -and $files[0].Name -notlike ($env:COMPUTERNAME + '_*')) { exit 1 }
    Write-Output ('collected {0}: {1}' -f $files[0].Name, $report.overall)
    exit 0
} finally {
    if (-not $simulator.HasExited) { Stop-Process -Id $simulator.Id -Force -ErrorAction SilentlyContinue }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
