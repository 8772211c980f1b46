'use strict';
// policy.js on run-to-completion pods: a plain Job (spec.template) gets the pod- and
// container-level rules, init containers included, but no serving rules (probes, PDB, HPA).
const { test } = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { checkOverlay } = require('../policy');

const repo = path.resolve(__dirname, '../../..');
const secure = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const resources = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } };
const container = (name) => ({ name, image: 'curlimages/curl:8.5.0', securityContext: { ...secure }, resources: JSON.parse(JSON.stringify(resources)) });
function job() {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'export', namespace: 'tim' },
    spec: {
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: 'export' } },
        spec: { restartPolicy: 'Never', automountServiceAccountToken: false, initContainers: [container('fetch')], containers: [container('copy')] },
      },
    },
  };
}
// 'unit' is no overlay with a gateway: the NetworkPolicy evaluation is not run.
const check = (...objects) => checkOverlay('unit', objects, repo);

test('a sound Job passes without probes, PDB or HPA', () => {
  assert.deepStrictEqual(check(job()), []);
});

test("a Job's init container without limits fails", () => {
  const j = job();
  delete j.spec.template.spec.initContainers[0].resources.limits;
  assert.deepStrictEqual(check(j), ['Job/tim/export initContainer fetch: resources.limits.cpu missing', 'Job/tim/export initContainer fetch: resources.limits.memory missing']);
});

test('a Job running as root fails', () => {
  const j = job();
  j.spec.template.spec.containers[0].securityContext = { ...secure, runAsNonRoot: false, runAsUser: 0 };
  assert.deepStrictEqual(check(j), ['Job/tim/export container copy: runAsNonRoot must be true', 'Job/tim/export container copy: runAsUser must not be 0']);
});

test('a Job without a deadline fails', () => {
  const j = job();
  delete j.spec.activeDeadlineSeconds;
  assert.deepStrictEqual(check(j), ['Job/tim/export: spec.activeDeadlineSeconds must be set']);
});

test('a Job without a namespace fails', () => {
  const j = job();
  delete j.metadata.namespace;
  assert.deepStrictEqual(check(j), ['Job//export: has no namespace']);
});

test("a Deployment's init container gets the container rules too", () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'tim' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { automountServiceAccountToken: false, initContainers: [container('init')], containers: [] } } },
  };
  d.spec.template.spec.initContainers[0].securityContext.privileged = true;
  assert.ok(check(d).includes('Deployment/tim/web initContainer init: must not be privileged'), check(d).join('\n'));
});
