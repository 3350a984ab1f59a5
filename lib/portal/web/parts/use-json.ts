/** Fetches JSON for a page and again whenever `refresh` changes; keeps the last good answer meanwhile. */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.ts';

export function useJson<T>(url: string, refresh?: unknown): { data?: T; error?: string } {
  const [state, setState] = useState<{ data?: T; error?: string; url?: string }>({});
  useEffect(() => {
    let current = true;
    getJson<T>(url)
      .then((data) => current && setState({ data, url }))
      .catch((error: Error) => current && setState((before) => ({ ...before, error: error.message, url })));
    return () => {
      current = false;
    };
  }, [url, refresh]);
  return state.url === url ? state : {};
}
