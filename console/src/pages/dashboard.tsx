/**
 * Monitoring: mailboxes per workload and status, failing, awaiting approval, push health, item-level
 * failures, and the last 24 hours per hour. Every number links to the list behind it. The chart is
 * plain SVG: a bar per hour is a link with a text label, readable by a screen reader and the
 * keyboard, at no bundle cost (a canvas chart library would need both added back by hand).
 */
import { href } from "../router.js";
import { Loading, Page, useApi } from "../ui.js";
import { workloadNames, workloadTitles } from "./mailboxes.js";

interface Hour {
  hour: string;
  items: number;
  cycles: number;
  failed: number;
  throttled: number;
  throttleWaitSeconds: number;
  latencyAverageSeconds: number | null;
  latencyMaxSeconds: number | null;
}

interface Summary {
  at: string;
  mailboxes: { total: number; failing: number; awaitingApproval: number; byWorkload: Record<string, Record<"NotRun" | "Success" | "Failure" | "disabled", number>> };
  push: Record<string, number>;
  itemFailures: { total: number; retentionDays: number };
  perHour: Hour[];
}

function Figure({ value, label, to }: { value: number; label: string; to: string }) {
  return (
    <a class="figure" href={to} aria-label={`${value} ${label}: show them`}>
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </a>
  );
}

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** The last 24 hours, one slot each (an hour without cycles is an empty slot, not a missing one). */
function last24(hours: Hour[], at: string): Array<{ hour: string; items: number; failed: number }> {
  const byHour = new Map(hours.map((h) => [h.hour.slice(0, 13), h]));
  const end = new Date(at);
  end.setUTCMinutes(0, 0, 0);
  return Array.from({ length: 24 }, (_, i) => {
    const hour = new Date(end.getTime() - (23 - i) * 3600_000).toISOString();
    const h = byHour.get(hour.slice(0, 13));
    return { hour, items: h?.items ?? 0, failed: h?.failed ?? 0 };
  });
}

/** Bars of items synced per hour; the table below holds the same figures for a screen reader. */
function ItemsChart({ hours, at }: { hours: Hour[]; at: string }) {
  const slots = last24(hours, at);
  const max = Math.max(1, ...slots.map((h) => h.items));
  const step = 30;
  const height = 120;
  const total = slots.reduce((sum, h) => sum + h.items, 0);
  return (
    <svg class="chart" role="img" aria-label={`Items synced per hour, last 24 hours: ${total} in all, at most ${max} in an hour`} viewBox={`0 0 ${25 * step} ${height + 20}`} width={25 * step} height={height + 20}>
      <line x1={0} x2={24 * step} y1={height} y2={height} class="baseline" />
      {slots.map((h, i) => {
        const barHeight = Math.round((h.items / max) * height);
        return (
          <g key={h.hour}>
            <rect x={i * step + 3} y={height - barHeight} width={step - 6} height={barHeight} class={h.failed ? "bar bad" : "bar"}>
              <title>{`${hourLabel(h.hour)}: ${h.items} items${h.failed ? `, ${h.failed} failed cycles` : ""}`}</title>
            </rect>
            {i % 3 === 2 || i === 23 ? (
              <text x={i * step + step / 2} y={height + 14} text-anchor="middle" class="axis">
                {hourLabel(h.hour)}
              </text>
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}

export function DashboardPage() {
  const summary = useApi<Summary>("monitoring");
  const s = summary.data;
  return (
    <Page title="Monitoring">
      <Loading loaded={summary} />
      {s && (
        <>
          <div class="figures">
            <Figure value={s.mailboxes.total} label="mailboxes" to={href("mailboxes")} />
            <Figure value={s.mailboxes.failing} label="failing mailboxes" to={href("mailboxes", { status: "Failure" })} />
            <Figure value={s.mailboxes.awaitingApproval} label="awaiting approval" to={href("mailboxes", { approved: "false" })} />
            <Figure value={s.itemFailures.total} label={`item-level failures (last ${s.itemFailures.retentionDays} days)`} to={href("failures")} />
          </div>
          <table>
            <caption>Mailboxes per workload and status</caption>
            <thead>
              <tr>
                <th scope="col">Workload</th>
                <th scope="col">Success</th>
                <th scope="col">Failure</th>
                <th scope="col">Not run</th>
                <th scope="col">Disabled</th>
              </tr>
            </thead>
            <tbody>
              {workloadNames.map((w) => {
                const c = s.mailboxes.byWorkload[w]!;
                return (
                  <tr key={w}>
                    <th scope="row">{workloadTitles[w]}</th>
                    {(["Success", "Failure", "NotRun"] as const).map((status) => (
                      <td key={status}>
                        <a href={href("mailboxes", { workload: w, status })} aria-label={`${c[status]} ${workloadTitles[w]} mailboxes with status ${status}`}>
                          {c[status]}
                        </a>
                      </td>
                    ))}
                    <td>{c.disabled}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <section aria-labelledby="push-title">
            <h2 id="push-title">Push (change notifications)</h2>
            {Object.keys(s.push).length === 0 ? (
              <p>No mailbox reports push health: sync polls on its schedule.</p>
            ) : (
              <ul>
                {Object.entries(s.push).map(([label, count]) => (
                  <li key={label}>
                    {label}: {count} mailboxes
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="hours-title">
            <h2 id="hours-title">Last 24 hours</h2>
            {s.perHour.length === 0 ? <p>No cycle has run in the last 24 hours.</p> : <ItemsChart hours={s.perHour} at={s.at} />}
            <table>
              <caption>Per hour: items synced, cycles, failed and throttled cycles, delivery latency (Exchange receipt to CRM)</caption>
              <thead>
                <tr>
                  <th scope="col">Hour</th>
                  <th scope="col">Items synced</th>
                  <th scope="col">Cycles</th>
                  <th scope="col">Failed</th>
                  <th scope="col">Throttled (wait)</th>
                  <th scope="col">Latency average / max</th>
                </tr>
              </thead>
              <tbody>
                {[...s.perHour].reverse().map((h) => (
                  <tr key={h.hour}>
                    <th scope="row">{hourLabel(h.hour)}</th>
                    <td>{h.items}</td>
                    <td>{h.cycles}</td>
                    <td>{h.failed ? <a href={href("alerts", { level: "Error" })}>{h.failed}</a> : 0}</td>
                    <td>{h.throttled} ({h.throttleWaitSeconds} s)</td>
                    <td>{h.latencyAverageSeconds === null ? "—" : `${h.latencyAverageSeconds} s / ${h.latencyMaxSeconds} s`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <p class="muted">As of {new Date(s.at).toLocaleString()}. <button type="button" class="link" onClick={summary.reload}>Refresh</button></p>
        </>
      )}
    </Page>
  );
}
