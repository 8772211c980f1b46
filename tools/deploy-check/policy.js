'use strict';
// Policy rules over one rendered overlay: what a platform team asks of every workload, plus the
// facts our binaries depend on (ports, probe paths, env vars) and the tutorial's call graph.
const fs = require('fs');
const path = require('path');

// What each binary serves and reads (see ARCHITECTURE.md and the services' config docs).
const SERVED = { readiness: '/readyz', liveness: '/healthz', metrics: '/metrics' };
// libs/http/src/server.cpp (every service) and libs/core (LOG_LEVEL).
const COMMON_ENV = [
  'PORT', 'HOST', 'LOG_LEVEL', 'DRAIN_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS', 'IO_THREADS', 'MAX_CONNECTIONS', 'MAX_HEADER_BYTES',
  'MAX_BODY_BYTES', 'HEADER_TIMEOUT_MS', 'BODY_TIMEOUT_MS', 'IDLE_TIMEOUT_MS', 'ACCESS_LOG', 'MAX_IN_FLIGHT',
];
// Circuit breakers: read by the services that call others over HTTP.
const BREAKER_ENV = ['BREAKER_FAILURES', 'BREAKER_OPEN_MS'];
const BINARIES = {
  auth_svc: {
    required: ['TOKEN'],
    optional: ['KEYS_FILE', 'JWKS_FILE', 'JWT_ISSUER', 'JWT_AUDIENCE', 'JWT_LEEWAY_SECONDS', 'JWT_MAX_BYTES', 'AUTH_FAILURE_BURST', 'AUTH_FAILURE_REFILL_MS', 'AUTH_LIMITER_MAX_ADDRESSES', 'RELOAD_INTERVAL_MS'],
  },
  // DATABASE_URL: the cluster's store is PostgreSQL (without it invoices_svc writes SQLite to DATA_DIR).
  invoices_svc: {
    required: ['EXPECTED_DATE_URI', 'DATABASE_URL'],
    optional: ['DATA_DIR', 'EXPECTED_DATE_TIMEOUT_MS', 'EXPECTED_DATE_BATCH_TIMEOUT_MS', 'PREDICTION_CACHE_ENTRIES', 'STORE_THREADS', 'STORE_TIMEOUT_MS', 'STORE_PING_MS', 'SEED_DEMO_DATA', 'IMPORT_BATCH', ...BREAKER_ENV],
  },
  expected_date_svc: { required: [], optional: ['MODEL_FILE'] },
  // The browser app's files (services/webapp).
  webapp: { required: [], optional: ['STATIC_DIR'] },
  gateway: {
    required: ['ROUTES_FILE'],
    optional: ['UPSTREAMS', ...BREAKER_ENV, 'RETRY_MAX', 'RETRY_BUDGET_PERCENT', 'RETRY_BUDGET_MIN_PER_SEC', 'ADMIN_PORT', 'BODY_MEMORY_BUDGET_BYTES',
      'ROUTES_RELOAD_INTERVAL_MS', 'AUTH_CACHE_ENTRIES', 'AUTH_CACHE_TTL_MS'],
    // /readyz, /healthz and /metrics on their own port (Emissary's 8877), 404 on PORT.
    admin: { env: 'ADMIN_PORT', default: '8877' },
  },
};
const DEFAULTS = { PORT: '8080', DRAIN_DELAY_MS: '0', SHUTDOWN_TIMEOUT_MS: '10000' };
// Services a route may reach without the AuthService / ext auth: the browser app's files.
const NO_AUTH_SERVICES = new Set(['webapp']);
// Images we do not build; they still get every other rule.
// curl: the retraining job's export (kube/components/retrain).
const THIRD_PARTY_IMAGES = new Set(['postgres', 'curl']);

