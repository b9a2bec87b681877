# What core/localpc.py runs on a Windows client (read-only), printed as one JSON object.
# Enums become their names, which Windows never translates; display names are localised
# and only kept as evidence. scripts/record_windows_fixtures.ps1 runs this same file.
$ErrorActionPreference = 'SilentlyContinue'
$profiles = @(Get-NetFirewallProfile | Select-Object Name, @{n='Enabled';e={[string]$_.Enabled}})
$connections = @(Get-NetConnectionProfile | Select-Object InterfaceAlias, @{n='NetworkCategory';e={[string]$_.NetworkCategory}})
$rules = @(Get-NetFirewallRule -Name FPS-SMB-In-TCP,FPS-NB_Session-In-TCP,FPS-NB_Name-In-UDP,FPS-NB_Datagram-In-UDP |
  Select-Object Name, DisplayName, DisplayGroup, @{n='Enabled';e={[string]$_.Enabled}},
    @{n='Profile';e={[string]$_.Profile}}, @{n='Direction';e={[string]$_.Direction}}, @{n='Action';e={[string]$_.Action}})
$services = @(Get-Service -Name SepMasterService,SepScanService,sepWscSvc,SepLpsService |
  Select-Object Name, DisplayName, @{n='Status';e={[string]$_.Status}}, @{n='StartType';e={[string]$_.StartType}})
[pscustomobject]@{ profiles = $profiles; connections = $connections; rules = $rules; services = $services } |
  ConvertTo-Json -Depth 4 -Compress
