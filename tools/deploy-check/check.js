#!/usr/bin/env node
// Validates rendered overlays: node check.js --repo DIR NAME=rendered.yaml ...
// Every object against its schema (unknown fields rejected), then the policy rules per overlay,
// then repository-level rules (Dockerfiles, the route file copy). Exit 1 on any violation.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');
const { validateObject } = require('./schema');
const { checkOverlay, checkDockerfile, BINARIES } = require('./policy');

const args = process.argv.slice(2);
let repo = process.cwd();
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repo') repo = path.resolve(args[++i]);
  else {
    const eq = args[i].indexOf('=');
    targets.push(eq > 0 ? [args[i].slice(0, eq), args[i].slice(eq + 1)] : [path.basename(args[i], '.yaml'), args[i]]);
  }
}
const schemaDir = path.join(repo, 'kube', 'schemas');
const problems = [];
let checked = 0;

for (const [name, file] of targets) {
  const objects = [];
  YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).forEach((d, i) => {
    if (d.errors.length) return problems.push(`${name}#${i}: YAML error: ${d.errors[0].message}`);
    const o = d.toJS();
    if (o == null) return;
    objects.push(o);
    const id = `${name}: ${o.kind || '?'}/${(o.metadata && o.metadata.name) || '?'}`;
    for (const e of validateObject(o, schemaDir)) problems.push(`${id}: ${e}`);
  });
  checked += objects.length;
  for (const e of checkOverlay(name, objects, repo)) problems.push(`${name}: ${e}`);
}

// Repository rules that do not depend on an overlay.
for (const svc of Object.keys(BINARIES)) problems.push(...checkDockerfile(repo, svc).errors);
// One compile serves all four images only while their build stages are identical.
const buildStages = Object.keys(BINARIES)
  .map((svc) => path.join(repo, 'services', svc, 'Dockerfile'))
  .filter((f) => fs.existsSync(f))
  .map((f) => [path.relative(repo, f), fs.readFileSync(f, 'utf8').split(/^# --- rootfs/m)[0].replace(/^#.*\n/gm, '')]);
for (const [f, stage] of buildStages.slice(1))
  if (stage !== buildStages[0][1]) problems.push(`${f}: build stage differs from ${buildStages[0][0]}'s (the compile would run once per image)`);
const routes = path.join(repo, 'kube/overlays/emissary/routes.yaml');
const routesCopy = path.join(repo, 'kube/overlays/tim-gateway/routes.yaml');
if (fs.existsSync(routesCopy) && fs.readFileSync(routes, 'utf8') !== fs.readFileSync(routesCopy, 'utf8'))
  problems.push('kube/overlays/tim-gateway/routes.yaml differs from kube/overlays/emissary/routes.yaml (copy it over)');

// The two gateways must hand auth-svc the same headers and pass on the same ones.
const sp = path.join(repo, 'kube/overlays/gateway-api/security-policy.yaml');
if (fs.existsSync(sp) && fs.existsSync(routes)) {
  const auth = YAML.parseAllDocuments(fs.readFileSync(routes, 'utf8')).map((d) => d.toJS()).find((o) => o && o.kind === 'AuthService');
  const pol = YAML.parseAllDocuments(fs.readFileSync(sp, 'utf8')).map((d) => d.toJS()).find((o) => o && o.kind === 'SecurityPolicy');
  const norm = (l) => [...new Set((l || []).map((h) => h.toLowerCase()))].sort().join(',');
  // Emissary always sends these to the auth service (gateway-protocol.md, section 2.2).
  const fixed = ['authorization', 'cookie', 'from', 'proxy-authorization', 'user-agent', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto'];
  if (auth && pol && pol.spec.extAuth) {
    const ea = pol.spec.extAuth;
    if (norm(ea.http && ea.http.headersToBackend) !== norm(auth.spec.allowed_authorization_headers))
      problems.push('SecurityPolicy headersToBackend differs from the AuthService allowed_authorization_headers');
    if (norm(ea.headersToExtAuth) !== norm([...fixed, ...(auth.spec.allowed_request_headers || [])]))
      problems.push("SecurityPolicy headersToExtAuth differs from Emissary's fixed list plus allowed_request_headers");
  }
}

for (const p of problems) console.log(`FAIL ${p}`);
console.log(`${targets.length} overlays, ${checked} objects, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
