// What a tenant admin watches: an action group, the alert rules, the SyncCycles() function over the
// cycle log, a query pack with the operations queries (docs/operations.md) and the sync workbook.
//
// Every log query reads the workspace-based Application Insights tables (AppTraces, AppRequests) of
// the workspace created in main.bicep; SyncCycles() (sync-cycles.kql) turns the one-line-per-cycle log
// into columns.

@description('Region of the workspace-bound resources (query pack, workbook, log alert rules).')
param location string

param tags object = {}

@description('Base of resource names, for example exosync-prod.')
param baseName string

param environmentName string

@description('Log Analytics workspace that holds the Application Insights tables.')
param workspaceName string

@description('Resource id of the Service Bus namespace (dead-letter metric alert).')
param serviceBusId string

@minLength(3)
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
param noSuccessfulCycleMinutes int = 30

@minValue(1)
param failedCyclesPerMailbox int = 3

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: workspaceName
}

// ---------------------------------------------------------------------------------------------
// SyncCycles(): the cycle log as columns, used by the alerts, the query pack and the workbook
// ---------------------------------------------------------------------------------------------

resource syncCyclesFunction 'Microsoft.OperationalInsights/workspaces/savedSearches@2020-08-01' = {
  parent: workspace
  name: 'exo-crm-sync-cycles'
  properties: {
    category: 'Exchange CRM sync'
    displayName: 'SyncCycles: one row per mailbox workload cycle'
    functionAlias: 'SyncCycles'
    query: loadTextContent('sync-cycles.kql')
    version: 2
  }
}

