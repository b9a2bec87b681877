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
# The same script the program runs (core/localpc.py POWERSHELL_SCRIPT).
$profiles = @(Get-NetFirewallProfile | Select-Object Name, @{n='Enabled';e={[string]$_.Enabled}})
$connections = @(Get-NetConnectionProfile | Select-Object InterfaceAlias, @{n='NetworkCategory';e={[string]$_.NetworkCategory}})
$rules = @(Get-NetFirewallRule -Name FPS-SMB-In-TCP,FPS-NB_Session-In-TCP,FPS-NB_Name-In-UDP,FPS-NB_Datagram-In-UDP |
  Select-Object Name, DisplayName, DisplayGroup, @{n='Enabled';e={[string]$_.Enabled}},
    @{n='Profile';e={[string]$_.Profile}}, @{n='Direction';e={[string]$_.Direction}}, @{n='Action';e={[string]$_.Action}})
$services = @(Get-Service -Name SepMasterService,SepScanService,sepWscSvc,SepLpsService |
  Select-Object Name, DisplayName, @{n='Status';e={[string]$_.Status}}, @{n='StartType';e={[string]$_.StartType}})
[pscustomobject]@{ profiles = $profiles; connections = $connections; rules = $rules; services = $services } |
  ConvertTo-Json -Depth 4 -Compress | Set-Content -Encoding UTF8 (Join-Path $out 'powershell.json')
Write-Output "recorded into $out"
