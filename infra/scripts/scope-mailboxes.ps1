#Requires -Version 7.2
<#
.SYNOPSIS
    Limits the sync app to the mailboxes of one mail-enabled security group with Exchange Online
    RBAC for Applications, then proves it for a mailbox inside and a mailbox outside the group.

.DESCRIPTION
    Needs PowerShell 7, the ExchangeOnlineManagement module (3.x) and an Exchange admin in the
    Organization Management role group; the Azure CLI (signed in, Application Administrator) to look up
    the service principal and to remove the tenant-wide grants.

    1. Resolves the group's distinguished name and creates (or updates) a management scope
       "MemberOfGroup -eq '<DN>'". Only direct members are in scope: nested groups are not expanded.
    2. Creates the Exchange pointer to the app's Entra service principal (New-ServicePrincipal).
    3. Assigns the Exchange application roles of the chosen workloads, each limited to the scope
       (New-ManagementRoleAssignment -CustomResourceScope):
         incoming -> Application Mail.ReadWrite
         outgoing -> Application Mail.ReadWrite, Application Mail.Send
         act      -> Application Calendars.ReadWrite, Application Contacts.ReadWrite, Application Mail.ReadWrite
    4. With -RemoveTenantWideGrants, removes the app's tenant-wide Entra grants of those same
       permissions (and drops them from the registration, so no one re-grants them by accident).
       Exchange adds RBAC grants to Entra grants: while the Entra grant exists the app still reaches
       every mailbox, and the scope has no effect. Tasks.ReadWrite.All (act) has no Exchange role and
       stays a tenant-wide Entra grant.
    5. Verifies with Test-ServicePrincipalAuthorization: every role must be InScope for
       -InScopeMailbox and not InScope for -OutOfScopeMailbox; exits with an error otherwise.

    Exchange caches app permissions for 30 minutes to 2 hours: Graph may keep the old answer that
    long even though the test (which bypasses the cache) already shows the new one. A mailbox outside
    the scope answers 403 ErrorAccessDenied "Access to OData is disabled."; the product then disables
    that mailbox's workload and raises an AccessDenied alert.

.EXAMPLE
    ./infra/scripts/scope-mailboxes.ps1 -AppId <client id> -Group crm-sync-mailboxes@contoso.com `
        -Workloads incoming -InScopeMailbox alex@contoso.com -OutOfScopeMailbox ceo@contoso.com -RemoveTenantWideGrants
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    # Application (client) id of the sync app registration.
    [Parameter(Mandatory)]
    [string] $AppId,

    # Mail-enabled security group (address, name or DN) whose direct members the app may access.
    [Parameter(Mandatory)]
    [string] $Group,

    [ValidateSet('incoming', 'outgoing', 'act')]
    [string[]] $Workloads = @('incoming'),

    # A mailbox that is a member of the group (must be in scope).
    [Parameter(Mandatory)]
    [string] $InScopeMailbox,

    # A mailbox that is not a member of the group (must be out of scope).
    [Parameter(Mandatory)]
    [string] $OutOfScopeMailbox,

    [string] $ScopeName = 'Exchange CRM sync mailboxes',

    # Object id of the app's service principal (Enterprise applications > Object ID). Looked up with
    # the Azure CLI when omitted.
    [string] $ServicePrincipalObjectId,

    [switch] $RemoveTenantWideGrants,

    # Passed to Connect-ExchangeOnline when there is no Exchange session yet.
    [string] $AdminUserPrincipalName,

    [string] $GraphEndpoint = 'https://graph.microsoft.com'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$catalog = Get-Content -Raw -Path (Join-Path $PSScriptRoot 'graph-permissions.json') | ConvertFrom-Json
$graphAppId = $catalog.graphAppId

function Invoke-Az {
    $output = & az @args --only-show-errors
    if ($LASTEXITCODE -ne 0) {
        throw "az $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
    return $output
}

function Invoke-AzJson {
    $text = (Invoke-Az @args --output json) -join "`n"
    if ([string]::IsNullOrWhiteSpace($text)) { return }
    return $text | ConvertFrom-Json -Depth 30
}

function Test-InScope([object] $Row) {
    return "$($Row.InScope)" -eq 'True'
}

# ---------------------------------------------------------------------------------------------
# Which permissions, which Exchange roles
# ---------------------------------------------------------------------------------------------
$entries = @()
foreach ($workload in ($Workloads | Sort-Object -Unique)) { $entries += $catalog.workloads.$workload }
$entries = @($entries | Sort-Object -Property permission -Unique)
$scoped = @($entries | Where-Object { $_.exchangeRole })
$unscopable = @($entries | Where-Object { -not $_.exchangeRole })
$roles = @($scoped | ForEach-Object exchangeRole)
Write-Host "Exchange application roles to assign, limited to '$ScopeName': $($roles -join ', ')."
foreach ($entry in $unscopable) {
    Write-Warning "$($entry.permission) has no Exchange RBAC for Applications role: it cannot be limited to the group and stays a tenant-wide Entra grant."
}

