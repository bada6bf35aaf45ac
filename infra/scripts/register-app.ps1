#Requires -Version 7.2
<#
.SYNOPSIS
    Registers (or updates) the Entra app the sync service calls Microsoft Graph with: only the
    application permissions of the enabled workloads, a credential, and the admin-consent URL.

.DESCRIPTION
    Needs PowerShell 7 and the Azure CLI signed in (az login) as someone who may create app
    registrations (Application Administrator or Cloud Application Administrator). For a certificate or
    secret, the signed-in user also needs Key Vault Certificates Officer / Secrets Officer on the vault
    (main.bicep grants both to adminPrincipalId; azd passes your id). Granting admin consent needs a
    Privileged Role Administrator or Global Administrator (or open the printed URL as one).

    1. Checks the permission ids in graph-permissions.json against this tenant's Microsoft Graph.
    2. Creates the app registration (single tenant) or updates the one given by -AppId / found by
       -DisplayName, and sets its Microsoft Graph application permissions to exactly those of
       -Workloads:   incoming -> Mail.ReadWrite
                     outgoing -> Mail.ReadWrite, Mail.Send (it sends through a draft it creates)
                     act      -> Calendars.ReadWrite, Contacts.ReadWrite, Tasks.ReadWrite.All, and
                                 Mail.ReadWrite (the ownership stamp on the Inbox folder)
    3. Exposes the product's API on the same registration: identifier URI api://<client id>, v2
       access tokens, the app roles of api-app-roles.json (Sync.Admin, Sync.Approver,
       Records.ReadWrite, Monitor.Read; written from shared/auth/app-roles.ts), a delegated scope
       access_as_user pre-authorized for the Azure CLI, the optional access-token claim idtyp (tells
       app-only tokens apart) and directory roles in tokens (wids, for approval by a tenant admin).
       Assigning the roles to people and to the CRM application is docs/deploy.md "Sign-in and roles".
       Creates the service principal (enterprise application) if there is none.
    4. Sets up the credential:
         certificate      a self-signed certificate created in Key Vault (PEM, RSA 2048), its public
                          part uploaded to the app. The Function App reads it through a Key Vault
                          reference (GRAPH_CERTIFICATE_PEM).
         clientSecret     a client secret created on the app and stored in Key Vault only
                          (GRAPH_CLIENT_SECRET). It is never printed.
         managedIdentity  the Function App's user-assigned managed identity added to the app as a
                          federated identity credential: no secret at all.
    5. Prints the admin-consent URL (or grants consent with -GrantAdminConsent) and the next steps.

    Safe to run again: it converges the permissions, reuses the Key Vault certificate unless
    -RotateCredential is given, and adds a credential only when one is missing or rotation is asked.

.EXAMPLE
    ./infra/scripts/register-app.ps1 -TenantId contoso.onmicrosoft.com -Workloads incoming -KeyVaultName kvexosyncabc123

.EXAMPLE
    ./infra/scripts/register-app.ps1 -TenantId contoso.onmicrosoft.com -Workloads incoming,outgoing,act `
        -CredentialKind managedIdentity -ManagedIdentityPrincipalId 00000000-0000-0000-0000-000000000000

.EXAMPLE
    # Rotate: a new certificate version in Key Vault, uploaded next to the old one.
    ./infra/scripts/register-app.ps1 -TenantId contoso.onmicrosoft.com -AppId <client id> -KeyVaultName kvexosyncabc123 -RotateCredential
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $TenantId,

    [ValidateSet('incoming', 'outgoing', 'act')]
    [string[]] $Workloads = @('incoming'),

    [ValidateSet('certificate', 'clientSecret', 'managedIdentity')]
    [string] $CredentialKind = 'certificate',

    [string] $DisplayName = 'Exchange CRM server-side sync',

    # Application (client) id of an existing registration to update instead of creating one.
    [string] $AppId,

    # Key Vault of the deployment (output KEY_VAULT_NAME), for certificate and clientSecret.
    [string] $KeyVaultName,

    # Name of the Key Vault certificate or secret (must match the graphCredentialName parameter of
    # main.bicep; its defaults are graph-app-certificate and graph-app-secret).
    [string] $CredentialName,

    # Principal (object) id of the Function App's managed identity (output IDENTITY_PRINCIPAL_ID),
    # for managedIdentity.
    [string] $ManagedIdentityPrincipalId,

    [ValidateRange(1, 24)]
    [int] $ValidityMonths = 12,

    [switch] $RotateCredential,

    [switch] $GrantAdminConsent,

    [string] $LoginAuthority = 'https://login.microsoftonline.com',

    [string] $GraphEndpoint = 'https://graph.microsoft.com'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$permissionsFile = Join-Path $PSScriptRoot 'graph-permissions.json'
$catalog = Get-Content -Raw -Path $permissionsFile | ConvertFrom-Json
$graphAppId = $catalog.graphAppId

function Invoke-Az {
    # Runs the Azure CLI and fails on a non-zero exit; returns its standard output.
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

function New-TempJsonFile([object] $Value) {
    # az reads JSON arguments from files (@path): no quoting differences between shells.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("exo-crm-sync-" + [guid]::NewGuid() + '.json')
    ConvertTo-Json -InputObject $Value -Depth 30 | Set-Content -Path $path -Encoding utf8NoBOM
    return $path
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'The Azure CLI (az) is required: https://learn.microsoft.com/cli/azure/install-azure-cli'
}
$account = Invoke-AzJson account show
if (-not $account) { throw 'Sign in first: az login --tenant <tenant>' }
$tenantGuid = (Invoke-AzJson rest --method GET --url "$GraphEndpoint/v1.0/organization?`$select=id").value[0].id
if ($TenantId -match '^[0-9a-fA-F-]{36}$' -and $TenantId -ne $tenantGuid) {
    throw "az is signed in to tenant $tenantGuid, not $TenantId. Run: az login --tenant $TenantId"
}

