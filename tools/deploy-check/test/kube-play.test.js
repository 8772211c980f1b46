'use strict';
// kube-play.js without podman: the translation on a small rendered overlay, and the inspect
// comparison against a stand-in `podman` that prints a chosen `podman inspect` answer.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const YAML = require('yaml');

const tool = path.join(__dirname, '..', 'kube-play.js');

const rendered = `
apiVersion: v1
kind: ConfigMap
metadata: {name: api-cm, namespace: tim}
data:
  GOOD_URI: http://backend.tim.svc.cluster.local
  OTHER_NS_URI: http://backend.elsewhere.svc.cluster.local
  TARGET_PORT_URI: http://backend.tim.svc.cluster.local:8080
  routes.yaml: |
    # the backend answers here
    service: backend
    auth_service: backend:3000
---
apiVersion: v1
kind: Secret
metadata: {name: db-abc, namespace: tim}
data: {password: c2VjcmV0}
---
apiVersion: v1
kind: Service
metadata: {name: backend, namespace: tim}
spec:
  selector: {app: backend}
  ports: [{name: http, port: 80, targetPort: http}, {name: alt, port: 3000, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: tim}
spec:
  type: LoadBalancer
  selector: {app: api}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend-deploy, namespace: tim}
spec:
  replicas: 3
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      securityContext: {runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532}
      containers:
        - name: server
          image: backend:v1
          ports: [{name: http, containerPort: 9000}]
          readinessProbe: {httpGet: {path: /readyz, port: http}}
          resources: {limits: {memory: 64Mi}}
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          volumeMounts: [{name: tmp, mountPath: /tmp}]
      volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: tim}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: server
          image: api:v2
          ports: [{containerPort: 8080}, {containerPort: 9090}]
          envFrom: [{configMapRef: {name: api-cm}}]
          env:
            - name: PW
              valueFrom: {secretKeyRef: {name: db-abc, key: password}}
            - name: DATABASE_URL
              value: postgres://u:$(PW)@backend.tim.svc:80/db
`;

function translate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tim-kube-play-unit-'));
  fs.writeFileSync(path.join(dir, 'rendered.yaml'), rendered);
  const r = spawnSync('node', [tool, 'translate', '--rendered', path.join(dir, 'rendered.yaml'), '--out', path.join(dir, 'out'), '--prefix', 'tp'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'out', 'play.yaml'), 'utf8')).map((d) => d.toJS());
  const plan = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'plan.json'), 'utf8'));
  const secret = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'secrets', 'tp-db-abc.json'), 'utf8'));
  return { dir, docs, plan, secret, log: r.stdout };
}