# ---------------------------------------------------------------------------------------------
# Exchange Online session
# ---------------------------------------------------------------------------------------------
if (-not (Get-Module -ListAvailable -Name ExchangeOnlineManagement)) {
    throw 'Install the ExchangeOnlineManagement module: Install-Module ExchangeOnlineManagement -Scope CurrentUser'
}
Import-Module ExchangeOnlineManagement
$connected = $false
try { $connected = [bool](Get-ConnectionInformation | Where-Object { $_.State -eq 'Connected' }) } catch { $connected = $false }
if (-not $connected) {
    if ($AdminUserPrincipalName) { Connect-ExchangeOnline -UserPrincipalName $AdminUserPrincipalName -ShowBanner:$false }
    else { Connect-ExchangeOnline -ShowBanner:$false }
}

# ---------------------------------------------------------------------------------------------
# 1. The management scope: direct members of the group
# ---------------------------------------------------------------------------------------------
$groupObject = Get-Group -Identity $Group
if ($groupObject.RecipientTypeDetails -ne 'MailUniversalSecurityGroup') {
    Write-Warning "$Group is a $($groupObject.RecipientTypeDetails), not a mail-enabled security group. Exchange accepts it, but the guide expects a mail-enabled security group."
}
$filter = "MemberOfGroup -eq '$($groupObject.DistinguishedName)'"
$scope = Get-ManagementScope -Identity $ScopeName -ErrorAction SilentlyContinue
if (-not $scope) {
    if ($PSCmdlet.ShouldProcess($ScopeName, "New-ManagementScope ($filter)")) {
        New-ManagementScope -Name $ScopeName -RecipientRestrictionFilter $filter | Out-Null
        Write-Host "Created the management scope '$ScopeName'."
    }
} elseif ($scope.RecipientFilter -ne $filter) {
    if ($PSCmdlet.ShouldProcess($ScopeName, "Set-ManagementScope ($filter)")) {
        Set-ManagementScope -Identity $ScopeName -RecipientRestrictionFilter $filter
        Write-Host "Updated the management scope '$ScopeName' to the group $($groupObject.Name)."
    }
}

# ---------------------------------------------------------------------------------------------
# 2. The Exchange service principal (a pointer to the Entra one)
# ---------------------------------------------------------------------------------------------
if (-not $ServicePrincipalObjectId) {
    if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
        throw 'Pass -ServicePrincipalObjectId (Entra admin center > Enterprise applications > the app > Object ID), or install the Azure CLI.'
    }
    $ServicePrincipalObjectId = (Invoke-AzJson ad sp show --id $AppId).id
}
$exchangeSp = Get-ServicePrincipal -Identity $ServicePrincipalObjectId -ErrorAction SilentlyContinue
if (-not $exchangeSp -and $PSCmdlet.ShouldProcess($AppId, 'New-ServicePrincipal')) {
    New-ServicePrincipal -AppId $AppId -ObjectId $ServicePrincipalObjectId -DisplayName "Exchange CRM sync ($AppId)" | Out-Null
    Write-Host 'Created the Exchange service principal.'
}

# ---------------------------------------------------------------------------------------------
# 3. Scoped role assignments
# ---------------------------------------------------------------------------------------------
$existingAssignments = @(Get-ManagementRoleAssignment -RoleAssignee $ServicePrincipalObjectId -ErrorAction SilentlyContinue)
foreach ($role in $roles) {
    $current = $existingAssignments | Where-Object { $_.Role -eq $role }
    if ($current -and ($current | Where-Object { $_.CustomResourceScope -eq $ScopeName })) { continue }
    if ($current) {
        Write-Warning "$role is already assigned to the app with another scope ($(@($current | ForEach-Object { $_.CustomResourceScope }) -join ', ')); assignments add up, so review them: Get-ManagementRoleAssignment -RoleAssignee $ServicePrincipalObjectId"
    }
    if ($PSCmdlet.ShouldProcess($role, "New-ManagementRoleAssignment limited to '$ScopeName'")) {
        $name = "$role - $ScopeName"
        if ($name.Length -gt 64) { $name = $name.Substring(0, 64) }
        New-ManagementRoleAssignment -Name $name -App $ServicePrincipalObjectId -Role $role -CustomResourceScope $ScopeName | Out-Null
        Write-Host "Assigned $role limited to '$ScopeName'."
    }
}

