/**
 * Sessionisation, the clickstream team's business logic: pure functions, no SDK. Types mirror
 * schemas/clickstream/page-view.schema.json and session-view.schema.json.
 */
import { createHash } from 'node:crypto';

export interface PageView {
  eventId: string;
  userId: string;
  url: string;
  referrer?: string | null;
  userAgent?: string;
  isBot: boolean;
  durationMs?: number;
  viewedAt: string;
}

export interface SessionView {
  eventId: string;
  userId: string;
  sessionId: string;
  url: string;
  path: string;
  referrerHost: string | null;
  durationMs?: number;
  viewedAt: string;
}

/** Sessions are fixed 30-minute windows per user: cheap, stateless and the same on every retry. */
export const SESSION_WINDOW_MS = 30 * 60 * 1000;

/** Stable across processes and replays: a hash of the user and the window the view falls into. */
export function sessionIdOf(userId: string, viewedAt: string): string {
  const window = Math.floor(Date.parse(viewedAt) / SESSION_WINDOW_MS);
  return createHash('sha256').update(`${userId}\u0000${window}`).digest('hex').slice(0, 32);
}

/** The host of a referrer URL; `null` when there is none or it is not a URL (referrers are free text). */
export function referrerHostOf(referrer: string | null | undefined): string | null {
  if (!referrer) return null;
  try {
    return new URL(referrer).host || null;
  } catch {
    return null;
  }
}

/** The sessionised view, or `undefined` for bots (the event-source filter drops them already; belt and braces). */
export function sessionize(view: PageView): SessionView | undefined {
  if (view.isBot) return undefined;
  const session: SessionView = {
    eventId: view.eventId,
    userId: view.userId,
    sessionId: sessionIdOf(view.userId, view.viewedAt),
    url: view.url,
    path: new URL(view.url).pathname,
    referrerHost: referrerHostOf(view.referrer),
    viewedAt: view.viewedAt,
  };
  if (view.durationMs !== undefined) session.durationMs = view.durationMs;
  return session;
}