// The tutorial's call graph: [from, to, port]. Everything else must be denied.
const CALL_GRAPH = [
  ['gateway', 'auth-svc', 8080],
  ['gateway', 'invoices-svc', 8080],
  ['invoices-svc', 'expected-date-svc', 8080],
  ['invoices-svc', 'postgres', 5432],
  ['gateway', 'webapp', 8080],
  // Prometheus scrapes every service's /metrics (not postgres: it has no /metrics).
  ['prometheus', 'auth-svc', 8080],
  ['prometheus', 'invoices-svc', 8080],
  ['prometheus', 'expected-date-svc', 8080],
  ['prometheus', 'webapp', 8080],
  ['prometheus', 'gateway', 8877],
  // The retraining CronJob (kube/components/retrain) exports the invoices.
  ['expected-date-retrain', 'invoices-svc', 8080],
];
// Prometheus as the usual charts run it.
const PROMETHEUS_POD = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' }, ports: [] };
// Where "the gateway" runs in each overlay (the two external ones come from their Helm charts).
const GATEWAY_PODS = {
  emissary: { namespace: 'emissary', labels: { 'app.kubernetes.io/name': 'emissary-ingress', 'app.kubernetes.io/instance': 'emissary-ingress' } },
  'gateway-api': {
    namespace: 'envoy-gateway-system',
    labels: {
      'app.kubernetes.io/name': 'envoy',
      'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'tim',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'tim',
    },
  },
  'tim-gateway': null, // the rendered Deployment "gateway"
};
GATEWAY_PODS['all-components'] = GATEWAY_PODS.emissary;

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
// Run-to-completion workloads: their pods get every pod- and container-level rule and the
// NetworkPolicy coverage, but not the rules of a serving pod (readiness/liveness probes, ports,
// scrape hints, drain grace period, PDB, HPA, replicas): a job serves no HTTP and ends by itself.
const JOB_KINDS = new Set(['Job', 'CronJob']);
const NAMESPACED_KINDS = new Set([...WORKLOAD_KINDS, ...JOB_KINDS, 'Service', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'NetworkPolicy', 'PodDisruptionBudget', 'HorizontalPodAutoscaler']);
// The pod template of any workload kind (a CronJob's sits in its job template).
const podTemplate = (w) => (w.kind === 'CronJob' ? ((w.spec.jobTemplate || {}).spec || {}).template : w.spec.template) || {};
const key = (o) => `${o.kind}/${(o.metadata && o.metadata.namespace) || ''}/${o.metadata && o.metadata.name}`;
const matches = (selector, labels) =>
  !!selector &&
  Object.entries(selector.matchLabels || {}).every(([k, v]) => (labels || {})[k] === v) &&
  (selector.matchExpressions || []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels || {}, e.key);
    const val = (labels || {})[e.key];
    if (e.operator === 'In') return has && e.values.includes(val);
    if (e.operator === 'NotIn') return !has || !e.values.includes(val);
    if (e.operator === 'Exists') return has;
    if (e.operator === 'DoesNotExist') return !has;
    return false;
  });
const simpleMatch = (sel, labels) => Object.entries(sel || {}).every(([k, v]) => (labels || {})[k] === v);
const imageName = (image) => image.replace(/@.*$/, '').replace(/:[^/]*$/, '').split('/').pop();

function parseDockerfile(file) {
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages = [];
  for (const l of lines) {
    const [instr, ...rest] = l.split(/\s+/);
    const arg = rest.join(' ');
    if (/^FROM$/i.test(instr)) stages.push({ from: arg, instr: [] });
    else if (stages.length) stages[stages.length - 1].instr.push([instr.toUpperCase(), arg]);
  }
  return stages;
}

// Dockerfile rules: multi-stage, unit tests in the build stage, final stage numeric non-root
// user and an exec-form ENTRYPOINT (the binary is PID 1 and gets SIGTERM, no shell wrapper).
function checkDockerfile(repo, svc) {
  const file = path.join(repo, 'services', svc, 'Dockerfile');
  const where = path.relative(repo, file);
  if (!fs.existsSync(file)) return { errors: [`${where}: missing`], user: null };
  const errors = [];
  const stages = parseDockerfile(file);
  if (stages.length < 2) errors.push(`${where}: not multi-stage`);
  const all = stages.flatMap((s) => s.instr);
  if (!all.some(([i, a]) => i === 'RUN' && /\bctest\b/.test(a))) errors.push(`${where}: build stage runs no unit tests (ctest)`);
  const final = stages[stages.length - 1] || { from: '', instr: [] };
  const users = final.instr.filter(([i]) => i === 'USER');
  const user = users.length ? users[users.length - 1][1] : null;
  const uid = user ? user.split(':')[0] : null;
  if (!uid || !/^\d+$/.test(uid) || uid === '0') errors.push(`${where}: final stage needs a numeric non-root USER (has ${user || 'none'})`);
  const eps = final.instr.filter(([i]) => i === 'ENTRYPOINT');
  const ep = eps.length ? eps[eps.length - 1][1] : '';
  let epArgs = null;
  try {
    epArgs = JSON.parse(ep);
  } catch {
    /* shell form */
  }
  if (!Array.isArray(epArgs)) errors.push(`${where}: ENTRYPOINT must be exec form (JSON array) so the binary is PID 1`);
  else if (!String(epArgs[0]).endsWith(`/${svc}`)) errors.push(`${where}: ENTRYPOINT runs ${epArgs[0]}, not ${svc}`);
  else if (/^(\/bin\/)?(ba)?sh$/.test(epArgs[0])) errors.push(`${where}: ENTRYPOINT is a shell`);
  return { errors, user: uid && /^\d+$/.test(uid) ? Number(uid) : null };
}

