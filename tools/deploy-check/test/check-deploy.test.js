'use strict';
// scripts/check-deploy.sh passes on the repository and fails on each deliberately broken copy.
const { test, describe } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const repo = path.resolve(__dirname, '../../..');
const brokenDeploys = require('../broken-deploys');
const script = path.join(repo, 'scripts/check-deploy.sh');

// A copy of what the check reads: kube/ and the Dockerfiles.
function brokenCopy(edit) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tim-deploy-check-'));
  fs.cpSync(path.join(repo, 'kube'), path.join(dir, 'kube'), { recursive: true });
  for (const svc of fs.readdirSync(path.join(repo, 'services'))) {
    const df = path.join(repo, 'services', svc, 'Dockerfile');
    if (fs.existsSync(df)) {
      fs.mkdirSync(path.join(dir, 'services', svc), { recursive: true });
      fs.copyFileSync(df, path.join(dir, 'services', svc, 'Dockerfile'));
    }
  }
  edit((rel, fn) => {
    const f = path.join(dir, rel);
    const before = fs.readFileSync(f, 'utf8');
    const after = fn(before);
    assert.notStrictEqual(after, before, `edit of ${rel} changed nothing`);
    fs.writeFileSync(f, after);
  }, dir);
  return dir;
}

function run(dir) {
  const r = spawnSync('bash', [script], { env: { ...process.env, TIM_REPO: dir }, encoding: 'utf8' });
  if (dir !== repo) fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, out: r.stdout + r.stderr };
}

