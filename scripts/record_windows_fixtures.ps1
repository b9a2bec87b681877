# Records this Windows PC's SEP settings, firewall state and socket table in the layout of
# tests/fixtures/windows/<name>/ (read-only: nothing is changed on the PC).
#   powershell -ExecutionPolicy Bypass -File scripts\record_windows_fixtures.ps1 -Name ja-win11-office -Manager 10.20.30.40
# -Manager is the SEPM's IP address: the collector judges the interface that faces it.
param(
  [Parameter(Mandatory = $true)][string]$Name,
  [string]$Manager = ''
)
[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false
$ErrorActionPreference = 'SilentlyContinue'
$out = Join-Path $PSScriptRoot "..\tests\fixtures\windows\$Name"
New-Item -ItemType Directory -Force -Path $out | Out-Null
$utf8 = New-Object System.Text.UTF8Encoding $false
function Save([string]$file, [string]$text) { [System.IO.File]::WriteAllText((Join-Path $out $file), $text, $utf8) }

# The SEP client's registry keys, as winreg returns them.
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
Save 'registry.json' ($registry | ConvertTo-Json -Depth 4)
$sylink = 'C:\ProgramData\Symantec\Symantec Endpoint Protection\CurrentVersion\Data\Config\SyLink.xml'
if (Test-Path $sylink) {
  # Only the management server list (servers, priorities, ports) is kept: SyLink.xml also holds
  # the client's key (Kcs) and the servers' certificates, which never belong in a fixture.
  function Attr($node, [string]$name) { [System.Security.SecurityElement]::Escape($node.GetAttribute($name)) }
  [xml]$doc = [System.IO.File]::ReadAllText($sylink)
  $xml = @('<?xml version="1.0" encoding="UTF-8" ?>', '<ServerSettings>', '<CommConf>')
  foreach ($list in $doc.SelectNodes('//*[local-name()="ServerList"]')) {
    $xml += '<ServerList Name="{0}">' -f (Attr $list 'Name')
    foreach ($block in $list.SelectNodes('*[local-name()="ServerPriorityBlock"]')) {
      $xml += '<ServerPriorityBlock Name="{0}">' -f (Attr $block 'Name')
      foreach ($server in $block.SelectNodes('*[local-name()="Server"]')) {
        $kept = @('Address', 'Name', 'HttpPort', 'HttpsPort') | Where-Object { $server.HasAttribute($_) }
        $xml += '<Server {0} />' -f (($kept | ForEach-Object { '{0}="{1}"' -f $_, (Attr $server $_) }) -join ' ')
      }
      $xml += '</ServerPriorityBlock>'
    }
    $xml += '</ServerList>'
  }
  $xml += @('</CommConf>', '</ServerSettings>')
  Save 'SyLink.xml' (($xml -join "`r`n") + "`r`n")
}

# The same collector the program runs (resources/windows/collect_local.ps1), for the same manager.
$env:SEP_PORT_DOCTOR_MANAGER = $Manager
$collected = & (Join-Path $PSScriptRoot "..\resources\windows\collect_local.ps1")
Save 'powershell.json' (($collected | Out-String).Trim() + "`n")

# The socket table the listening checks read (psutil there; netstat -ano here, the same table),
# and the File and Printer Sharing rules as the registry holds them.
Save 'netstat-ano.txt' ((& "$env:SystemRoot\System32\netstat.exe" -ano) -join "`r`n")
$rules = 'HKLM:\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy\FirewallRules'
$fps = (Get-ItemProperty -Path $rules).PSObject.Properties | Where-Object { $_.Name -like 'FPS-*-In-*' }
$reg = @('Windows Registry Editor Version 5.00', '', "[$($rules -replace 'HKLM:', 'HKEY_LOCAL_MACHINE')]")
$reg += @($fps | ForEach-Object { '"{0}"="{1}"' -f $_.Name, $_.Value })
Save 'firewallrules-fps-in.reg' (($reg -join "`r`n") + "`r`n")

$os = Get-CimInstance Win32_OperatingSystem
Save 'fixture.toml' (@(
  'kind = "recorded"',
  ('description = "recorded on {0} ({1}, {2}) with scripts/record_windows_fixtures.ps1"' -f $env:COMPUTERNAME, $os.Caption, $os.Version),
  '',
  '[[file]]', 'name = "powershell.json"', 'source = "resources/windows/collect_local.ps1 on this PC"',
  '[[file]]', 'name = "SyLink.xml"', 'source = "SyLink.xml on this PC: the management server list only (its key and certificates left out)"',
  '[[file]]', 'name = "netstat-ano.txt"', 'source = "netstat -ano on this PC"',
  '[[file]]', 'name = "firewallrules-fps-in.reg"', 'source = "the FirewallRules registry values FPS-*-In-* on this PC"'
) -join "`n")
Write-Output "recorded into $out"
