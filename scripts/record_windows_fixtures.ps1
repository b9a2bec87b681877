# Records this Windows PC's SEP settings and firewall state in the layout of
# tests/fixtures/windows/<name>/ (read-only: nothing is changed on the PC).
#   powershell -ExecutionPolicy Bypass -File scripts\record_windows_fixtures.ps1 -Name ja-win11-office
param([Parameter(Mandatory = $true)][string]$Name)
$ErrorActionPreference = 'SilentlyContinue'
$out = Join-Path $PSScriptRoot "..\tests\fixtures\windows\$Name"
New-Item -ItemType Directory -Force -Path $out | Out-Null
$keys = @(
  'SOFTWARE\Symantec\Symantec Endpoint Protection\SMC',
  'SOFTWARE\Wow6432Node\Symantec\Symantec Endpoint Protection\SMC',
  'SOFTWARE\Symantec\Symantec Endpoint Protection\CurrentVersion',
  'SOFTWARE\Symantec\Symantec Endpoint Protection\SMC\SYLINK\SyLink',
  'SOFTWARE\Wow6432Node\Symantec\Symantec Endpoint Protection\SMC\SYLINK\SyLink'
)
$registry = [ordered]@{}
foreach ($key in $keys) {
  $item = Get-ItemProperty -Path "HKLM:\$key"
  if ($item) {
    $values = [ordered]@{}
    foreach ($p in $item.PSObject.Properties) { if ($p.Name -notlike 'PS*') { $values[$p.Name] = $p.Value } }
    $registry[$key] = $values
  }
}
$registry | ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 (Join-Path $out 'registry.json')
$sylink = 'C:\ProgramData\Symantec\Symantec Endpoint Protection\CurrentVersion\Data\Config\SyLink.xml'
if (Test-Path $sylink) { Copy-Item $sylink (Join-Path $out 'SyLink.xml') }
# The same script the program runs (resources/windows/collect_local.ps1).
& (Join-Path $PSScriptRoot "..\resources\windows\collect_local.ps1") |
  Set-Content -Encoding UTF8 (Join-Path $out 'powershell.json')
Write-Output "recorded into $out"
