/**
 * Page views for `clickstream.page-views` (schemas/clickstream/page-view.schema.json). About one in ten comes
 * from a crawler (`isBot: true`), which the sessionize consumer's filter drops. Keyed by user, as a tracker
 * would, so a user's views stay in order on one partition.
 */
import type { DemoRandom } from './random.ts';
import type { DemoGenerator, DemoRecord, DemoRecordKind } from './types.ts';

const PATHS = [
  '/',
  '/search',
  '/cart',
  '/checkout',
  '/account',
  '/help',
  '/deals',
  '/p/wireless-headphones',
  '/p/yoga-mat',
  '/c/garden',
];
const REFERRERS = [
  null,
  null,
  'https://www.google.com/search?q=shop',
  'https://news.example.org/deals',
  'not a url',
];
const BROWSERS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
];
const BOTS = ['Googlebot/2.1 (+http://www.google.com/bot.html)', 'Mozilla/5.0 (compatible; bingbot/2.0)'];

/** Schema violations that still pass `filters: [{ value: { isBot: [false] } }]`. */
const VIOLATIONS: ReadonlyArray<(view: Record<string, unknown>) => void> = [
  (view) => {
    view.durationMs = -40;
  },
  (view) => {
    delete view.userId;
  },
  (view) => {
    view.url = 'shop.example.com/cart';
  },
  (view) => {
    view.viewedAt = 'yesterday';
  },
];

export function clickstreamPageViews(random: DemoRandom, now: () => Date = () => new Date()): DemoGenerator {
  const view = (): Record<string, unknown> => {
    const isBot = random.chance(0.1);
    const value: Record<string, unknown> = {
      eventId: random.uuid(),
      userId: `u-${String(random.int(1, 500)).padStart(5, '0')}`,
      url: `https://shop.example.com${random.pick(PATHS)}`,
      referrer: random.pick(REFERRERS),
      userAgent: isBot ? random.pick(BOTS) : random.pick(BROWSERS),
      isBot,
      viewedAt: now().toISOString(),
    };
    if (random.chance(0.8)) value.durationMs = random.int(200, 120_000);
    return value;
  };

  return {
    description: 'clickstream page views (10% bots)',
    poison: ['bad-json', 'schema-violation'],
    next(seq: number, kind: DemoRecordKind): DemoRecord {
      const value = view();
      if (kind !== 'valid') {
        value.isBot = false;
        value.userAgent = BROWSERS[0];
      }
      if (kind === 'schema-violation') VIOLATIONS[seq % VIOLATIONS.length]!(value);
      const key = typeof value.userId === 'string' ? value.userId : null;
      if (kind === 'bad-json') return { key, value: `${JSON.stringify(value).slice(0, 90)},`, kind };
      return { key, value: JSON.stringify(value), kind };
    },
  };
}
