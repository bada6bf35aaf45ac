/** Email server profile: connection and polling settings shared by many mailboxes. */
import type { Workload } from "./workloads.js";

export interface PollingBounds {
  minSeconds: number;
  defaultSeconds: number;
  maxSeconds: number;
}

/**
 * Which app registration the profile's mailboxes are reached with. `deploymentApp` uses the
 * GRAPH_* app settings; the others name the app setting that holds the secret or certificate (in
 * Azure a Key Vault reference), so no secret is ever stored in a table.
 */
export type ProfileCredential =
  | { kind: "deploymentApp" }
  | { kind: "clientSecret"; tenantId: string; clientId: string; secretSetting: string }
  | { kind: "certificate"; tenantId: string; clientId: string; certificateSetting: string }
  | { kind: "managedIdentity"; tenantId: string; clientId: string; managedIdentityClientId?: string };

export interface EmailServerProfile {
  id: string;
  name: string;
  credential: ProfileCredential;
  /** Lower bound on received time for incoming mail, for every mailbox of the profile. */
  processEmailsFrom?: string;
  /** Concurrent mailbox cycles across every worker instance (1–300). */
  maxConcurrentConnections: number;
  requestTimeoutSeconds: number;
  polling: Record<Workload, PollingBounds>;
  /**
   * With push (change notifications) healthy, the safety-net round's interval per workload: the
   * workload runs when notified, and otherwise only this often.
   */
  pushSafetyNetSeconds: PushSafetyNet;
  /** Who is alerted: the owner's email address gets the notices. */
  ownerEmail?: string;
  saveSentToSentItems: boolean;
  alertOwnerWhenMajorityFail: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Server-side sync's incoming schedule: about 5 minutes, 2 for busy mailboxes, 12 for quiet ones. */
export const defaultIncomingPolling: PollingBounds = { minSeconds: 120, defaultSeconds: 300, maxSeconds: 720 };
/** Pending Send mail is picked up at least every 5 minutes (and at once on Send). */
export const defaultOutgoingPolling: PollingBounds = { minSeconds: 300, defaultSeconds: 300, maxSeconds: 300 };
/** ACT: 5–12 minutes after a cycle (5–15 when incoming is also enabled). */
export const defaultActPolling: PollingBounds = { minSeconds: 300, defaultSeconds: 480, maxSeconds: 720 };

export const defaultPolling: Record<Workload, PollingBounds> = {
  incoming: defaultIncomingPolling,
  outgoing: defaultOutgoingPolling,
  act: defaultActPolling,
};

export interface PushSafetyNet {
  incoming: number;
  act: number;
}

/** 30 minutes for incoming, 60 for ACT, while their change notifications are healthy. */
export const defaultPushSafetyNet: PushSafetyNet = { incoming: 1_800, act: 3_600 };

export const defaultMaxConcurrentConnections = 10;
/** The highest `maxConcurrentConnections` a profile may have. */
export const maxConcurrentConnectionsLimit = 300;

export function newProfile(input: Partial<EmailServerProfile> & { id: string; name: string }, now: number): EmailServerProfile {
  const at = new Date(now).toISOString();
  return {
    credential: { kind: "deploymentApp" },
    maxConcurrentConnections: defaultMaxConcurrentConnections,
    requestTimeoutSeconds: 30,
    polling: defaultPolling,
    pushSafetyNetSeconds: defaultPushSafetyNet,
    saveSentToSentItems: true,
    alertOwnerWhenMajorityFail: true,
    createdAt: at,
    updatedAt: at,
    ...input,
  };
}
