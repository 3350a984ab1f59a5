/** Talking to the portal's API: JSON in and out, the CSRF token on every change, errors as sentences. */

export interface Session {
  project: string;
  writes: boolean;
  authenticated: boolean;
  csrf?: string;
  loopbackOnly: boolean;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let session: Promise<Session> | undefined;

export function getSession(): Promise<Session> {
  session ??= getJson<Session>('/api/session');
  return session;
}

/** Whether changes can be made from this page, and if not, why (for the disabled buttons' note). */
export async function writeAccess(): Promise<{ ok: boolean; why?: string }> {
  const current = await getSession();
  if (!current.writes)
    return { ok: false, why: 'The portal is read-only: start it with --allow-writes to make changes.' };
  if (!current.authenticated)
    return {
      ok: false,
      why: 'Open the sign-in URL the portal printed at start (…/?token=…) to make changes.',
    };
  return { ok: true };
}

async function answer<T>(response: Response): Promise<T> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = { error: text };
  }
  if (!response.ok) {
    const error = (body as { error?: string; details?: unknown }) ?? {};
    throw new ApiError(error.error ?? `HTTP ${response.status}`, response.status, error.details);
  }
  return body as T;
}

export async function getJson<T>(url: string): Promise<T> {
  return answer<T>(await fetch(url, { headers: { accept: 'application/json' } }));
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const { csrf } = await getSession();
  return answer<T>(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-stratus-csrf': csrf ?? '' },
      body: JSON.stringify(body),
    }),
  );
}

/** `?a=1&b=2` of the defined, non-empty values. */
export function queryOf(values: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
