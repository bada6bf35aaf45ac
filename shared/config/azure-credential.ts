/** The credential for Azure data planes: a user-assigned managed identity when its client id is set. */
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";

export function azureCredential(managedIdentityClientId?: string): TokenCredential {
  return managedIdentityClientId
    ? new ManagedIdentityCredential({ clientId: managedIdentityClientId })
    : new DefaultAzureCredential();
}