function runAsync(dir) {
  return new Promise((resolve) => {
    const child = spawn('bash', [script], { env: { ...process.env, TIM_REPO: dir } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}

test('the repository passes', () => {
  const r = run(repo);
  assert.strictEqual(r.code, 0, r.out);
  assert.match(r.out, / 0 problems/);
});

const cases = [
  ['a typo in a Deployment field (replcas)', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace('  replicas: 3', '  replcas: 3'), /unknown field "spec.replcas"/],
  ['a wrong type (containerPort "eighty")', 'kube/base/expected-date-svc/deployment.yaml', (s) => s.replace('containerPort: 8080', 'containerPort: eighty'), /containerPort must be integer/],
  ['a typo in an Emissary Mapping (prefx)', 'kube/overlays/emissary/routes.yaml', (s) => s.replace('  prefix: /invoices/', '  prefx: /invoices/'), /additional properties "prefx"|required property 'prefix'/],
  ['an unknown field in an HTTPRoute', 'kube/overlays/gateway-api/httproute.yaml', (s) => s.replace('      timeouts:', '      timeoutz:'), /additional properties "timeoutz"/],
  ['a bad enum in a BackendTrafficPolicy', 'kube/overlays/gateway-api/backend-traffic-policy.yaml', (s) => s.replace('- connect-failure', '- sometimes'), /must be equal to one of the allowed values/],
  ['a writable root filesystem', 'kube/base/invoices-svc/deployment.yaml', (s) => s.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'), /readOnlyRootFilesystem must be true/],
  ['capabilities not dropped', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace('- ALL', '- NET_RAW'), /capabilities must drop ALL/],
  ['a missing liveness probe', 'kube/base/expected-date-svc/deployment.yaml', (s) => s.replace(/ {10}livenessProbe:\n(?: {12}.*\n)+/, ''), /no livenessProbe/],
  ['a probe on a path the binary does not serve', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace('path: /readyz', 'path: /ready'), /readinessProbe path \/ready, the binary serves \/readyz/],
  ['missing limits', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace(/ {12}limits:\n {14}cpu: 500m\n/, ' '.repeat(12) + 'limits:\n'), /resources.limits.cpu missing/],
  ['no seccomp profile', 'kube/base/expected-date-svc/deployment.yaml', (s) => s.replace(/ {8}seccompProfile:\n {10}type: RuntimeDefault\n/, ''), /seccompProfile must be RuntimeDefault/],
  ['a Deployment without a PodDisruptionBudget', 'kube/base/expected-date-svc/kustomization.yaml', (s) => s.replace('  - pdb.yaml\n', ''), /no PodDisruptionBudget selects its pods/],
  ['a Deployment without an HPA', 'kube/base/invoices-svc/kustomization.yaml', (s) => s.replace('  - hpa.yaml\n', ''), /no HorizontalPodAutoscaler targets it/],
  ['a grace period shorter than the drain', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace('terminationGracePeriodSeconds: 20', 'terminationGracePeriodSeconds: 5'), /does not cover DRAIN_DELAY_MS/],
  ['a required variable missing (TOKEN)', 'kube/base/auth-svc/deployment.yaml', (s) => s.replace('- name: TOKEN', '- name: TOKEM'), /auth_svc needs TOKEN/],
  ['EXPECTED_DATE_URI in the wrong namespace', 'kube/base/invoices-svc/kustomization.yaml', (s) => s.replace('expected-date-svc.tim.svc', 'expected-date-svc.tim.svc.example'), /EXPECTED_DATE_URI host/],
  ['a Service that selects nothing', 'kube/base/auth-svc/service.yaml', (s) => s.replace(/selector:\n {4}app: auth-svc/, 'selector:\n    app: auth'), /selects no workload/],
  ['an image no Dockerfile builds', 'kube/base/expected-date-svc/deployment.yaml', (s) => s.replace('image: expected_date_svc', 'image: expected-date'), /neither built by services/],
  ['expected-date-svc open to the gateway', 'kube/components/network-policies/expected-date-svc.yaml', (s) => s.replace('app: invoices-svc', 'app: gateway'), /gateway->expected-date-svc:8080 is allowed|invoices-svc->expected-date-svc:8080 is denied/],
  ['postgres open to everyone in the namespace', 'kube/components/network-policies/postgres.yaml', (s) => s.replace(/ {2}ingress:\n[\s\S]*$/, '  ingress:\n    - {}\n'), /stranger-elsewhere->postgres:5432 is allowed/],
  ['Prometheus not let in', 'kube/components/network-policies/kustomization.yaml', (s) => s.replace('  - allow-prometheus.yaml\n', ''), /prometheus->invoices-svc:8080 is denied/],
  ['the whole monitoring namespace let in', 'kube/components/network-policies/allow-prometheus.yaml', (s) => s.replace(/ {10}podSelector:\n {12}matchLabels:\n {14}app.kubernetes.io\/name: prometheus\n/, ''), /stranger-in-monitoring-namespace->auth-svc:8080 is allowed/],
  ['a scrape hint on the wrong port', 'kube/base/expected-date-svc/deployment.yaml', (s) => s.replace('prometheus.io/port: "8080"', 'prometheus.io/port: "9090"'), /prometheus.io\/port 9090 is not the port 8080 serving \/metrics/],
  ['no DNS egress', 'kube/components/network-policies/kustomization.yaml', (s) => s.replace('  - allow-dns.yaml\n', ''), /->kube-dns:53 is denied/],
  ['a Dockerfile whose final stage runs as root', 'services/auth_svc/Dockerfile', (s) => s.replace('USER 65532:65532', 'USER root'), /numeric non-root USER/],
  ['a Dockerfile with a shell-form ENTRYPOINT', 'services/gateway/Dockerfile', (s) => s.replace('ENTRYPOINT ["/usr/local/bin/gateway"]', 'ENTRYPOINT /usr/local/bin/gateway'), /ENTRYPOINT must be exec form/],
  ['build stages that drifted apart', 'services/invoices_svc/Dockerfile', (s) => s.replace('--output-on-failure', '--output-on-failure -j2'), /build stage differs/],
  ['auth header lists that differ between the two gateways', 'kube/overlays/gateway-api/security-policy.yaml', (s) => s.replace('        - retry-after\n', ''), /headersToBackend differs/],
  ['a route file copy that drifted', 'kube/overlays/tim-gateway/routes.yaml', (s) => s.replace('timeout_ms: 3000', 'timeout_ms: 4000'), /differs from kube\/overlays\/emissary\/routes.yaml/],
  ['an opt-in component that breaks auth-svc (JWKS without audience)', 'kube/components/auth-jwt/kustomization.yaml', (s) => s.replace('      - JWT_AUDIENCE=tim\n', ''), /needs JWT_AUDIENCE too/],
  ['the invoices Mapping without the AuthService', 'kube/overlays/emissary/routes.yaml', (s) => s.replace('  service: invoices-svc\n  timeout_ms: 3000\n', '  service: invoices-svc\n  timeout_ms: 3000\n  bypass_auth: true\n'), /bypass_auth: true routes to invoices-svc without the AuthService/],
  ['an unguarded HTTPRoute to invoices-svc', 'kube/overlays/gateway-api/httproute-app.yaml', (s) => s.replace('        - name: webapp\n', '        - name: invoices-svc\n'), /no SecurityPolicy guards it, yet it routes to invoices-svc/],
  ["the app's files open to every pod", 'kube/components/network-policies/webapp.yaml', (s) => s.replace(/ {2}ingress:\n[\s\S]*$/, '  ingress:\n    - {}\n'), /stranger-elsewhere->webapp:8080 is allowed/],
  // The retraining CronJob (kube/components/retrain, rendered in the all-components overlay).
  ['a CronJob init container without limits', 'kube/components/retrain/cronjob.yaml', (s) => s.replace(/ {16}limits:\n {18}cpu: 200m\n {18}memory: 64Mi\n/, ''), /CronJob\/tim\/expected-date-retrain initContainer export: resources.limits.cpu missing/],
  ['a CronJob running as root', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('runAsNonRoot: true\n            runAsUser: 65532', 'runAsUser: 0'), /CronJob\/tim\/expected-date-retrain container train: runAsNonRoot must be true[\s\S]*runAsUser must not be 0/],
  ['a CronJob with concurrencyPolicy Allow', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('concurrencyPolicy: Forbid', 'concurrencyPolicy: Allow'), /CronJob\/tim\/expected-date-retrain: concurrencyPolicy Allow: must be Forbid/],
  ['a CronJob without a deadline', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('      activeDeadlineSeconds: 1800\n', ''), /CronJob\/tim\/expected-date-retrain: jobTemplate.spec.activeDeadlineSeconds must be set/],
  ['a CronJob keeping every failed job', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('  failedJobsHistoryLimit: 3\n', ''), /CronJob\/tim\/expected-date-retrain: failedJobsHistoryLimit must be set to at most 10/],
  ["a CronJob's init container keeping its capabilities", 'kube/components/retrain/cronjob.yaml', (s) => s.replace('                capabilities:\n                  drop:\n                    - ALL\n', ''), /CronJob\/tim\/expected-date-retrain initContainer export: capabilities must drop ALL/],
  ['a CronJob with a writable root filesystem', 'kube/components/retrain/cronjob.yaml', (s) => s.replace(/(name: train[\s\S]*?)readOnlyRootFilesystem: true/, '$1readOnlyRootFilesystem: false'), /CronJob\/tim\/expected-date-retrain container train: readOnlyRootFilesystem must be true/],
  ['a CronJob without a seccomp profile', 'kube/components/retrain/cronjob.yaml', (s) => s.replace(/ {12}seccompProfile:\n {14}type: RuntimeDefault\n/, ''), /CronJob\/tim\/expected-date-retrain initContainer export: seccompProfile must be RuntimeDefault/],
  ['a CronJob that mounts the service-account token', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('automountServiceAccountToken: false', 'automountServiceAccountToken: true'), /CronJob\/tim\/expected-date-retrain: automountServiceAccountToken must be false/],
  ['a CronJob on an unpinned curl image', 'kube/components/retrain/cronjob.yaml', (s) => s.replace('curlimages/curl:8.5.0', 'curlimages/curl:latest'), /initContainer export: image curlimages\/curl:latest is not pinned/],
  ['a CronJob whose pods no NetworkPolicy lets out', 'kube/components/retrain/cronjob.yaml', (s) => s.replace(/(template:\n {8}metadata:\n {10}labels:\n {12})app: expected-date-retrain/, '$1app: retrain'), /expected-date-retrain->invoices-svc:8080 is denied/],
  ['invoices-svc opened to every namespace for the retraining', 'kube/components/retrain/network-policy.yaml', (s) => s.replace(/ {8}- podSelector:\n {12}matchLabels:\n {14}app: expected-date-retrain\n/, '        - namespaceSelector: {}\n'), /stranger-elsewhere->invoices-svc:8080 is allowed/],
  ['a kustomization that does not render', 'kube/overlays/emissary/kustomization.yaml', (s) => s.replace('  - listener.yaml\n', '  - listener-missing.yaml\n'), /FAIL kustomize overlays\/emissary/],
];

// Each case is a separate run of the whole check (about 2 s); run a few at once.
describe('broken copies', { concurrency: 4 }, () => {
  for (const [name, file, edit, expect] of cases) {
    test(`fails on ${name}`, async () => {
      const dir = brokenCopy((change) => change(file, edit));
      const r = await runAsync(dir);
      assert.notStrictEqual(r.code, 0, `check passed on ${name}:\n${r.out}`);
      assert.match(r.out, expect, r.out);
    });
  }
  // The mistakes scripts/kube-play.sh also plays (test-play/): caught here already, offline.
  for (const [name, edits, expect] of brokenDeploys) {
    test(`fails on ${name}`, async () => {
      const dir = brokenCopy((change) => edits.forEach(([file, edit]) => change(file, edit)));
      const r = await runAsync(dir);
      assert.notStrictEqual(r.code, 0, `check passed on ${name}:\n${r.out}`);
      assert.match(r.out, expect, r.out);
    });
  }
});