# ---------------------------------------------------------------------------------------------
# 4. The tenant-wide Entra grants of the same permissions
# ---------------------------------------------------------------------------------------------
$tenantWide = @()
if (Get-Command az -ErrorAction SilentlyContinue) {
    $graphSp = Invoke-AzJson ad sp show --id $graphAppId
    $scopedIds = @($scoped | ForEach-Object appRoleId)
    $tenantWide = @((Invoke-AzJson rest --method GET --url "$GraphEndpoint/v1.0/servicePrincipals/$ServicePrincipalObjectId/appRoleAssignments").value |
            Where-Object { $_.resourceId -eq $graphSp.id -and $scopedIds -contains $_.appRoleId })
    if ($tenantWide.Count -gt 0 -and $RemoveTenantWideGrants) {
        foreach ($grant in $tenantWide) {
            $permission = ($scoped | Where-Object appRoleId -eq $grant.appRoleId).permission
            if ($PSCmdlet.ShouldProcess($permission, 'Remove the tenant-wide Entra grant')) {
                Invoke-Az rest --method DELETE --url "$GraphEndpoint/v1.0/servicePrincipals/$ServicePrincipalObjectId/appRoleAssignments/$($grant.id)" | Out-Null
                Write-Host "Removed the tenant-wide Entra grant of $permission."
            }
        }
        $app = Invoke-AzJson ad app show --id $AppId
        $requiredResourceAccess = @($app.requiredResourceAccess | ForEach-Object {
                if ($_.resourceAppId -ne $graphAppId) { return $_ }
                [ordered]@{
                    resourceAppId  = $_.resourceAppId
                    resourceAccess = @($_.resourceAccess | Where-Object { -not ($_.type -eq 'Role' -and $scopedIds -contains $_.id) })
                }
            })
        if ($PSCmdlet.ShouldProcess($AppId, 'Drop the scoped permissions from the app registration')) {
            $file = Join-Path ([System.IO.Path]::GetTempPath()) ("exo-crm-sync-" + [guid]::NewGuid() + '.json')
            ConvertTo-Json -InputObject $requiredResourceAccess -Depth 30 | Set-Content -Path $file -Encoding utf8NoBOM
            try { Invoke-Az ad app update --id $AppId --required-resource-accesses "@$file" | Out-Null } finally { Remove-Item $file -Force }
        }
        $tenantWide = @()
    } elseif ($tenantWide.Count -gt 0) {
        $names = @($tenantWide | ForEach-Object { $id = $_.appRoleId; ($scoped | Where-Object appRoleId -eq $id).permission })
        Write-Warning "The app still has tenant-wide Entra grants of $($names -join ', '). Exchange adds them to the scoped roles, so the app can still reach EVERY mailbox. Run again with -RemoveTenantWideGrants once the roles above are assigned."
    }
} else {
    Write-Warning 'Azure CLI not found: could not check for tenant-wide Entra grants. Remove them in Entra admin center > Enterprise applications > the app > Permissions, or the scope has no effect.'
}

# ---------------------------------------------------------------------------------------------
# 5. Prove it: in scope for a member, out of scope for a non-member
# ---------------------------------------------------------------------------------------------
$problems = @()
$columns = @('RoleName', 'GrantedPermissions', 'AllowedResourceScope', 'ScopeType', 'InScope')
$inside = @(Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $InScopeMailbox)
$outside = @(Test-ServicePrincipalAuthorization -Identity $ServicePrincipalObjectId -Resource $OutOfScopeMailbox)
Write-Host "In scope: $InScopeMailbox"
$inside | Format-Table -Property $columns | Out-Host
Write-Host "Out of scope: $OutOfScopeMailbox"
$outside | Format-Table -Property $columns | Out-Host

foreach ($role in $roles) {
    $in = @($inside | Where-Object { $_.RoleName -eq $role })
    if (-not ($in | Where-Object { Test-InScope $_ })) { $problems += "$role is not in scope for $InScopeMailbox (is it a direct member of $Group?)" }
    $out = @($outside | Where-Object { $_.RoleName -eq $role -and (Test-InScope $_) })
    if ($out.Count -gt 0) { $problems += "$role is in scope for $OutOfScopeMailbox, which should be outside $Group (another assignment of the role covers it: $(@($out | ForEach-Object { $_.AllowedResourceScope }) -join ', '))" }
}
if ($tenantWide.Count -gt 0) {
    $problems += 'tenant-wide Entra grants remain, so Graph still allows every mailbox (Test-ServicePrincipalAuthorization does not show Entra grants)'
}

if ($problems.Count -gt 0) {
    foreach ($problem in $problems) { Write-Error -Message $problem -ErrorAction Continue }
    throw "Scoping is not complete: $($problems.Count) problem(s) above."
}

Write-Host ''
Write-Host "The app reaches only the direct members of $Group for: $($roles -join ', ')."
Write-Host 'Graph may take 30 minutes to 2 hours to apply it (Exchange caches app permissions).'
Write-Host "A mailbox outside the group answers 403 ErrorAccessDenied 'Access to OData is disabled.': the product disables that mailbox's workload and raises an AccessDenied alert."
