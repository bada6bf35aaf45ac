/**
 * The simulator as the identity platform of the product's API: the tokens it signs validate with
 * the keys it publishes, through the product's own validation (as the local host uses them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenAuthentication } from "../../shared/auth/token-authentication.js";
import { startExchangeSimulator, type ExchangeSimulator } from "../tools/exchange-simulator/index.js";

let sim: ExchangeSimulator;
let tenantId: string;
const audience = "146146fc-a035-450b-bf5e-42548939674a";

beforeAll(async () => {
  sim = await startExchangeSimulator();
  tenantId = sim.addTenant();
});
afterAll(async () => {
  await sim?.close();
});

describe("API tokens of the simulated tenant", () => {
  it("a user's token and an application's token validate against the published keys, with their claims", async () => {
    const auth = tokenAuthentication({ authorityHost: sim.url, tenantId, audience }, { keyRefetchCooldownMs: 0 });
    const user = await auth.authenticate(`Bearer ${sim.issueApiToken({ tenantId, audience, roles: ["Sync.Approver"], user: { name: "Megan Bowen", objectId: "u-1", directoryRoles: ["62e90394-69f5-4237-9190-012177145e10"] } })}`);
    expect(user).toEqual({ kind: "user", objectId: "u-1", name: "Megan Bowen", tenantId, roles: ["Sync.Approver"], directoryRoles: ["62e90394-69f5-4237-9190-012177145e10"] });
    const app = await auth.authenticate(`Bearer ${sim.issueApiToken({ tenantId, audience, roles: ["Records.ReadWrite"], app: { clientId: "crm" } })}`);
    expect(app).toMatchObject({ kind: "app", name: "application crm", roles: ["Records.ReadWrite"], directoryRoles: [] });
  });

  it("after a key rollover both the previous key's tokens and the new key's validate", async () => {
    const auth = tokenAuthentication({ authorityHost: sim.url, tenantId, audience }, { keyRefetchCooldownMs: 0 });
    const before = sim.issueApiToken({ tenantId, audience, roles: ["Monitor.Read"], app: { clientId: "ops" } });
    await auth.authenticate(`Bearer ${before}`);
    sim.rotateApiSigningKey();
    const after = sim.issueApiToken({ tenantId, audience, roles: ["Monitor.Read"], app: { clientId: "ops" } });
    expect(JSON.parse(Buffer.from(after.split(".")[0]!, "base64url").toString()).kid).not.toBe(JSON.parse(Buffer.from(before.split(".")[0]!, "base64url").toString()).kid);
    await expect(auth.authenticate(`Bearer ${after}`)).resolves.toMatchObject({ roles: ["Monitor.Read"] });
    await expect(auth.authenticate(`Bearer ${before}`)).resolves.toMatchObject({ roles: ["Monitor.Read"] });
  });

  it("issues tokens only for its tenants, and for a user or an application", () => {
    expect(() => sim.issueApiToken({ tenantId: "0b5c1a2d-0000-4000-8000-00000000beef", audience, app: { clientId: "x" } })).toThrow(/not found/);
    expect(() => sim.issueApiToken({ tenantId, audience })).toThrow(/either user or app/);
  });
});
