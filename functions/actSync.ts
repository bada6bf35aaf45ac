/** Service Bus trigger (sessions by mailbox): one appointments/contacts/tasks cycle for one mailbox. */
import { queueNames } from "../shared/config/names.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { workloadTrigger } from "../shared/hosting/workload-trigger.js";
import { actEngine } from "../shared/sync/act/act-engine.js";

export const actSync = workloadTrigger(actEngine);

defineFunction({ kind: "serviceBusQueue", name: "actSync", queueName: queueNames.act, handler: actSync });
