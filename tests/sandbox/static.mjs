// Static files for the demo origin: www/ at /, and the built npm package (pkg/) at
// /node_modules/smart-wasm/, where the demo's import map finds it as an npm user's bundler would.
// SANDBOX_PKG names another build of the package (an earlier commit's, to show a test fails there).
import express from 'express';
import path from 'node:path';

export function staticFiles(root) {
  const router = express.Router();
  const noCache = { etag: false, lastModified: false, setHeaders: (res) => res.set('Cache-Control', 'no-store') };
  router.use('/node_modules/smart-wasm', express.static(process.env.SANDBOX_PKG || path.join(root, 'pkg'), noCache));
  // The benchmark pages (bench/) and fhirclient.js's browser build, for side-by-side runs.
  router.use('/bench', express.static(path.join(root, 'bench', 'pages'), noCache));
  router.use('/node_modules/fhirclient', express.static(path.join(root, 'node_modules', 'fhirclient', 'build'), noCache));
  router.use(express.static(path.join(root, 'www'), noCache));
  return router;
}
