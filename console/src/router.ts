/** Hash routes (#/mailboxes?status=Failure): the page and its filters, bookmarkable, no server routes. */
import { useEffect, useState } from "preact/hooks";

export interface Route {
  page: string;
  params: URLSearchParams;
}

function current(): Route {
  const [path, search] = location.hash.replace(/^#\/?/, "").split("?");
  return { page: path || "dashboard", params: new URLSearchParams(search ?? "") };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const update = () => setRoute(current());
    addEventListener("hashchange", update);
    return () => removeEventListener("hashchange", update);
  }, []);
  return route;
}

export function href(page: string, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return `#/${page}${query ? `?${query}` : ""}`;
}

/** Changes the filters of the page shown (they stay in the address, so the list can be shared). */
export function setParams(page: string, params: Record<string, string | undefined>): void {
  location.hash = href(page, params);
}
