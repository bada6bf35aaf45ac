// Exchange Online <-> CRM server-side sync: everything one deployment runs on.
//
// One resource group holds: a user-assigned managed identity (the app's only credential for Azure),
// a storage account (host storage, the product's tables, large bodies, the deployment package; shared
// keys disabled), a Service Bus namespace with one session queue per workload (local auth disabled),
// a Key Vault for the Graph app's certificate or secret, Log Analytics + Application Insights, a
// Function App on the Flex Consumption plan, and the alerts and workbook in monitoring/.
//
// Names of queues, tables and containers must equal shared/config/names.ts; every app setting must be
// one the code reads (shared/config/settings.ts settingCatalog) or a documented platform setting; the
// tests in test/infra check both, and the queue settings against shared/queues/work-queue.ts.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(32)
@description('Name of this environment (azd passes AZURE_ENV_NAME): letters, digits and hyphens. Used in resource names and tags, and as the default DEPLOYMENT_ID.')
param environmentName string

@description('Region of every resource. Flex Consumption must be available there (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@minLength(2)
@maxLength(8)
@description('Short lowercase prefix for resource names (letters and digits).')
param namePrefix string = 'exosync'

@description('Tags added to every resource.')
param tags object = {}

// Graph (Exchange Online) app registration ----------------------------------------------------

@description('Entra tenant id (GUID) or primary domain of the Exchange Online organization, when it is not the tenant of the subscription (azd: GRAPH_TENANT_ID). Empty: the tenant of the subscription.')
param graphTenantId string = ''

@description('Application (client) id of the Entra app registration created by infra/scripts/register-app.ps1. May be empty on the very first provision (the app then refuses to start sync until it is set).')
param graphClientId string = ''

@allowed([
  'certificate'
  'clientSecret'
  'managedIdentity'
])
@description('How the app authenticates to Entra: a certificate kept in Key Vault (recommended), a client secret kept in Key Vault, or the user-assigned managed identity as a federated credential (no secret at all).')
param graphCredentialKind string = 'certificate'

@description('Name of the Key Vault certificate (certificate) or secret (clientSecret) that holds the Graph credential. Empty: graph-app-certificate or graph-app-secret.')
param graphCredentialName string = ''

@description('Microsoft Graph root. Sovereign clouds differ (for example https://graph.microsoft.us).')
param graphEndpoint string = 'https://graph.microsoft.com'

@description('Entra login authority host. Sovereign clouds differ (for example https://login.microsoftonline.us).')
param loginAuthorityHost string = 'https://login.microsoftonline.com'

// Who may call the HTTP API (Entra ID sign-in and app roles) -----------------------------------

@description('Application (client) id of the app registration that exposes the API and its app roles (register-app.ps1 sets them up on the Graph app registration). Empty: graphClientId. Becomes API_AUDIENCE: the audience of the API\'s v2 access tokens.')
param apiClientId string = ''

@description('Tenant id (GUID) whose users and applications call the API. Empty: the tenant of the subscription.')
param apiTenantId string = ''

@description('Extra Graph credentials for email server profiles that use their own app registration: each { name, secretName } becomes app setting PROFILE_CREDENTIAL_<NAME> (name in capitals: letters, digits, underscores) = a Key Vault reference to secret <secretName> in this vault. The profile names PROFILE_CREDENTIAL_<NAME> as its secretSetting or certificateSetting; it may name no other setting.')
param profileCredentialSecrets array = []

// Sync behaviour ------------------------------------------------------------------------------

@description('This deployment\'s id, stamped into the mailboxes it owns (letters, digits and dashes). Empty: the environment name.')
param deploymentId string = ''

@minValue(10)
@maxValue(100000)
@description('Push: Graph change notifications to the Function App (PUSH_NOTIFICATION_URL = its https address), with polling as a slow safety net. false: polling only.')
param pushNotifications bool = true

@description('Items one cycle processes before it yields (CYCLE_MAX_ITEMS).')
param cycleMaxItems int = 500

@minValue(10)
@maxValue(480)
@description('Seconds one cycle runs before it yields (CYCLE_MAX_SECONDS). Must stay below host.json maxAutoLockRenewalDuration and functionTimeout (10 minutes).')
param cycleMaxSeconds int = 240

// Hosting ---------------------------------------------------------------------------------------

@minValue(1)
@maxValue(1000)
@description('Flex Consumption: the most instances the app scales out to. Every instance runs up to host.json maxConcurrentSessions mailbox cycles at once.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory of each instance in MB (CPU scales with it).')
param instanceMemoryMB int = 2048

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
@description('Redundancy of the storage account that holds state, records and bodies.')
param storageSku string = 'Standard_LRS'

@description('Time to live of a queued workload message. An expired message is dead-lettered (and alerted); the scheduler queues the workload again on its next pass.')
param queueMessageTimeToLive string = 'P1D'

@description('Also grant Azure Service Bus Data Owner so the platform can read queue lengths and scale on them precisely. Off: the app has only Data Sender and Data Receiver and Flex scales on listener activity.')
param serviceBusAccurateScaling bool = false

// Monitoring ------------------------------------------------------------------------------------

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps the logs the workbook and alerts read.')
param logRetentionDays int = 30

@minLength(3)
@description('Email address the alert rules notify.')
param alertEmail string

@allowed([
  15
  30
  45
  60
  120
  180
  240
  360
])
@description('Alert when no mailbox cycle succeeded for this many minutes.')
param noSuccessfulCycleMinutes int = 30

@minValue(1)
@maxValue(100)
@description('Alert when a mailbox has at least this many failed cycles within 30 minutes.')
param failedCyclesPerMailbox int = 3

// Administrators --------------------------------------------------------------------------------

@description('Object id of the admin who runs infra/scripts/register-app.ps1 (azd passes AZURE_PRINCIPAL_ID). Gets Key Vault Certificates Officer and Secrets Officer to create and rotate the Graph credential. Empty: none.')
param adminPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Kind of principal adminPrincipalId is.')
param adminPrincipalType string = 'User'

// ---------------------------------------------------------------------------------------------
// Names (shared/config/names.ts is the source; test/infra checks these lists equal it)
// ---------------------------------------------------------------------------------------------

var queueNames = [
  'incoming-email'
  'outgoing-email'
  'act-sync'
]

var tableNames = [
  'profiles'
  'mailboxes'
  'schedule'
  'cursors'
  'emails'
  'mailboxitems'
  'itemfailures'
  'alerts'
  'orgsettings'
  'mailboxaddresses'
  'connectionslots'
  'mailboxlanes'
  'actrecords'
  'syncfilters'
  'actlinks'
  'trackingnumbers'
  'trackedfolders'
  'pushsubscriptions'
  'correlationkeys'
  'ownertracking'
  'migrations'
  'migrationsteps'
  'audit'
  'syncstats'
]

var blobContainerNames = [
  'email-bodies'
]

// Queue behaviour the code relies on (shared/queues/work-queue.ts): message ids are deduplicated for
// duplicateDetectionWindowMs (10 minutes); a message is dead-lettered after maxDeliveryCount (10)
// deliveries. lockDuration is Service Bus' maximum; the Functions host renews the session lock for
// longer (host.json maxAutoLockRenewalDuration).
var queueLockDuration = 'PT5M'
var queueMaxDeliveryCount = 10
var queueDuplicateDetectionWindow = 'PT10M'

var deploymentContainerName = 'deployment-package'

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var prefix = replace(toLower(namePrefix), '-', '')
var baseName = '${prefix}-${environmentName}'
var allTags = union(tags, {
  'azd-env-name': environmentName
  application: 'exchange-crm-sync'
})

var identityName = 'id-${baseName}'
var storageAccountName = take('st${prefix}${resourceToken}', 24)
var serviceBusName = 'sb-${prefix}-${resourceToken}'
var keyVaultName = take('kv${prefix}${resourceToken}', 24)
var workspaceName = 'log-${baseName}'
var appInsightsName = 'appi-${baseName}'
var planName = 'plan-${baseName}'
var functionAppName = 'func-${prefix}-${resourceToken}'

var effectiveCredentialName = !empty(graphCredentialName) ? graphCredentialName : (graphCredentialKind == 'certificate' ? 'graph-app-certificate' : 'graph-app-secret')
var effectiveDeploymentId = !empty(deploymentId) ? deploymentId : environmentName
// azd passes an unset GRAPH_TENANT_ID as '': both mean the subscription's tenant.
var effectiveGraphTenantId = !empty(graphTenantId) ? graphTenantId : tenant().tenantId
var effectiveApiAudience = !empty(apiClientId) ? apiClientId : graphClientId
var effectiveApiTenantId = !empty(apiTenantId) ? apiTenantId : tenant().tenantId

// Built-in role definitions (ids are the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  keyVaultCertificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: allTags
}

