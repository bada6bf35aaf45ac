/** Email server profile: connection and polling settings shared by many mailboxes. */

export interface PollingBounds {
  minSeconds: number;
  defaultSeconds: number;
  maxSeconds: number;
}

export interface EmailServerProfile {
  id: string;
  name: string;
  /** Lower bound on received time for incoming mail, for every mailbox of the profile. */
  processEmailsFrom?: string;
  incomingPolling: PollingBounds;
  createdAt: string;
  updatedAt: string;
}

/** Server-side sync's incoming schedule: about 5 minutes, 2 for busy mailboxes, 12 for quiet ones. */
export const defaultIncomingPolling: PollingBounds = { minSeconds: 120, defaultSeconds: 300, maxSeconds: 720 };
