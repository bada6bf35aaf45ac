/** Small pieces every page shares: loading data, status in words, errors in words, progress. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "./api.js";

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload(): void;
}

/** GETs a route and reloads when it changes. */
export function useApi<T>(route: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!route) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>("GET", route).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error: error.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [route, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

const statusWords: Record<string, { icon: string; tone: string; words: string }> = {
  Success: { icon: "✔", tone: "ok", words: "Success" },
  Failure: { icon: "✖", tone: "bad", words: "Failure" },
  NotRun: { icon: "○", tone: "idle", words: "Not run" },
  Skipped: { icon: "–", tone: "idle", words: "Skipped" },
  Error: { icon: "✖", tone: "bad", words: "Error" },
  Warning: { icon: "!", tone: "warn", words: "Warning" },
  Information: { icon: "i", tone: "idle", words: "Information" },
};

/** A status as an icon and a word: never colour alone. */
export function Status({ value }: { value: string }) {
  const s = statusWords[value] ?? { icon: "•", tone: "idle", words: value };
  return (
    <span class={`status ${s.tone}`}>
      <span aria-hidden="true">{s.icon}</span> {s.words}
    </span>
  );
}

export function ErrorText({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      <strong>Error:</strong> {message}
    </p>
  );
}

export function Notice({ message }: { message?: string }) {
  return (
    <p class="notice" role="status" aria-live="polite">
      {message ?? ""}
    </p>
  );
}

export function Progress({ label, done, total }: { label: string; done: number; total: number }) {
  return (
    <div class="progress" role="status" aria-live="polite">
      <label>
        {label}: {done} of {total}
        <progress max={total} value={done} />
      </label>
    </div>
  );
}

export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Server-side sync console`;
    // Focus moves to the new page's heading, so a screen reader announces it.
    document.getElementById("page-title")?.focus();
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export function Loading({ loaded }: { loaded: Loaded<unknown> }) {
  if (loaded.error) return <ErrorText message={loaded.error} />;
  if (loaded.loading && !loaded.data) return <p role="status">Loading…</p>;
  return null;
}

/** Select with its label, for filters. */
export function Choice({ label, value, options, onChange }: { label: string; value: string; options: Array<[string, string]>; onChange(value: string): void }) {
  return (
    <label class="field">
      {label}
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map(([v, text]) => (
          <option value={v} key={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
