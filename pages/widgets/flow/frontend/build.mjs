// Builds the canvas component into ../build, the directory pages/widgets/flow/__init__.py
// declares: `npm ci && npm run build` (under a second after the install). The output is committed,
// so neither CI nor a user needs node; rebuild and commit it with every change under src/.
import * as esbuild from 'esbuild';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'build');
fs.rmSync(out, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [path.join(here, 'src', 'index.jsx')],
  outdir: out,
  entryNames: 'index',
  assetNames: 'media/[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  jsx: 'automatic',
  loader: { '.js': 'jsx', '.woff': 'file', '.woff2': 'file' },
  define: { 'process.env.NODE_ENV': '"production"' },
  // The bundled libraries' licence notices, in index.js.LEGAL.txt beside the bundle.
  legalComments: 'linked',
  logLevel: 'warning',
});
fs.writeFileSync(
  path.join(out, 'index.html'),
  '<!doctype html>\n<html lang="en"><head><meta charset="UTF-8"/><title>Workflow canvas</title>' +
    '<link rel="stylesheet" href="./index.css"/><script defer src="./index.js"></script></head>' +
    '<body><div id="root"></div></body></html>\n',
);
