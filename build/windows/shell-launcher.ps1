# Windows 10/11 Enterprise or Education: make Service Point the shell of the kiosk account with
# Shell Launcher v2, restarting it whenever it exits, except after an operator exit (status 77).
# Run as Administrator on the kiosk machine:
#   powershell -ExecutionPolicy Bypass -File shell-launcher.ps1 -KioskUser kiosk
param(
  [Parameter(Mandatory = $true)][string]$KioskUser,
  [string]$AppPath = "$env:ProgramFiles\Service Point\Service Point.exe"
)
$ErrorActionPreference = 'Stop'

# Shell Launcher is an optional Windows feature.
Enable-WindowsOptionalFeature -Online -FeatureName Client-EmbeddedShellLauncher -All -NoRestart | Out-Null

$ns = 'root\standardcimv2\embedded'
$launcher = [wmiclass]"\\.\${ns}:WESL_UserSetting"

# Actions on shell exit: 0 = restart the shell, 1 = restart the device, 2 = shut down, 3 = do nothing.
$restartShell = 0
$doNothing = 3

$sid = (New-Object System.Security.Principal.NTAccount($KioskUser)).Translate(
  [System.Security.Principal.SecurityIdentifier]).Value

# Everyone else (administrators, operators) keeps Explorer.
$launcher.SetDefaultShell('explorer.exe', $doNothing) | Out-Null
# The kiosk account gets Service Point as its shell; any exit code restarts it, 77 (operator exit) does not.
$launcher.SetCustomShell($sid, "`"$AppPath`"", @(77), @($doNothing), $restartShell) | Out-Null
$launcher.SetEnabled($true) | Out-Null
Write-Host "Shell Launcher: $KioskUser now runs $AppPath as its shell. Sign out and in as $KioskUser."
