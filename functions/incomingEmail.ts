/** Service Bus trigger (sessions by mailbox): one incoming email cycle for one mailbox. */
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { workloadTrigger } from "../shared/hosting/workload-trigger.js";
import { incomingEngine } from "../shared/sync/incoming/incoming-engine.js";

export const incomingEmail = workloadTrigger(incomingEngine);

defineFunction({ kind: "serviceBusQueue", name: "incomingEmail", queueName: queueNames.incoming, handler: incomingEmail });