test('translate: pods named after their Service, Service references to pod:containerPort, nothing else', () => {
  const { dir, docs, plan, secret, log } = translate();
  try {
    const pods = docs.filter((d) => d.kind === 'Pod');
    assert.deepStrictEqual(pods.map((p) => p.metadata.name).sort(), ['backend', 'edge']);
    const cm = docs.find((d) => d.kind === 'ConfigMap');
    assert.strictEqual(cm.metadata.name, 'tp-api-cm');
    assert.strictEqual(cm.data.GOOD_URI, 'http://backend:9000');
    // As on a cluster: a name in another namespace, or a port the Service lacks, does not resolve.
    assert.strictEqual(cm.data.OTHER_NS_URI, 'http://backend.elsewhere.svc.cluster.local');
    assert.strictEqual(cm.data.TARGET_PORT_URI, 'http://backend.tim.svc.cluster.local:8080');
    assert.match(log, /left as written: http:\/\/backend.tim.svc.cluster.local:8080 \(no Service backend with port 8080/);
    assert.strictEqual(cm.data['routes.yaml'], '# the backend answers here\nservice: backend:9000\nauth_service: backend:9000\n');

    const api = pods.find((p) => p.metadata.name === 'edge').spec.containers[0];
    assert.strictEqual(api.image, 'localhost/api:v2');
    assert.strictEqual(api.envFrom[0].configMapRef.name, 'tp-api-cm');
    assert.strictEqual(api.env[0].valueFrom.secretKeyRef.name, 'tp-db-abc');
    assert.strictEqual(api.env[1].value, 'postgres://u:secret@backend:9000/db');
    assert.doesNotMatch(log, /secret/, 'the password reached the log');
    // Only the LoadBalancer's target port is published, on loopback.
    assert.strictEqual(api.ports.length, 1);
    assert.strictEqual(api.ports[0].containerPort, 8080);
    assert.strictEqual(api.ports[0].hostIP, '127.0.0.1');
    assert.strictEqual(plan.published.length, 1);
    assert.strictEqual(plan.published[0].address, `127.0.0.1:${api.ports[0].hostPort}`);

    const backend = pods.find((p) => p.metadata.name === 'backend');
    const c = backend.spec.containers[0];
    assert.strictEqual(c.ports, undefined);
    assert.strictEqual(c.readinessProbe, undefined);
    const tmp = backend.spec.volumes.find((v) => v.name === 'tmp');
    assert.strictEqual(tmp.emptyDir, undefined);
    const st = fs.statSync(tmp.hostPath.path);
    assert.deepStrictEqual([st.uid, st.gid], [65532, 65532]);
    assert.deepStrictEqual(secret, { password: 'c2VjcmV0' });
    const want = plan.pods.find((p) => p.name === 'backend').containers[0];
    assert.deepStrictEqual(
      [want.user, want.group, want.readOnlyRootFilesystem, want.dropAll, want.noNewPrivileges, want.memoryLimit],
      [65532, 65532, true, true, true, 64 * 1024 * 1024],
    );
    // The probe the script runs itself: the named port resolved, aimed at the pod.
    assert.deepStrictEqual(want.readiness, { http: { host: 'backend', port: 9000, path: '/readyz' } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A stand-in podman on PATH answering `podman inspect` with the given container.
function inspectWith(container) {
  const { dir, plan } = translate();
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(dir, 'answer.json'), JSON.stringify([container]));
  fs.writeFileSync(path.join(bin, 'podman'), `#!/bin/sh\ncat '${path.join(dir, 'answer.json')}'\n`, { mode: 0o755 });
  plan.pods = plan.pods.filter((p) => p.name === 'backend');
  fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan));
  const r = spawnSync('node', [tool, 'inspect', path.join(dir, 'plan.json')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, out: r.stdout + r.stderr };
}
const asManifest = () => ({
  Config: { User: '65532:65532' },
  EffectiveCaps: [],
  HostConfig: { ReadonlyRootfs: true, SecurityOpt: ['no-new-privileges'], Memory: 64 * 1024 * 1024 },
});

test('inspect: passes when the container runs as its manifest says', () => {
  const r = inspectWith(asManifest());
  assert.strictEqual(r.code, 0, r.out);
  assert.match(r.out, /inspect: 5 of 5 settings as the manifests say/);
});

for (const [what, change, expect] of [
  ['another user', (c) => (c.Config.User = '0:0'), /runs as "0:0", the manifest says user 65532:65532/],
  ['a writable root', (c) => (c.HostConfig.ReadonlyRootfs = false), /root filesystem is writable/],
  ['a capability kept', (c) => (c.EffectiveCaps = ['CAP_NET_RAW']), /has CAP_NET_RAW/],
  ['privilege escalation allowed', (c) => (c.HostConfig.SecurityOpt = []), /may gain privileges/],
  ['no memory limit', (c) => (c.HostConfig.Memory = 0), /memory limit is 0, the manifest says memory limit 67108864/],
]) {
  test(`inspect: fails on ${what}`, () => {
    const c = asManifest();
    change(c);
    const r = inspectWith(c);
    assert.strictEqual(r.code, 1, r.out);
    assert.match(r.out, expect);
  });
}