# ---------------------------------------------------------------------------------------------
# 1. The permissions of the chosen workloads, checked against this tenant's Microsoft Graph
# ---------------------------------------------------------------------------------------------
$needed = @()
foreach ($workload in ($Workloads | Sort-Object -Unique)) {
    $needed += $catalog.workloads.$workload
}
$needed = @($needed | Sort-Object -Property permission -Unique)
Write-Host "Workloads: $($Workloads -join ', '). Application permissions: $(($needed | ForEach-Object permission) -join ', ')."

$graphSp = Invoke-AzJson ad sp show --id $graphAppId
foreach ($entry in $needed) {
    $role = $graphSp.appRoles | Where-Object { $_.value -eq $entry.permission -and $_.allowedMemberTypes -contains 'Application' }
    if (-not $role) { throw "Microsoft Graph in this tenant has no application permission $($entry.permission)." }
    if ($role.id -ne $entry.appRoleId) {
        throw "graph-permissions.json says $($entry.permission) is $($entry.appRoleId) but this tenant's Microsoft Graph says $($role.id)."
    }
}

# ---------------------------------------------------------------------------------------------
# 2. The app registration and its Graph application permissions
# ---------------------------------------------------------------------------------------------
if ($AppId) {
    $app = Invoke-AzJson ad app show --id $AppId
} else {
    $existing = @(Invoke-AzJson ad app list --display-name $DisplayName)
    if ($existing.Count -gt 1) {
        throw "$($existing.Count) app registrations are named '$DisplayName'. Pass -AppId to choose one."
    }
    if ($existing.Count -eq 1) {
        $app = $existing[0]
        Write-Host "Using the existing app registration '$DisplayName' ($($app.appId))."
    } elseif ($PSCmdlet.ShouldProcess($DisplayName, 'Create app registration')) {
        $app = Invoke-AzJson ad app create --display-name $DisplayName --sign-in-audience AzureADMyOrg
        Write-Host "Created the app registration '$DisplayName' ($($app.appId))."
    } else {
        return
    }
}
$AppId = $app.appId

$otherResources = @($app.requiredResourceAccess | Where-Object { $_.resourceAppId -ne $graphAppId })
$graphDelegated = @($app.requiredResourceAccess | Where-Object { $_.resourceAppId -eq $graphAppId } | ForEach-Object { $_.resourceAccess } | Where-Object { $_.type -eq 'Scope' })
$graphAccess = @($graphDelegated) + @($needed | ForEach-Object { [ordered]@{ id = $_.appRoleId; type = 'Role' } })
$requiredResourceAccess = @($otherResources) + @([ordered]@{ resourceAppId = $graphAppId; resourceAccess = $graphAccess })
if ($PSCmdlet.ShouldProcess($AppId, "Set Microsoft Graph application permissions to $(($needed | ForEach-Object permission) -join ', ')")) {
    $file = New-TempJsonFile $requiredResourceAccess
    try { Invoke-Az ad app update --id $AppId --required-resource-accesses "@$file" | Out-Null } finally { Remove-Item $file -Force }
}