// ---------------------------------------------------------------------------------------------
// Who is told
// ---------------------------------------------------------------------------------------------

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${baseName}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take('exosync', 12)
    enabled: true
    emailReceivers: [
      {
        name: 'admin-email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// ---------------------------------------------------------------------------------------------
// Alert rules
// ---------------------------------------------------------------------------------------------

var windowByMinutes = {
  '15': 'PT15M'
  '30': 'PT30M'
  '45': 'PT45M'
  '60': 'PT1H'
  '120': 'PT2H'
  '180': 'PT3H'
  '240': 'PT4H'
  '360': 'PT6H'
}

// Messages sitting in a dead-letter queue. The dead-letter functions drain the queues (alert +
// reschedule), so a count that stays above zero means they cannot: see also the log rule below.
resource deadLetteredMessagesAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-${baseName}-dead-lettered-messages'
  location: 'global'
  tags: tags
  properties: {
    description: 'Dead-lettered messages > 0 in a workload queue: a workload message failed on every one of its 10 deliveries (or expired). Cause and fix: docs/operations.md, "Dead-lettered messages".'
    severity: 2
    enabled: true
    scopes: [
      serviceBusId
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    targetResourceType: 'Microsoft.ServiceBus/namespaces'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredMessages'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// The dead-letter functions log one "dead-lettered <workload> message" line per message they handle.
resource deadLetterHandledAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-dead-letter-handled'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync: workload messages dead-lettered (${environmentName})'
    description: 'A workload message failed on all 10 deliveries and was dead-lettered; the dead-letter function raised a DeadLettered alert and rescheduled the mailbox. Look at the failed runs of the queue trigger (docs/operations.md, "Dead-lettered messages").'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/dead-letter-handled.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'Workload'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
  dependsOn: [
    syncCyclesFunction
  ]
}

// Mailboxes failing: a mailbox workload with failedCyclesPerMailbox or more failed cycles in 30
// minutes. One alert per workload, listing the mailboxes and error codes in its results.
resource failingMailboxesAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-mailboxes-failing'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync: mailboxes failing (${environmentName})'
    description: 'At least one mailbox had ${failedCyclesPerMailbox} or more failed cycles in 30 minutes. The query results list each mailbox, workload and error code; the product\'s own alert for the mailbox (GET /api/mailboxes/{id}) says the cause and fix.'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT30M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: replace(loadTextContent('alerts/mailboxes-failing.kql'), '__THRESHOLD__', string(failedCyclesPerMailbox))
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'Workload'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
  dependsOn: [
    syncCyclesFunction
  ]
}

// Function failures: any invocation that ended in an exception (requests with success == false).
resource functionFailuresAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-function-failures'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync: function failures (${environmentName})'
    description: 'A function invocation failed (requests with success == false), per function. Queue-trigger failures are retried up to 10 times and then dead-lettered; HTTP failures are 5xx answers of the admin API.'
    severity: 2
    enabled: true
    scopes: [
      workspace.id
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/function-failures.kql')
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'Name'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// No successful cycle: nothing completed or yielded for noSuccessfulCycleMinutes. Every enabled
// mailbox cycles at least every 12 minutes when idle, so silence means sync has stopped (app down,
// storage or Service Bus unreachable, credentials broken for every profile), or no mailbox is enabled.
resource noSuccessfulCycleAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'alert-${baseName}-no-successful-cycle'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Sync: no successful cycle in ${noSuccessfulCycleMinutes} minutes (${environmentName})'
    description: 'No mailbox cycle completed in ${noSuccessfulCycleMinutes} minutes. Check the Function App is running, the function failures alert, and the product alerts (GET /api/alerts). Expected until the first mailbox is enabled.'
    severity: 1
    enabled: true
    scopes: [
      workspace.id
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: windowByMinutes[string(noSuccessfulCycleMinutes)]
    skipQueryValidation: true
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: loadTextContent('alerts/successful-cycles.kql')
          timeAggregation: 'Count'
          operator: 'LessThan'
          threshold: 1
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
  dependsOn: [
    syncCyclesFunction
  ]
}

// ---------------------------------------------------------------------------------------------
// Query pack: the operations queries, in the Logs blade under "Queries"
// ---------------------------------------------------------------------------------------------

var packQueries = [
  {
    id: 'failing-mailboxes'
    displayName: 'Which mailboxes are failing and why'
    description: 'Mailbox workloads with failed cycles in the last 24 hours, their error codes and whether they recovered.'
    body: loadTextContent('queries/failing-mailboxes.kql')
  }
  {
    id: 'sync-lag'
    displayName: 'How far behind is sync'
    description: 'Minutes since the last successful cycle per mailbox workload.'
    body: loadTextContent('queries/sync-lag.kql')
  }
  {
    id: 'throttled'
    displayName: 'What is throttled (mailboxes)'
    description: 'Mailboxes whose cycles Graph throttled in the last 24 hours.'
    body: loadTextContent('queries/throttled.kql')
  }
  {
    id: 'throttled-by-hour'
    displayName: 'What is throttled (per hour)'
    description: 'Throttled cycles per hour and workload.'
    body: loadTextContent('queries/throttled-by-hour.kql')
  }
  {
    id: 'dead-lettered'
    displayName: 'Dead-lettered messages'
    description: 'Workload messages the dead-letter functions handled, and the failed queue-trigger runs behind them.'
    body: loadTextContent('queries/dead-lettered.kql')
  }
  {
    id: 'slowest-cycles'
    displayName: 'Slowest cycles'
    description: 'The 50 longest cycles of the last 24 hours.'
    body: loadTextContent('queries/slowest-cycles.kql')
  }
  {
    id: 'cycle-duration-percentiles'
    displayName: 'Cycle duration percentiles'
    description: 'p50, p90 and p99 cycle duration per workload.'
    body: loadTextContent('queries/cycle-duration-percentiles.kql')
  }
]

resource queryPack 'Microsoft.OperationalInsights/queryPacks@2019-09-01' = {
  name: 'pack-${baseName}'
  location: location
  tags: tags
  properties: {}
}

resource queryPackQueries 'Microsoft.OperationalInsights/queryPacks/queries@2019-09-01' = [for query in packQueries: {
  parent: queryPack
  name: guid(queryPack.id, query.id)
  properties: {
    displayName: query.displayName
    description: query.description
    body: query.body
    related: {
      categories: [
        'applications'
      ]
      resourceTypes: [
        'microsoft.operationalinsights/workspaces'
      ]
    }
    tags: {
      labels: [
        'exchange-crm-sync'
      ]
    }
  }
}]

// ---------------------------------------------------------------------------------------------
// Workbook: the monitoring dashboard
// ---------------------------------------------------------------------------------------------

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, baseName, 'sync-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Exchange CRM sync: mailbox cycles (${environmentName})'
    category: 'workbook'
    sourceId: toLower(workspace.id)
    serializedData: replace(loadTextContent('workbook.json'), '__WORKSPACE_ID__', workspace.id)
  }
  dependsOn: [
    syncCyclesFunction
  ]
}

output workbookId string = workbook.id
output actionGroupId string = actionGroup.id
output queryPackId string = queryPack.id
