/** The overview pushed by the server after every live refresh (server-sent events), shared by every page. */
import { useEffect, useState } from 'preact/hooks';
import type { Overview } from '../../views.ts';

let source: EventSource | undefined;
let latest: Overview | undefined;
const listeners = new Set<(overview: Overview) => void>();

function connect(): void {
  if (source) return;
  source = new EventSource('/api/events');
  source.addEventListener('overview', (event) => {
    latest = JSON.parse((event as MessageEvent<string>).data) as Overview;
    for (const listener of listeners) listener(latest);
  });
}

/** The latest overview, re-rendering on every update. */
export function useLive(): Overview | undefined {
  const [value, setValue] = useState<Overview | undefined>(latest);
  useEffect(() => {
    connect();
    listeners.add(setValue);
    return () => listeners.delete(setValue);
  }, []);
  return value;
}
