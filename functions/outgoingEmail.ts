/** Service Bus trigger (sessions by mailbox): one outgoing email cycle — send the mailbox's Pending Send email. */
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { workloadTrigger } from "../shared/hosting/workload-trigger.js";
import { outgoingEngine } from "../shared/sync/outgoing/outgoing-engine.js";

export const outgoingEmail = workloadTrigger(outgoingEngine);

defineFunction({ kind: "serviceBusQueue", name: "outgoingEmail", queueName: queueNames.outgoing, handler: outgoingEmail });