function checkOverlay(overlay, objects, repo) {
  const errors = [];
  const err = (o, msg) => errors.push(`${key(o)}: ${msg}`);
  const byKind = (k) => objects.filter((o) => o.kind === k);
  const configMaps = new Map(byKind('ConfigMap').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.data || {}]));
  const secrets = new Map(byKind('Secret').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, { ...(o.data || {}), ...(o.stringData || {}) }]));
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const jobs = objects.filter((o) => JOB_KINDS.has(o.kind));
  const services = byKind('Service');
  const pdbs = byKind('PodDisruptionBudget');
  const hpas = byKind('HorizontalPodAutoscaler');
  const dockerfileUsers = {};

  // Without a namespace an object lands wherever kubectl's context points, apart from what it needs.
  for (const o of objects) if (NAMESPACED_KINDS.has(o.kind) && !o.metadata.namespace) err(o, 'has no namespace');

  for (const j of jobs) {
    const js = j.kind === 'CronJob' ? (j.spec.jobTemplate || {}).spec || {} : j.spec;
    // Unbounded, a hung run holds its resources (and the CronJob's next slot) for ever.
    if (!(js.activeDeadlineSeconds > 0)) err(j, `${j.kind === 'CronJob' ? 'jobTemplate.spec.' : 'spec.'}activeDeadlineSeconds must be set`);
    if (j.kind !== 'CronJob') continue;
    // Two runs at once would race to swap the same output (the model file).
    if (j.spec.concurrencyPolicy !== 'Forbid') err(j, `concurrencyPolicy ${j.spec.concurrencyPolicy || 'Allow (default)'}: must be Forbid`);
    for (const f of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit'])
      if (!(Number.isInteger(j.spec[f]) && j.spec[f] >= 0 && j.spec[f] <= 10)) err(j, `${f} must be set to at most 10 (has ${j.spec[f]})`);
  }

  for (const w of [...workloads, ...jobs]) {
    const ns = w.metadata.namespace;
    const serving = !JOB_KINDS.has(w.kind);
    const tmpl = podTemplate(w);
    const pod = tmpl.spec || {};
    const podLabels = (tmpl.metadata && tmpl.metadata.labels) || {};
    // A Job's selector is generated by the API server; a CronJob has none.
    if (serving && !matches(w.spec.selector, podLabels)) err(w, 'selector does not match the pod template labels');
    if (!Object.keys(podLabels).length) err(w, 'pod template has no labels (no NetworkPolicy can select its pods)');
    const psc = pod.securityContext || {};
    if (pod.automountServiceAccountToken !== false) err(w, 'automountServiceAccountToken must be false');

    if (w.kind === 'Deployment') {
      if (!(w.spec.replicas >= 3)) err(w, `replicas ${w.spec.replicas}: the tutorial's clusters run at least 3`);
      if (!w.spec.strategy || w.spec.strategy.type !== 'RollingUpdate') err(w, 'strategy must be RollingUpdate');
      if (!pdbs.some((p) => p.metadata.namespace === ns && matches(p.spec.selector, podLabels))) err(w, 'no PodDisruptionBudget selects its pods');
      if (!hpas.some((h) => h.metadata.namespace === ns && h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === w.metadata.name))
        err(w, 'no HorizontalPodAutoscaler targets it');
      const tsc = pod.topologySpreadConstraints || [];
      if (!tsc.some((t) => t.topologyKey === 'kubernetes.io/hostname' && matches(t.labelSelector, podLabels))) err(w, 'no topology spread over kubernetes.io/hostname for its own pods');
    }

    const containers = [...(pod.initContainers || []).map((c) => [c, true]), ...(pod.containers || []).map((c) => [c, false])];
    for (const [c, init] of containers) {
      const cname = `${key(w)} ${init ? 'initContainer' : 'container'} ${c.name}`;
      const cerr = (m) => errors.push(`${cname}: ${m}`);
      const sc = c.securityContext || {};
      const runAsNonRoot = sc.runAsNonRoot !== undefined ? sc.runAsNonRoot : psc.runAsNonRoot;
      const runAsUser = sc.runAsUser !== undefined ? sc.runAsUser : psc.runAsUser;
      const seccomp = (sc.seccompProfile || psc.seccompProfile || {}).type;
      if (runAsNonRoot !== true) cerr('runAsNonRoot must be true');
      if (runAsUser === 0) cerr('runAsUser must not be 0');
      if (sc.readOnlyRootFilesystem !== true) cerr('readOnlyRootFilesystem must be true');
      if (sc.allowPrivilegeEscalation !== false) cerr('allowPrivilegeEscalation must be false');
      if (sc.privileged === true) cerr('must not be privileged');
      if (!((sc.capabilities || {}).drop || []).includes('ALL')) cerr('capabilities must drop ALL');
      if ((((sc.capabilities || {}).add) || []).length) cerr('must not add capabilities');
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') cerr('seccompProfile must be RuntimeDefault');
      const res = c.resources || {};
      for (const kind of ['requests', 'limits'])
        for (const r of ['cpu', 'memory']) if (!(res[kind] && res[kind][r] !== undefined)) cerr(`resources.${kind}.${r} missing`);
      // Init containers run to completion, like a job's: probes do not apply.
      const probed = serving && !init;
      if (probed && !c.readinessProbe) cerr('no readinessProbe');
      if (probed && !c.livenessProbe) cerr('no livenessProbe');

      // Environment as the container will see it.
      const env = {};
      const unresolved = [];
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef) {
          const d = configMaps.get(`${ns}/${ef.configMapRef.name}`);
          if (!d) unresolved.push(`envFrom ConfigMap ${ef.configMapRef.name}`);
          else Object.assign(env, d);
        }
        if (ef.secretRef) {
          const d = secrets.get(`${ns}/${ef.secretRef.name}`);
          if (!d) unresolved.push(`envFrom Secret ${ef.secretRef.name}`);
          else for (const k of Object.keys(d)) env[k] = '<secret>';
        }
      }
      for (const e of c.env || []) {
        if (e.value !== undefined) env[e.name] = e.value;
        else if (e.valueFrom && e.valueFrom.secretKeyRef) {
          const r = e.valueFrom.secretKeyRef;
          const d = secrets.get(`${ns}/${r.name}`);
          if (!d || !(r.key in d)) unresolved.push(`env ${e.name}: Secret ${r.name} key ${r.key}`);
          env[e.name] = '<secret>';
        } else if (e.valueFrom && e.valueFrom.configMapKeyRef) {
          const r = e.valueFrom.configMapKeyRef;
          const d = configMaps.get(`${ns}/${r.name}`);
          if (!d || !(r.key in d)) unresolved.push(`env ${e.name}: ConfigMap ${r.name} key ${r.key}`);
          else env[e.name] = d[r.key];
        } else env[e.name] = '<field>';
      }
      for (const u of unresolved) cerr(`refers to something not in the manifests: ${u}`);

      const img = imageName(c.image || '');
      if (THIRD_PARTY_IMAGES.has(img)) {
        // Someone else's image: pinned to a version (tag or digest), never latest.
        const tag = /@sha256:[0-9a-f]{64}$/.test(c.image) ? 'digest' : ((/:([^/@]+)$/.exec(c.image) || [])[1] || '');
        if (!tag || tag === 'latest') cerr(`image ${c.image} is not pinned to a version (tag or digest, not latest)`);
        continue;
      }
      const bin = BINARIES[img];
      if (!bin) {
        cerr(`image ${c.image} is neither built by services/*/Dockerfile nor an allowed third-party image`);
        continue;
      }
      if (!(img in dockerfileUsers)) {
        const d = checkDockerfile(repo, img);
        errors.push(...d.errors);
        dockerfileUsers[img] = d.user;
      }
      if (dockerfileUsers[img] !== null && runAsUser !== undefined && runAsUser !== dockerfileUsers[img])
        cerr(`runAsUser ${runAsUser} differs from the image's USER ${dockerfileUsers[img]}`);
      // What the binary needs to serve; a job runs another subcommand (train, import).
      if (probed) for (const v of bin.required) if (!(v in env)) cerr(`${img} needs ${v}, which is not set`);
      if ('JWKS_FILE' in env) for (const v of ['JWT_ISSUER', 'JWT_AUDIENCE']) if (!(v in env)) cerr(`JWKS_FILE is set, so ${img} needs ${v} too`);
      const known = new Set([...COMMON_ENV, ...bin.required, ...bin.optional, ...Object.keys(env).filter((k) => /^POSTGRES_/.test(k))]);
      for (const v of Object.keys(env)) if (!known.has(v)) cerr(`sets ${v}, which ${img} does not read`);
      if (!probed) continue; // the rest is about a serving container

      // Probes must hit what the binary serves, on the port it listens on.
      const port = Number(env.PORT || DEFAULTS.PORT);
      const resolvePort = (p) => (typeof p === 'number' ? p : ((c.ports || []).find((cp) => cp.name === p) || {}).containerPort);
      if (!(c.ports || []).some((cp) => cp.containerPort === port)) cerr(`listens on PORT ${port} but declares no such containerPort`);
      // The probes' and scrape's port: the admin port for a binary that has one.
      const opsPort = bin.admin ? Number(env[bin.admin.env] || bin.admin.default) : port;
      if (opsPort !== port && !(c.ports || []).some((cp) => cp.containerPort === opsPort)) cerr(`serves /readyz and /metrics on ${bin.admin.env} ${opsPort} but declares no such containerPort`);
      for (const [probe, wantPath] of [['readinessProbe', SERVED.readiness], ['livenessProbe', SERVED.liveness]]) {
        const p = c[probe];
        if (!p) continue;
        if (!p.httpGet) cerr(`${probe} must be httpGet ${wantPath}`);
        else {
          if (p.httpGet.path !== wantPath) cerr(`${probe} path ${p.httpGet.path}, the binary serves ${wantPath}`);
          if (resolvePort(p.httpGet.port) !== opsPort) cerr(`${probe} port ${p.httpGet.port} is not the port ${opsPort} serving ${wantPath}`);
        }
      }
      // Prometheus' scrape hints must point at the port the binary serves /metrics on.
      const ann = (tmpl.metadata && tmpl.metadata.annotations) || {};
      if (ann['prometheus.io/scrape'] !== 'true') cerr('pod annotation prometheus.io/scrape must be "true"');
      else {
        if (Number(ann['prometheus.io/port']) !== opsPort) cerr(`prometheus.io/port ${ann['prometheus.io/port']} is not the port ${opsPort} serving /metrics`);
        if (ann['prometheus.io/path'] !== SERVED.metrics) cerr(`prometheus.io/path ${ann['prometheus.io/path']}, the binary serves ${SERVED.metrics}`);
      }
      // The grace period must cover the drain, or SIGKILL cuts requests off.
      const drain = Number(env.DRAIN_DELAY_MS || DEFAULTS.DRAIN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS || DEFAULTS.SHUTDOWN_TIMEOUT_MS);
      const grace = (pod.terminationGracePeriodSeconds === undefined ? 30 : pod.terminationGracePeriodSeconds) * 1000;
      if (grace < drain + 1000) cerr(`terminationGracePeriodSeconds ${grace / 1000} s does not cover DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS (${drain} ms) plus 1 s`);
      // Service URLs must name a Service that exists, in its real namespace, on a port it has.
      for (const [v, svcName] of [['EXPECTED_DATE_URI', 'expected-date-svc'], ['DATABASE_URL', 'postgres']]) {
        if (!(v in env)) continue;
        let u;
        try {
          u = new URL(env[v].replace(/\$\([A-Z_]+\)/g, 'x'));
        } catch {
          cerr(`${v} is not a URL`);
          continue;
        }
        const s = services.find((x) => x.metadata.name === svcName);
        const defPort = { 'http:': 80, 'https:': 443, 'postgres:': 5432, 'postgresql:': 5432 }[u.protocol];
        const want = s && `${svcName}.${s.metadata.namespace}.svc.cluster.local`;
        if (!s) cerr(`${v}: no Service ${svcName}`);
        else if (u.hostname !== want) cerr(`${v} host ${u.hostname}, expected ${want}`);
        else if (!s.spec.ports.some((p) => p.port === Number(u.port || defPort))) cerr(`${v}: Service ${svcName} has no port ${u.port || defPort}`);
      }
    }
  }

  // Every Service selects a workload, and its targetPort exists there.
  for (const s of services) {
    const ws = workloads.filter((w) => w.metadata.namespace === s.metadata.namespace && simpleMatch(s.spec.selector, w.spec.template.metadata.labels));
    if (!s.spec.selector || !ws.length) {
      err(s, 'selects no workload');
      continue;
    }
    for (const p of s.spec.ports || []) {
      const tp = p.targetPort === undefined ? p.port : p.targetPort;
      const ok = ws.some((w) =>
        w.spec.template.spec.containers.some((c) => (c.ports || []).some((cp) => (typeof tp === 'number' ? cp.containerPort === tp : cp.name === tp))),
      );
      if (!ok) err(s, `targetPort ${tp} is not a container port of the selected pods`);
    }
  }
  for (const p of pdbs) if (!workloads.some((w) => matches(p.spec.selector, w.spec.template.metadata.labels))) err(p, 'selects no pods');
  for (const h of hpas) {
    const t = h.spec.scaleTargetRef;
    if (!workloads.some((w) => w.kind === t.kind && w.metadata.name === t.name)) err(h, `targets missing ${t.kind}/${t.name}`);
    if (!(h.spec.minReplicas >= 2)) err(h, 'minReplicas must be at least 2');
  }

  // Gateway routes must reach Services that exist, on ports they have.
  const svcPort = (name, port, ns) => services.some((s) => s.metadata.name === name && (!ns || s.metadata.namespace === ns) && s.spec.ports.some((p) => p.port === port));
  for (const m of byKind('Mapping')) {
    const [host, port] = String(m.spec.service).replace(/^https?:\/\//, '').split(':');
    if (!svcPort(host, Number(port || 80))) err(m, `service ${m.spec.service} is not a Service port here`);
  }
  // Only the app's files may be reached without the AuthService (they hold no data).
  for (const m of byKind('Mapping'))
    if (m.spec.bypass_auth === true && !NO_AUTH_SERVICES.has(String(m.spec.service).replace(/^https?:\/\//, '').split(':')[0]))
      err(m, `bypass_auth: true routes to ${m.spec.service} without the AuthService; only ${[...NO_AUTH_SERVICES]} may be`);
  const guarded = new Set(byKind('SecurityPolicy').flatMap((sp) => (sp.spec.targetRefs || []).filter((t) => t.kind === 'HTTPRoute').map((t) => t.name)));
  for (const r of byKind('HTTPRoute'))
    if (!guarded.has(r.metadata.name))
      for (const rule of r.spec.rules || [])
        for (const b of rule.backendRefs || []) if (!NO_AUTH_SERVICES.has(b.name)) err(r, `no SecurityPolicy guards it, yet it routes to ${b.name}; only ${[...NO_AUTH_SERVICES]} may be reached without ext auth`);
  for (const a of byKind('AuthService')) {
    const [host, port] = String(a.spec.auth_service).replace(/^https?:\/\//, '').split(':');
    if (!svcPort(host, Number(port || 80))) err(a, `auth_service ${a.spec.auth_service} is not a Service port here`);
  }
  for (const r of byKind('HTTPRoute'))
    for (const rule of r.spec.rules || [])
      for (const b of rule.backendRefs || []) if (!svcPort(b.name, b.port, r.metadata.namespace)) err(r, `backendRef ${b.name}:${b.port} is not a Service port here`);
  for (const sp of byKind('SecurityPolicy')) {
    const h = sp.spec.extAuth && sp.spec.extAuth.http;
    for (const b of (h && h.backendRefs) || []) if (!svcPort(b.name, b.port, sp.metadata.namespace)) err(sp, `extAuth backendRef ${b.name}:${b.port} is not a Service port here`);
  }

  if (overlay in GATEWAY_PODS) errors.push(...checkNetworkPolicies(overlay, objects, [...workloads, ...jobs]));
  return errors;
}

// Evaluates the NetworkPolicies for a set of pods and compares with the tutorial's call graph.
function checkNetworkPolicies(overlay, objects, workloads) {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const errors = [];
  if (!policies.length) return [`${overlay}: no NetworkPolicies`];
  const appNs = (workloads[0] && workloads[0].metadata.namespace) || 'tim';
  const pods = {};
  for (const w of workloads) {
    const t = podTemplate(w);
    const c = [...((t.spec || {}).initContainers || []), ...((t.spec || {}).containers || [])];
    pods[w.metadata.name] = { namespace: w.metadata.namespace, labels: (t.metadata || {}).labels || {}, ports: c.flatMap((x) => x.ports || []) };
  }
  const gw = GATEWAY_PODS[overlay];
  if (gw) pods.gateway = { ...gw, ports: [] };
  if (!pods.gateway) return [`${overlay}: no gateway pod to check the policies with`];
  pods['stranger-in-app-namespace'] = { namespace: appNs, labels: { app: 'stranger' }, ports: [{ containerPort: 8080 }] };
  pods['stranger-elsewhere'] = { namespace: 'other', labels: { app: 'stranger' }, ports: [{ containerPort: 8080 }] };
  if (gw) pods['stranger-in-gateway-namespace'] = { namespace: gw.namespace, labels: { app: 'stranger' }, ports: [] };
  pods.prometheus = PROMETHEUS_POD;
  pods['stranger-in-monitoring-namespace'] = { namespace: PROMETHEUS_POD.namespace, labels: { app: 'stranger' }, ports: [] };
  pods['kube-dns'] = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ports: [{ containerPort: 53, protocol: 'UDP' }] };
  const nsLabels = (ns) => ({ 'kubernetes.io/metadata.name': ns });

  const peerMatches = (peer, policyNs, pod) => {
    if (peer.ipBlock) return false;
    const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, nsLabels(pod.namespace)) : pod.namespace === policyNs;
    const podOk = peer.podSelector ? matches(peer.podSelector, pod.labels) : true;
    return nsOk && podOk;
  };
  const portMatches = (ports, port, proto, pod) =>
    !ports ||
    !ports.length ||
    ports.some((p) => (p.protocol || 'TCP') === proto && (p.port === undefined || p.port === port || (typeof p.port === 'string' && pod.ports.some((cp) => cp.name === p.port && cp.containerPort === port))));
  const allowed = (dir, self, other, port, proto, portPod) => {
    const sel = policies.filter((p) => p.metadata.namespace === self.namespace && matches(p.spec.podSelector, self.labels) && (p.spec.policyTypes || ['Ingress']).includes(dir));
    if (!sel.length) return true;
    const field = dir === 'Ingress' ? 'ingress' : 'egress';
    const peers = dir === 'Ingress' ? 'from' : 'to';
    return sel.some((p) =>
      (p.spec[field] || []).some((r) => (!r[peers] || !r[peers].length || r[peers].some((peer) => peerMatches(peer, p.metadata.namespace, other))) && portMatches(r.ports, port, proto, portPod)),
    );
  };
  const expected = new Set(CALL_GRAPH.map(([a, b, p]) => `${a}->${b}:${p}`));
  const names = Object.keys(pods);
  for (const from of names)
    for (const to of names) {
      if (from === to) continue;
      const src = pods[from];
      const dst = pods[to];
      if (src.namespace !== appNs && dst.namespace !== appNs) continue; // not ours to police
      for (const cp of dst.ports) {
        const proto = cp.protocol || 'TCP';
        const ok = allowed('Egress', src, dst, cp.containerPort, proto, dst) && allowed('Ingress', dst, src, cp.containerPort, proto, dst);
        const id = `${from}->${to}:${cp.containerPort}`;
        let want = expected.has(id);
        if (to === 'kube-dns') want = true; // every pod resolves names
        // The edge takes clients from outside; its admin port only Prometheus.
        if (overlay === 'tim-gateway' && to === 'gateway' && src.namespace !== appNs && cp.containerPort !== 8877) want = true;
        if (ok && !want) errors.push(`NetworkPolicy (${overlay}): ${id} is allowed, the tutorial's call graph does not have it`);
        if (!ok && want) errors.push(`NetworkPolicy (${overlay}): ${id} is denied, the tutorial's call graph needs it`);
      }
    }
  return errors;
}

module.exports = { checkOverlay, checkDockerfile, BINARIES };