# ---------------------------------------------------------------------------------------------
# 2b. The product's API: identifier URI, v2 tokens, app roles, a scope for people, token claims
# ---------------------------------------------------------------------------------------------
$apiRoles = (Get-Content -Raw -Path (Join-Path $PSScriptRoot 'api-app-roles.json') | ConvertFrom-Json).appRoles
$azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
$app = Invoke-AzJson ad app show --id $AppId
$existingScope = @($app.api.oauth2PermissionScopes | Where-Object { $_.value -eq 'access_as_user' })
$scopeId = if ($existingScope.Count -gt 0) { $existingScope[0].id } else { [guid]::NewGuid().ToString() }
# Roles of other values on the registration are kept as they are: an enabled role cannot be removed.
$otherRoles = @($app.appRoles | Where-Object { ($apiRoles | ForEach-Object id) -notcontains $_.id })
$appRoles = @($apiRoles | ForEach-Object {
    [ordered]@{ id = $_.id; value = $_.value; displayName = $_.displayName; description = $_.description; allowedMemberTypes = @($_.allowedMemberTypes); isEnabled = $true }
}) + $otherRoles
# wids (directory roles) is in tokens when groupMembershipClaims includes directory roles.
$groupClaims = if ($app.groupMembershipClaims -in @('All', 'SecurityGroup', 'DirectoryRole')) { $app.groupMembershipClaims } else { 'DirectoryRole' }
$apiManifest = [ordered]@{
    identifierUris        = @("api://$AppId")
    groupMembershipClaims = $groupClaims
    appRoles              = $appRoles
    api                   = [ordered]@{
        requestedAccessTokenVersion = 2
        oauth2PermissionScopes      = @([ordered]@{
            id                      = $scopeId
            value                   = 'access_as_user'
            type                    = 'User'
            isEnabled               = $true
            adminConsentDisplayName = 'Call the Exchange CRM sync API'
            adminConsentDescription = 'Lets the signed-in user call the sync API with the app roles assigned to them.'
            userConsentDisplayName  = 'Call the Exchange CRM sync API'
            userConsentDescription  = 'Call the sync API with the roles an administrator assigned to you.'
        })
    }
    optionalClaims        = [ordered]@{ accessToken = @([ordered]@{ name = 'idtyp'; essential = $false }); idToken = @(); saml2Token = @() }
}
if ($PSCmdlet.ShouldProcess($AppId, "Expose the API api://$AppId with app roles $(($apiRoles | ForEach-Object value) -join ', ')")) {
    $file = New-TempJsonFile $apiManifest
    try { Invoke-Az rest --method PATCH --url "$GraphEndpoint/v1.0/applications/$($app.id)" --headers 'Content-Type=application/json' --body "@$file" | Out-Null } finally { Remove-Item $file -Force }
    # A scope can be pre-authorized only once it exists: a second update.
    $preAuthorized = [ordered]@{ api = [ordered]@{ preAuthorizedApplications = @([ordered]@{ appId = $azureCliAppId; delegatedPermissionIds = @($scopeId) }) } }
    $file = New-TempJsonFile $preAuthorized
    try { Invoke-Az rest --method PATCH --url "$GraphEndpoint/v1.0/applications/$($app.id)" --headers 'Content-Type=application/json' --body "@$file" | Out-Null } finally { Remove-Item $file -Force }
    Write-Host "Exposed the API api://$AppId (v2 tokens) with the app roles $(($apiRoles | ForEach-Object value) -join ', ')."
}

# ---------------------------------------------------------------------------------------------
# 3. The service principal (what consent and Exchange RBAC apply to)
# ---------------------------------------------------------------------------------------------
$sp = $null
try { $sp = Invoke-AzJson ad sp show --id $AppId } catch { $sp = $null }
if (-not $sp -and $PSCmdlet.ShouldProcess($AppId, 'Create service principal')) {
    $sp = Invoke-AzJson ad sp create --id $AppId
}

# Graph application permissions already granted that the chosen workloads no longer need.
if ($sp) {
    $granted = (Invoke-AzJson rest --method GET --url "$GraphEndpoint/v1.0/servicePrincipals/$($sp.id)/appRoleAssignments").value |
        Where-Object { $_.resourceId -eq $graphSp.id }
    $neededIds = $needed | ForEach-Object appRoleId
    foreach ($grant in $granted) {
        if ($neededIds -notcontains $grant.appRoleId) {
            $name = ($graphSp.appRoles | Where-Object id -eq $grant.appRoleId).value
            Write-Warning "The app still holds the granted permission $name, which these workloads do not need. Remove it: az rest --method DELETE --url $GraphEndpoint/v1.0/servicePrincipals/$($sp.id)/appRoleAssignments/$($grant.id)"
        }
    }
}

