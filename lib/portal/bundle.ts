/**
 * The front end (lib/portal/web) bundled in memory by the esbuild the project already runs on (no build step,
 * no framework toolchain): one minified script and one stylesheet, each kept with its gzip form and an ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const WEB = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');

export interface Asset {
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** `/`, `/app.js` and `/app.css`. */
export type Assets = Map<string, Asset>;

export async function bundleFrontEnd(): Promise<Assets> {
  const result = await build({
    entryPoints: { app: path.join(WEB, 'main.ts') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    outdir: '/portal',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets: Assets = new Map();
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    const type = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    assets.set(`/${name}`, asset(type, Buffer.from(file.contents)));
  }
  assets.set('/', asset('text/html; charset=utf-8', readFileSync(path.join(WEB, 'index.html'))));
  return assets;
}

function asset(contentType: string, body: Buffer): Asset {
  return {
    contentType,
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
  };
}