// ---------------------------------------------------------------------------------------------
// Storage: host storage, product tables, large bodies, deployment package
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: allTags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource largeTextContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for name in blobContainerNames: {
  parent: blobService
  name: name
  properties: {
    publicAccess: 'None'
  }
}]

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

// ---------------------------------------------------------------------------------------------
// Service Bus: one session queue per workload
// ---------------------------------------------------------------------------------------------

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: serviceBusName
  location: location
  tags: allTags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// requiresSession and requiresDuplicateDetection cannot be changed on an existing queue: a queue
// created without them must be deleted (after draining) and provisioned again.
resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for name in queueNames: {
  parent: serviceBus
  name: name
  properties: {
    requiresSession: true
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: queueDuplicateDetectionWindow
    maxDeliveryCount: queueMaxDeliveryCount
    lockDuration: queueLockDuration
    deadLetteringOnMessageExpiration: true
    defaultMessageTimeToLive: queueMessageTimeToLive
    enableBatchedOperations: true
    enablePartitioning: false
    maxSizeInMegabytes: 1024
  }
}]

// ---------------------------------------------------------------------------------------------
// Key Vault: the Graph app's certificate or client secret
// ---------------------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: allTags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Monitoring backbone
// ---------------------------------------------------------------------------------------------

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: allTags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