# ---------------------------------------------------------------------------------------------
# 4. The credential
# ---------------------------------------------------------------------------------------------
switch ($CredentialKind) {
    'certificate' {
        if (-not $KeyVaultName) { throw '-KeyVaultName is required for a certificate (main.bicep output KEY_VAULT_NAME).' }
        if (-not $CredentialName) { $CredentialName = 'graph-app-certificate' }
        $certificate = $null
        try { $certificate = Invoke-AzJson keyvault certificate show --vault-name $KeyVaultName --name $CredentialName } catch { $certificate = $null }
        if (-not $certificate -or $RotateCredential) {
            if ($PSCmdlet.ShouldProcess("$KeyVaultName/$CredentialName", 'Create certificate in Key Vault')) {
                # contentType application/x-pem-file: the certificate's secret is PEM text with the
                # private key and the certificate, which is what GRAPH_CERTIFICATE_PEM expects.
                $policy = [ordered]@{
                    issuerParameters          = [ordered]@{ name = 'Self' }
                    keyProperties             = [ordered]@{ exportable = $true; keyType = 'RSA'; keySize = 2048; reuseKey = $false }
                    secretProperties          = [ordered]@{ contentType = 'application/x-pem-file' }
                    x509CertificateProperties = [ordered]@{
                        subject          = "CN=$DisplayName"
                        validityInMonths = $ValidityMonths
                        keyUsage         = @('digitalSignature', 'keyEncipherment')
                    }
                    # Renewing in Key Vault alone would break sign-in (the app holds the old public
                    # key): Key Vault emails its contacts instead; rotate with -RotateCredential.
                    lifetimeActions           = @([ordered]@{ trigger = [ordered]@{ daysBeforeExpiry = 30 }; action = [ordered]@{ actionType = 'EmailContacts' } })
                }
                $file = New-TempJsonFile $policy
                try { Invoke-Az keyvault certificate create --vault-name $KeyVaultName --name $CredentialName --policy "@$file" | Out-Null } finally { Remove-Item $file -Force }
                for ($i = 0; $i -lt 30; $i++) {
                    $operation = Invoke-AzJson keyvault certificate pending show --vault-name $KeyVaultName --name $CredentialName
                    if ($operation.status -ne 'inProgress') { break }
                    Start-Sleep -Seconds 2
                }
                $certificate = Invoke-AzJson keyvault certificate show --vault-name $KeyVaultName --name $CredentialName
                Write-Host "Created certificate $CredentialName in $KeyVaultName (thumbprint $($certificate.x509ThumbprintHex))."
            }
        }
        if ($certificate) {
            $thumbprint = $certificate.x509ThumbprintHex
            $thumbprintBase64 = [Convert]::ToBase64String([Convert]::FromHexString($thumbprint))
            $expires = [datetime]$certificate.attributes.expires
            $appKeys = @((Invoke-AzJson ad app show --id $AppId).keyCredentials)
            # Entra keeps the thumbprint as customKeyIdentifier (hex or base64, depending on the client
            # that uploaded it); the end date equals the certificate's expiry.
            $uploaded = $appKeys | Where-Object {
                ($_.customKeyIdentifier -and ($_.customKeyIdentifier -eq $thumbprint -or $_.customKeyIdentifier -eq $thumbprintBase64)) -or
                ($_.endDateTime -and [Math]::Abs(([datetime]$_.endDateTime - $expires).TotalMinutes) -lt 1)
            }
            if (-not $uploaded -and $PSCmdlet.ShouldProcess($AppId, "Upload certificate $thumbprint")) {
                $pem = Join-Path ([System.IO.Path]::GetTempPath()) ("exo-crm-sync-" + [guid]::NewGuid() + '.pem')
                $base64 = $certificate.cer
                $lines = for ($offset = 0; $offset -lt $base64.Length; $offset += 64) { $base64.Substring($offset, [Math]::Min(64, $base64.Length - $offset)) }
                @('-----BEGIN CERTIFICATE-----') + $lines + @('-----END CERTIFICATE-----') | Set-Content -Path $pem -Encoding ascii
                try { Invoke-Az ad app credential reset --id $AppId --cert "@$pem" --append | Out-Null } finally { Remove-Item $pem -Force }
                Write-Host "Uploaded the certificate's public key to the app registration."
            }
        }
    }
    'clientSecret' {
        if (-not $KeyVaultName) { throw '-KeyVaultName is required for a client secret (main.bicep output KEY_VAULT_NAME).' }
        if (-not $CredentialName) { $CredentialName = 'graph-app-secret' }
        $current = $null
        # Only the attributes: the secret's value is never read.
        try { $current = Invoke-AzJson keyvault secret show --vault-name $KeyVaultName --name $CredentialName --query attributes } catch { $current = $null }
        if (-not $current -or $RotateCredential) {
            if ($PSCmdlet.ShouldProcess($AppId, 'Create client secret and store it in Key Vault')) {
                $endDate = (Get-Date).ToUniversalTime().AddMonths($ValidityMonths).ToString('yyyy-MM-ddTHH:mm:ssZ')
                $created = Invoke-AzJson ad app credential reset --id $AppId --append --display-name "exo-crm-sync $(Get-Date -Format yyyy-MM-dd)" --end-date $endDate
                $file = Join-Path ([System.IO.Path]::GetTempPath()) ("exo-crm-sync-" + [guid]::NewGuid() + '.txt')
                try {
                    # Written to a file so that the secret never appears on a command line.
                    [System.IO.File]::WriteAllText($file, $created.password)
                    Invoke-Az keyvault secret set --vault-name $KeyVaultName --name $CredentialName --file $file --encoding utf-8 --expires $endDate --content-type 'text/plain' --query id | Out-Null
                } finally {
                    Remove-Item $file -Force -ErrorAction SilentlyContinue
                    $created = $null
                }
                Write-Host "Created a client secret valid until $endDate and stored it in $KeyVaultName as $CredentialName."
            }
        } else {
            Write-Host "Key Vault already holds $CredentialName (expires $($current.expires)); pass -RotateCredential for a new one."
        }
    }
    'managedIdentity' {
        if (-not $ManagedIdentityPrincipalId) { throw '-ManagedIdentityPrincipalId is required (main.bicep output IDENTITY_PRINCIPAL_ID).' }
        $issuer = "$LoginAuthority/$tenantGuid/v2.0"
        $existingCredentials = @(Invoke-AzJson ad app federated-credential list --id $AppId)
        $present = $existingCredentials | Where-Object { $_.issuer -eq $issuer -and $_.subject -eq $ManagedIdentityPrincipalId }
        if (-not $present -and $PSCmdlet.ShouldProcess($AppId, "Trust managed identity $ManagedIdentityPrincipalId")) {
            $credential = [ordered]@{
                name        = 'exo-crm-sync-managed-identity'
                issuer      = $issuer
                subject     = $ManagedIdentityPrincipalId
                audiences   = @('api://AzureADTokenExchange')
                description = 'The sync Function App''s user-assigned managed identity'
            }
            $file = New-TempJsonFile $credential
            try { Invoke-Az ad app federated-credential create --id $AppId --parameters "@$file" | Out-Null } finally { Remove-Item $file -Force }
            Write-Host "Added the managed identity $ManagedIdentityPrincipalId as a federated identity credential."
        }
    }
}

