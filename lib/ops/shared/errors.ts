/**
 * A failure of an operations command the user can act on (unknown consumer, a running group that could not
 * be paused). The message is complete on its own; the CLI prints it without a stack trace, exit code 1.
 * Every operation checks before it changes anything, so an OpsError always means "nothing was changed"
 * unless the message says otherwise.
 */
export class OpsError extends Error {
  override name = 'OpsError';
}
