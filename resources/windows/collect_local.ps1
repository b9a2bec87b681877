# What core/localpc runs on a Windows client (read-only), printed as one JSON object.
# scripts/record_windows_fixtures.ps1 runs this same file, so recordings match.
#
# Windows PowerShell 5.1 writes to a pipe in [Console]::OutputEncoding, the console's OEM
# code page (CP932 on Japanese Windows): UTF-8 first, so Japanese display names survive.
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$OutputEncoding = [Console]::OutputEncoding
$ErrorActionPreference = 'SilentlyContinue'
#
# Enums are cast to strings ([string]$_.Enabled -> "True"): 5.1's ConvertTo-Json writes them
# as numbers otherwise. Rule, enum and property names are never translated; display names
# are, and are kept only as evidence. The effective policy (ActiveStore) includes Group
# Policy's rules and profile settings.
#
# The manager's address comes in the environment (never inside the script text); it picks
# the interface that faces the manager (Find-NetRoute) and so the profile that applies.
$manager = $env:SEP_PORT_DOCTOR_MANAGER
$parsed = $null
if (-not ($manager -and [System.Net.IPAddress]::TryParse($manager, [ref]$parsed))) { $manager = $null }

$profiles = @(Get-NetFirewallProfile -PolicyStore ActiveStore |
  Select-Object Name, @{n='Enabled';e={[string]$_.Enabled}})
$connections = @(Get-NetConnectionProfile |
  Select-Object InterfaceAlias, InterfaceIndex, @{n='NetworkCategory';e={[string]$_.NetworkCategory}})
$addresses = @(Get-NetIPAddress |
  Select-Object @{n='IPAddress';e={[string]$_.IPAddress}}, @{n='PrefixLength';e={[int]$_.PrefixLength}}, InterfaceIndex)
$route = $null
if ($manager) {
  $found = @(Find-NetRoute -RemoteIPAddress $manager)
  $local = $found | Where-Object { $_.IPAddress } | Select-Object -First 1
  $hop = $found | Where-Object { $_.DestinationPrefix } | Select-Object -First 1
  if ($local) {
    $route = [pscustomobject]@{
      InterfaceIndex = $local.InterfaceIndex; InterfaceAlias = $local.InterfaceAlias
      IPAddress = [string]$local.IPAddress; PrefixLength = [int]$local.PrefixLength
      DestinationPrefix = [string]$hop.DestinationPrefix; NextHop = [string]$hop.NextHop
    }
  }
}

# File and Printer Sharing: each inbound rule is a pair on Windows 10/11 (Private/Public with
# remote address LocalSubnet, and -NoScope for Domain with any address). By name, and by the
# group's untranslated resource id for rules named otherwise.
$fpsNames = 'FPS-SMB-In-TCP', 'FPS-SMB-In-TCP-NoScope', 'FPS-NB_Session-In-TCP', 'FPS-NB_Session-In-TCP-NoScope',
  'FPS-NB_Name-In-UDP', 'FPS-NB_Name-In-UDP-NoScope', 'FPS-NB_Datagram-In-UDP', 'FPS-NB_Datagram-In-UDP-NoScope'
$fps = @(Get-NetFirewallRule -PolicyStore ActiveStore -Name $fpsNames)
$fps += @(Get-NetFirewallRule -PolicyStore ActiveStore -Group '@FirewallAPI.dll,-28502' |
  Where-Object { [string]$_.Direction -eq 'Inbound' -and $fpsNames -notcontains $_.Name })
$rules = @(foreach ($rule in $fps) {
  $address = $rule | Get-NetFirewallAddressFilter
  $port = $rule | Get-NetFirewallPortFilter
  [pscustomobject]@{
    Name = $rule.Name; DisplayName = $rule.DisplayName; Group = $rule.Group; DisplayGroup = $rule.DisplayGroup
    Enabled = [string]$rule.Enabled; Profile = [string]$rule.Profile; Direction = [string]$rule.Direction
    Action = [string]$rule.Action; PolicyStoreSourceType = [string]$rule.PolicyStoreSourceType
    RemoteAddress = @($address.RemoteAddress | ForEach-Object { [string]$_ })
    Protocol = [string]$port.Protocol; LocalPort = @($port.LocalPort | ForEach-Object { [string]$_ })
  }
})

# The SEP client's services, and the Server service that push deployment needs (TCP 139/445).
$services = @(Get-Service -Name SepMasterService, SepScanService, sepWscSvc, SepLpsService, LanmanServer |
  Select-Object Name, DisplayName, @{n='Status';e={[string]$_.Status}}, @{n='StartType';e={[string]$_.StartType}})

[pscustomobject]@{
  schema = 2; manager = $manager; profiles = $profiles; connections = $connections; addresses = $addresses
  route = $route; rules = $rules; services = $services
} | ConvertTo-Json -Depth 5 -Compress
