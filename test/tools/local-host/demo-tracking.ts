/**
 * What the demo tenant tracks, seeded once into the product's store: customers at two of the demo
 * mail flow's domains are CRM contacts (with their accounts), one more domain's people are leads,
 * the mailbox owners take turns over three track options, and a few CRM emails go out to known
 * contacts so that their replies (sent by the mail flow) correlate to them and inherit their
 * opportunity; Fabrikam's mail to the second mailbox is filed in a tracked folder regarding the
 * Fabrikam account. Everything else the flow delivers — most customers, colleagues' notes — stays in
 * Exchange and out of the CRM: each cycle's log counts it as untracked.
 */
import { createEmail, sendEmail } from "../../../shared/api/crm-email-api.js";
import { putTrackedFolder } from "../../../shared/api/tracked-folder-api.js";
import type { ContactFields } from "../../../shared/domain/act-records.js";
import type { TrackOption } from "../../../shared/domain/tracking/track-options.js";
import type { Runtime } from "../../../shared/runtime.js";
import { customerAddress, customerDomains, firstNames } from "../exchange-simulator/demo.js";
import { mailboxIdFor, type LocalMailbox } from "./demo-tenant.js";

/** Customers at these domains are contacts (Fabrikam, Northwind) and leads (Litware). */
const contactDomains = [customerDomains[0]!, customerDomains[1]!];
const leadDomain = customerDomains.find((d) => d.startsWith("litware")) ?? customerDomains[5]!;
const accountNames: Record<string, string> = { [customerDomains[0]!]: "Fabrikam", [customerDomains[1]!]: "Northwind Traders" };

/** Owners in turn: mail from known contacts, replies to CRM mail only (the default), any email-enabled record. */
const ownerOptions: Array<TrackOption | null> = ["fromLeadsContactsAccounts", null, "fromEmailEnabledRecords"];

/** CRM emails the demo sends at its first start (one per mailbox, at most this many). */
const crmEmailsSent = 4;

export interface DemoTrackingSummary {
  contacts: number;
  leads: number;
  crmEmails: number;
}

/**
 * Maps the demo's folder to the Fabrikam account, through the API's own path (which checks the
 * folder in Exchange). Mapping it again on a restart answers "tracked already" and changes nothing.
 */
export async function trackDemoFolder(runtime: Runtime, folder: { mailbox: LocalMailbox; folderId: string; domain: string }): Promise<void> {
  await putTrackedFolder(runtime, mailboxIdFor(folder.mailbox.address), folder.folderId, { regarding: { type: "account", id: `demo-account-${folder.domain.split(".")[0]}` } });
}

/** A one-page PDF that says which quote it is: the demo's CRM emails carry one. */
function quotePdf(n: number): string {
  const text = `Quote ${n}`;
  const stream = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1").toString("base64");
}

/** Idempotent: records have fixed ids, and the CRM emails go out only on the run that created the records. */
export async function seedDemoTracking(runtime: Runtime, mailboxes: LocalMailbox[]): Promise<DemoTrackingSummary> {
  if (mailboxes.length === 0) return { contacts: 0, leads: 0, crmEmails: 0 };
  const owner = mailboxIdFor(mailboxes[0]!.address);
  const at = new Date(runtime.now()).toISOString();
  const base = { ownerId: owner, createdAt: at, modifiedAt: at, version: 1 };
  let created = 0;
  for (const domain of contactDomains) {
    const account = { ...base, type: "account" as const, id: `demo-account-${domain.split(".")[0]}`, fields: { name: accountNames[domain]!, emails: [{ address: `info@${domain}` }], status: "active" as const } };
    await runtime.partyRecords.create(account);
    for (const first of firstNames) {
      const fields: ContactFields = { firstName: first, lastName: accountNames[domain]!.split(" ")[0]!, emails: [{ address: customerAddress(first, domain) }], company: accountNames[domain], status: "active" };
      if (await runtime.actRecords.create({ ...base, type: "contact", id: `demo-contact-${first.toLowerCase()}-${domain.split(".")[0]}`, fields })) created++;
    }
  }
  for (const first of firstNames.slice(0, 8)) {
    const lead = { ...base, type: "lead" as const, id: `demo-lead-${first.toLowerCase()}`, fields: { firstName: first, lastName: "Prospect", company: "Litware", emails: [{ address: customerAddress(first, leadDomain) }], status: "open" as const } };
    await runtime.partyRecords.create(lead);
  }
  for (const [i, mailbox] of mailboxes.entries()) {
    const trackOption = ownerOptions[i % ownerOptions.length];
    await runtime.ownerTracking.put(mailboxIdFor(mailbox.address), { ...(trackOption ? { trackOption } : {}), autoCreateRecords: false, updatedAt: at });
  }
  // Only on the run that made the records: a restart on the same data does not send them again.
  const senders = created > 0 ? mailboxes.slice(0, crmEmailsSent) : [];
  for (const [i, sender] of senders.entries()) {
    const first = firstNames[i % firstNames.length]!;
    const email = await createEmail(runtime, {
      senderMailboxId: mailboxIdFor(sender.address),
      to: [{ address: customerAddress(first, contactDomains[0]!), name: `${first} ${accountNames[contactDomains[0]!]}` }],
      subject: `Your quote for the ${["pump upgrade", "support renewal", "fleet sensors", "training package"][i % 4]}`,
      body: { contentType: "html", content: `<p>Dear ${first},</p><p>Please find our quote below. Let me know if the delivery date suits you.</p>` },
      regarding: { type: "opportunity", id: `demo-opportunity-${i + 1}` },
      attachments: [{ name: `quote-${i + 1}.pdf`, contentType: "application/pdf", contentBytes: quotePdf(i + 1) }],
    });
    await sendEmail(runtime, email.id, {});
  }
  return { contacts: contactDomains.length * firstNames.length, leads: 8, crmEmails: senders.length };
}
