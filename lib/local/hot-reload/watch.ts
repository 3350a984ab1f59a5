/**
 * Watches directories (not files: editors save by writing a new file and renaming it over the old one) and
 * reports the changed paths once a burst of events has settled, with the time of the burst's first event.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

export interface DirectoryWatch {
  /** Watch exactly these directories from now on. */
  set(dirs: Iterable<string>): void;
  close(): void;
}

/** Editor droppings that are not the file itself. */
const IGNORED = /(^\.|~$|\.swp$|\.swx$|\.tmp$|^4913$)/;

export function watchDirectories(
  onChange: (files: string[], firstEventAt: number) => void,
  settleMs = 100,
): DirectoryWatch {
  const watchers = new Map<string, FSWatcher>();
  let pending = new Set<string>();
  let firstAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    const files = [...pending];
    pending = new Set();
    timer = undefined;
    onChange(files, firstAt);
  };
  return {
    set(dirs) {
      const wanted = new Set([...dirs].filter((dir) => existsSync(dir)));
      for (const [dir, watcher] of watchers)
        if (!wanted.has(dir)) {
          watcher.close();
          watchers.delete(dir);
        }
      for (const dir of wanted) {
        if (watchers.has(dir)) continue;
        const watcher = watch(dir, (_event, name) => {
          if (!name || IGNORED.test(String(name))) return;
          if (pending.size === 0) firstAt = Date.now();
          pending.add(path.join(dir, String(name)));
          clearTimeout(timer);
          timer = setTimeout(flush, settleMs);
        });
        watcher.on('error', () => watchers.delete(dir));
        watchers.set(dir, watcher);
      }
    },
    close() {
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