// Local (instrumentation key) ingestion is disabled: the host sends telemetry with the managed
// identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING + Monitoring Metrics Publisher).
resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: allTags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

// ---------------------------------------------------------------------------------------------
// Function App on Flex Consumption
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: allTags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  tags: union(allTags, {
    'azd-service-name': 'sync'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity (there is no system identity).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }
  dependsOn: [
    deploymentContainer
  ]
}

// App settings: identity-based connections only. No connection string, account key or shared access
// key appears here; the Graph secret or certificate is a Key Vault reference resolved by the platform.
// Built from the name (not the resource) so that the value is known when the template starts.
var keyVaultSecretUriBase = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/secrets/'

var hostSettings = {
  AzureWebJobsStorage__accountName: storage.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
}

var syncSettings = {
  SyncStorage__tableServiceUri: storage.properties.primaryEndpoints.table
  SyncStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  SyncStorage__clientId: identity.properties.clientId
  ServiceBusConnection__fullyQualifiedNamespace: '${serviceBus.name}.servicebus.windows.net'
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identity.properties.clientId
  GRAPH_TENANT_ID: effectiveGraphTenantId
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CREDENTIAL_KIND: graphCredentialKind
  GRAPH_ENDPOINT: graphEndpoint
  LOGIN_AUTHORITY_HOST: loginAuthorityHost
  API_AUDIENCE: effectiveApiAudience
  API_TENANT_ID: effectiveApiTenantId
  DEPLOYMENT_ID: effectiveDeploymentId
  CYCLE_MAX_ITEMS: string(cycleMaxItems)
  CYCLE_MAX_SECONDS: string(cycleMaxSeconds)
  // Graph posts change notifications to /api/push/notifications and /api/push/lifecycle here.
  PUSH_NOTIFICATION_URL: pushNotifications ? 'https://${functionApp.properties.defaultHostName}' : ''
}

// The secret behind a Key Vault certificate holds its PEM (certificate and private key) when the
// certificate's policy has contentType application/x-pem-file, as register-app.ps1 creates it.
var certificateSettings = {
  GRAPH_CERTIFICATE_PEM: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUriBase}${effectiveCredentialName}/)'
}
var clientSecretSettings = {
  GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUriBase}${effectiveCredentialName}/)'
}
var managedIdentityCredentialSettings = {
  GRAPH_MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
}
var graphCredentialSettings = graphCredentialKind == 'certificate' ? certificateSettings : (graphCredentialKind == 'clientSecret' ? clientSecretSettings : managedIdentityCredentialSettings)

// The prefix is the one shared/config/profile-credentials.ts accepts: a profile can name only these settings.
var profileCredentialSettings = toObject(profileCredentialSecrets, entry => 'PROFILE_CREDENTIAL_${toUpper(entry.name)}', entry => '@Microsoft.KeyVault(SecretUri=${keyVaultSecretUriBase}${entry.secretName}/)')

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(hostSettings, syncSettings, graphCredentialSettings, profileCredentialSettings)
  // Start the host only once its identity may reach storage, Service Bus, Key Vault and telemetry.
  dependsOn: [
    blobDataOwner
    tableDataContributor
    serviceBusSender
    serviceBusReceiver
    keyVaultSecretsUser
    metricsPublisher
    tables
    largeTextContainers
    queues
  ]
}

