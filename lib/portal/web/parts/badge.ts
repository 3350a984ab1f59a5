/** A state as a word with a colour: the word carries the meaning, the colour only helps. */
import { html } from '../html.ts';

const TONE: Record<string, string> = {
  alarm: 'bad',
  ALARM: 'bad',
  warning: 'warn',
  INSUFFICIENT_DATA: 'neutral',
  idle: 'neutral',
  ok: 'good',
  OK: 'good',
};

const WORD: Record<string, string> = { INSUFFICIENT_DATA: 'no data' };

export function Badge({ state, label }: { state: string; label?: string }) {
  return html`<span class=${`badge ${TONE[state] ?? 'neutral'}`}>${label ?? WORD[state] ?? state}</span>`;
}