# ---------------------------------------------------------------------------------------------
# 5. Consent and next steps
# ---------------------------------------------------------------------------------------------
$consentUrl = "$LoginAuthority/$TenantId/adminconsent?client_id=$AppId"
if ($GrantAdminConsent -and $PSCmdlet.ShouldProcess($AppId, 'Grant tenant-wide admin consent')) {
    Invoke-Az ad app permission admin-consent --id $AppId | Out-Null
    Write-Host 'Admin consent granted.'
} else {
    Write-Host ''
    Write-Host 'A Global Administrator or Privileged Role Administrator grants consent here:'
    Write-Host "  $consentUrl"
}

Write-Host ''
Write-Host 'Next:'
Write-Host "  azd env set GRAPH_CLIENT_ID $AppId; azd env set GRAPH_CREDENTIAL_KIND $CredentialKind; azd provision"
Write-Host "  (or: az deployment group create ... -p graphClientId=$AppId graphCredentialKind=$CredentialKind$(if ($CredentialName) { " graphCredentialName=$CredentialName" }))"
Write-Host "  Then limit the app to the synced mailboxes: ./infra/scripts/scope-mailboxes.ps1 -AppId $AppId -Group <mail-enabled security group> -Workloads $($Workloads -join ',') ..."
Write-Host "  Assign the API's app roles to people and to the CRM application: docs/deploy.md, 'Sign-in and roles'. API_AUDIENCE is $AppId."

[pscustomobject]@{
    AppId              = $AppId
    ApplicationObjectId = $app.id
    ServicePrincipalId = if ($sp) { $sp.id } else { $null }
    TenantId           = $tenantGuid
    Permissions        = @($needed | ForEach-Object permission)
    ApiIdentifierUri   = "api://$AppId"
    ApiAppRoles        = @($apiRoles | ForEach-Object value)
    CredentialKind     = $CredentialKind
    CredentialName     = $CredentialName
    AdminConsentUrl    = $consentUrl
}