// ---------------------------------------------------------------------------------------------
// Role assignments of the app's identity: exactly the data-plane calls it makes
// ---------------------------------------------------------------------------------------------

// Blobs: the Functions host keeps keys, timer locks and the deployment package in blobs and creates
// its containers (Blob Data Owner is the role Functions documents for identity-based host storage);
// the product reads and writes large bodies in email-bodies. Owner covers Contributor.
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage, deployment package and the product\'s large-text container'
  }
}

// Tables: every product record (createTable at start, entity reads, upserts, etag-conditional
// updates, deletes); the host's diagnostic events table.
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Product state and records in Table Storage'
  }
}

// No Storage Queue Data Contributor: the app uses no storage queues (no blob trigger, no Durable
// Functions); its queues are Service Bus.

// Service Bus send: the scheduler and every cycle send and schedule workload messages.
resource serviceBusSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, identity.id, roles.serviceBusDataSender)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Scheduler and cycles send workload messages'
  }
}

// Service Bus receive: the session queue triggers and the dead-letter queue triggers.
resource serviceBusReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, identity.id, roles.serviceBusDataReceiver)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Queue triggers (sessions) and dead-letter triggers receive workload messages'
  }
}

resource serviceBusOwnerForScaling 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (serviceBusAccurateScaling) {
  name: guid(serviceBus.id, identity.id, roles.serviceBusDataOwner)
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Optional: lets the platform read queue lengths to scale precisely (serviceBusAccurateScaling)'
  }
}

// Key Vault: the platform resolves the @Microsoft.KeyVault references of the app settings with this
// identity (keyVaultReferenceIdentity).
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Resolve the Graph credential Key Vault references'
  }
}

// Telemetry: Entra-authenticated ingestion into Application Insights (local auth is disabled).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    description: 'Send logs and metrics to Application Insights with Entra authentication'
  }
}

// The admin who creates and rotates the Graph credential (optional).
resource adminCertificatesOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(adminPrincipalId)) {
  name: guid(keyVault.id, adminPrincipalId, roles.keyVaultCertificatesOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultCertificatesOfficer)
    principalId: adminPrincipalId
    principalType: adminPrincipalType
    description: 'Admin: create and renew the Graph app certificate'
  }
}

resource adminSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(adminPrincipalId)) {
  name: guid(keyVault.id, adminPrincipalId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: adminPrincipalId
    principalType: adminPrincipalType
    description: 'Admin: store and rotate the Graph client secret'
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts, query pack and workbook
// ---------------------------------------------------------------------------------------------

module monitoring 'monitoring/monitoring.bicep' = {
  name: 'monitoring-${resourceToken}'
  params: {
    location: location
    tags: allTags
    baseName: baseName
    environmentName: environmentName
    workspaceName: workspace.name
    serviceBusId: serviceBus.id
    alertEmail: alertEmail
    noSuccessfulCycleMinutes: noSuccessfulCycleMinutes
    failedCyclesPerMailbox: failedCyclesPerMailbox
  }
  dependsOn: [
    appInsights
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment; az users read properties.outputs)
// ---------------------------------------------------------------------------------------------

output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output FUNCTION_APP_NAME string = functionApp.name
output FUNCTION_APP_HOSTNAME string = functionApp.properties.defaultHostName
output IDENTITY_CLIENT_ID string = identity.properties.clientId
output IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output KEY_VAULT_NAME string = keyVault.name
output KEY_VAULT_URI string = keyVault.properties.vaultUri
output GRAPH_CREDENTIAL_KIND string = graphCredentialKind
output GRAPH_CREDENTIAL_NAME string = effectiveCredentialName
output STORAGE_ACCOUNT_NAME string = storage.name
output SERVICE_BUS_NAMESPACE string = serviceBus.name
output SERVICE_BUS_FQDN string = '${serviceBus.name}.servicebus.windows.net'
output LOG_ANALYTICS_WORKSPACE_NAME string = workspace.name
output APPLICATION_INSIGHTS_NAME string = appInsights.name
output WORKBOOK_ID string = monitoring.outputs.workbookId
