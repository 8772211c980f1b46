#!/usr/bin/env node
// The podman half of scripts/kube-play.sh.
//   node kube-play.js rules
//   node kube-play.js translate --rendered FILE --out DIR --prefix NAME
//       writes DIR/play.yaml (for `podman kube play`), DIR/secrets/<name>.json (for
//       `podman secret create`), DIR/plan.json (what was played and what each manifest asks for)
//   node kube-play.js inspect DIR/plan.json
//       compares `podman inspect` of every played container with its manifest's security context
//       and memory limit; exit 1 on any difference
// Translation is limited to what podman 4.3 cannot take; everything else is played as rendered,
// so a mistake in the manifests fails here as it would on a cluster.
'use strict';
const fs = require('fs');
const net = require('net');
const path = require('path');
const { execFileSync } = require('child_process');
const YAML = require('yaml');

// Each rule, with the podman 4.3 limit it works around. The one list: `rules` prints it,
// docs/deploy.md quotes it.
const RULES = [
  ['Namespace, ServiceAccount, NetworkPolicy, HorizontalPodAutoscaler, PodDisruptionBudget and custom resources are not played; Services only feed rules 2, 3 and 7',
    'kube play skips these kinds: nothing here enforces them'],
  ['each Deployment or StatefulSet becomes one Pod named after the Service that selects it, with one replica',
    'kube play skips Services and StatefulSets, and on a podman network only pod names resolve'],
  ['Service references (name, name.ns, name.ns.svc, name.ns.svc.cluster.local, with the Service port or the scheme\'s default) in ConfigMap data and env values become pod:targetPort; anything else is left as written',
    'no Service names, cluster DNS or Service ports: a pod is reached on its container port by pod name'],
  ['$(VAR) in an env value is expanded from the container\'s earlier variables, as the kubelet does',
    'kube play passes $(VAR) through literally'],
  ['each Secret is created with `podman secret create` from its data as JSON, and referred to by that name',
    'kube play reads a Secret only from the podman secret store, as a JSON map of base64 values'],
  ['probes are taken out of the pods; the script runs each readiness probe itself (httpGet and tcpSocket from a helper container on the pod network, exec with podman exec) and sends traffic only once all pass, as Service endpoints would',
    'kube play turns an httpGet probe into a `curl` run inside the container, and the images have no curl; nothing gates traffic on readiness'],
  ['container ports are dropped except those behind a LoadBalancer/NodePort Service (all Services when there is none), which are published on 127.0.0.1 at a free port',
    'kube play publishes every containerPort, on 0.0.0.0, unless hostIP/hostPort are set'],
  ['each emptyDir becomes a hostPath folder of its own, owned by the pod\'s user and fsGroup, deleted at teardown',
    'kube play makes every emptyDir a named volume called after the volume, shared by all pods'],
  ['volumeClaimTemplates become PersistentVolumeClaims (podman volumes) named <prefix>-<claim>-<pod>',
    'kube play skips StatefulSets and their claims'],
  ['ConfigMaps, Secrets and claims get the run\'s prefix, so teardown can find and remove them all',
    'kube down removes pods only; ConfigMap volumes and claims stay behind as podman volumes'],
  ['images: name:tag becomes localhost/name:tag (built by scripts/build-images.sh); postgres:15-bookworm becomes localhost/tim/postgres:15-bookworm (images/postgres)',
    'no registry can be reached here, and short names would make podman ask for one'],
];

const LOCAL_IMAGES = { 'postgres:15-bookworm': 'localhost/tim/postgres:15-bookworm' };
const SKIPPED_KINDS = new Set(['Namespace', 'ServiceAccount', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
const SCHEME_PORTS = { http: 80, https: 443, postgres: 5432, postgresql: 5432 };

function fail(msg) {
  console.error(`kube-play: ${msg}`);
  process.exit(1);
}

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const selects = (selector, labels) => !!selector && Object.entries(selector).every(([k, v]) => (labels || {})[k] === v);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function memoryBytes(q) {
  if (q === undefined) return null;
  const m = String(q).match(/^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/);
  if (!m) fail(`cannot read memory quantity ${q}`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]] || 1;
  return Math.round(Number(m[1]) * unit);
}

async function translate(opt) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(opt.rendered, 'utf8')).map((d) => d.toJS()).filter(Boolean);
  const prefix = opt.prefix;
  const out = path.resolve(opt.out);
  fs.mkdirSync(path.join(out, 'secrets'), { recursive: true });
  const log = [];
  const byKind = (k) => docs.filter((d) => d.kind === k);
  const services = byKind('Service');
  const workloads = docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
  for (const d of docs) {
    const known = ['ConfigMap', 'Secret', 'Service', 'Deployment', 'StatefulSet'];
    if (!known.includes(d.kind) && !SKIPPED_KINDS.has(d.kind)) log.push(`skipped ${d.kind}/${d.metadata.name} (not a kind podman plays)`);
  }

  // Which pod each Service reaches, and the container port each Service port lands on.
  const podOf = new Map();
  for (const w of workloads) {
    const labels = w.spec.template.metadata.labels;
    const s = services.find((x) => x.metadata.namespace === w.metadata.namespace && selects(x.spec.selector, labels));
    const name = s ? s.metadata.name : w.metadata.name;
    if (workloads.some((o) => o !== w && podOf.get(o) === name)) fail(`two workloads would both be pod ${name}`);
    podOf.set(w, name);
  }
  const serviceTargets = new Map(); // ns/name -> { pod, ports: Map(servicePort -> containerPort) }
  for (const s of services) {
    const w = workloads.find((x) => x.metadata.namespace === s.metadata.namespace && selects(s.spec.selector, x.spec.template.metadata.labels));
    if (!w) {
      log.push(`Service ${s.metadata.name} selects no workload: its name stays unresolvable`);
      continue;
    }
    const cports = w.spec.template.spec.containers.flatMap((c) => c.ports || []);
    const ports = new Map();
    for (const p of s.spec.ports || []) {
      const tp = p.targetPort === undefined ? p.port : p.targetPort;
      const cp = typeof tp === 'number' ? cports.find((x) => x.containerPort === tp) : cports.find((x) => x.name === tp);
      if (cp) ports.set(p.port, cp.containerPort);
      else log.push(`Service ${s.metadata.name} port ${p.port}: targetPort ${tp} is no container port, left unreachable`);
    }
    serviceTargets.set(`${s.metadata.namespace}/${s.metadata.name}`, { pod: podOf.get(w), ports, workload: w, service: s });
  }

  // Service references, as a pod in namespace `ns` would write them.
  const names = services.map((s) => s.metadata.name).sort((a, b) => b.length - a.length).map(escapeRe);
  const refRe = names.length
    ? new RegExp(`(?:([a-z][a-z0-9+.-]*)://([^@/\\s]*@)?)?(?<![\\w.-])(${names.join('|')})((?:\\.[a-z0-9-]+)(?:\\.svc(?:\\.cluster\\.local)?)?)?(?::(\\d+))?(?![\\w-]|\\.\\w)`, 'g')
    : null;
  // A reference is a URL's host, a host:port, or a whole value (an env value, or the value of a
  // `key: value` line in a ConfigMap file); comment lines and prose are left alone.
  function rewriteLine(line, ns, where) {
    if (/^\s*#/.test(line)) return line;
    return line.replace(refRe, (all, scheme, userinfo, name, dnsTail, port, offset) => {
      const before = line.slice(0, offset);
      const after = line.slice(offset + all.length);
      const wholeValue = /^\s*(?:-\s+)?(?:[\w.-]+:\s*)?["']?$/.test(before) && /^["']?\s*(?:#.*)?$/.test(after);
      if (!scheme && !port && !wholeValue) return all;
      const targetNs = dnsTail ? dnsTail.split('.')[1] : ns;
      const t = serviceTargets.get(`${targetNs}/${name}`);
      const wanted = port ? Number(port) : scheme ? SCHEME_PORTS[scheme] : 80;
      const shown = (x) => x.replace(/\/\/[^@/\s]*@/, '//…@');
      if (!t || !t.ports.has(wanted)) {
        log.push(`${where}: left as written: ${shown(all)} (no Service ${name} with port ${wanted} in namespace ${targetNs})`);
        return all;
      }
      const to = `${scheme ? `${scheme}://${userinfo || ''}` : ''}${t.pod}:${t.ports.get(wanted)}`;
      log.push(`${where}: ${shown(all)} -> ${shown(to)}`);
      return to;
    });
  }
  const rewriteRefs = (text, ns, where) =>
    !refRe || typeof text !== 'string' ? text : text.split('\n').map((l) => rewriteLine(l, ns, where)).join('\n');

  const play = [];
  const configMaps = new Map();
  for (const cm of byKind('ConfigMap')) {
    const data = {};
    for (const [k, v] of Object.entries(cm.data || {})) data[k] = rewriteRefs(v, cm.metadata.namespace, `ConfigMap ${cm.metadata.name} ${k}`);
    const renamed = `${prefix}-${cm.metadata.name}`;
    configMaps.set(cm.metadata.name, { renamed, data });
    play.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: renamed }, data });
  }
  const secrets = new Map();
  for (const s of byKind('Secret')) {
    const data = { ...(s.data || {}) };
    for (const [k, v] of Object.entries(s.stringData || {})) data[k] = Buffer.from(v).toString('base64');
    const renamed = `${prefix}-${s.metadata.name}`;
    secrets.set(s.metadata.name, { renamed, data });
    fs.writeFileSync(path.join(out, 'secrets', `${renamed}.json`), JSON.stringify(data), { mode: 0o600 });
  }

  // Published: the edge Services, or every Service when the overlay has no edge (the base).
  const edge = [...serviceTargets.values()].filter((t) => ['LoadBalancer', 'NodePort'].includes(t.service.spec.type));
  const published = edge.length ? edge : [...serviceTargets.values()];
  const publishedPorts = new Map(); // pod -> Set(containerPort)
  const plan = { prefix, pods: [], published: [], secrets: [...secrets.values()].map((s) => s.renamed), volumes: [], emptyDirs: [] };
  for (const t of published) {
    for (const [sport, cport] of t.ports) {
      const hostPort = await freePort();
      if (!publishedPorts.has(t.pod)) publishedPorts.set(t.pod, new Map());
      publishedPorts.get(t.pod).set(cport, hostPort);
      plan.published.push({ service: t.service.metadata.name, port: sport, pod: t.pod, containerPort: cport, address: `127.0.0.1:${hostPort}` });
    }
  }

  for (const w of workloads) {
    const podName = podOf.get(w);
    const ns = w.metadata.namespace;
    const tmpl = w.spec.template;
    const spec = JSON.parse(JSON.stringify(tmpl.spec));
    const podSc = spec.securityContext || {};
    if ((w.spec.replicas || 1) !== 1) log.push(`${w.kind} ${w.metadata.name}: ${w.spec.replicas} replicas -> pod ${podName}`);
    else log.push(`${w.kind} ${w.metadata.name} -> pod ${podName}`);
    spec.restartPolicy = 'Always';
    const planPod = { name: podName, workload: `${w.kind}/${w.metadata.name}`, gracePeriod: spec.terminationGracePeriodSeconds === undefined ? 30 : spec.terminationGracePeriodSeconds, containers: [] };

    for (const c of spec.containers) {
      // The script runs the readiness probe itself (see plan), as the kubelet would.
      const rp = c.readinessProbe;
      const probePort = (port) => (typeof port === 'number' ? port : ((c.ports || []).find((x) => x.name === port) || {}).containerPort);
      let readiness = null;
      if (rp && rp.httpGet) readiness = { http: { host: podName, port: probePort(rp.httpGet.port), path: rp.httpGet.path || '/' } };
      else if (rp && rp.tcpSocket) readiness = { tcp: { host: podName, port: probePort(rp.tcpSocket.port) } };
      else if (rp && rp.exec) readiness = { exec: rp.exec.command };
      delete c.readinessProbe;
      delete c.livenessProbe;
      delete c.startupProbe;
      const pub = publishedPorts.get(podName);
      c.ports = (c.ports || [])
        .filter((p) => pub && pub.has(p.containerPort))
        .map((p) => ({ containerPort: p.containerPort, hostIP: '127.0.0.1', hostPort: pub.get(p.containerPort) }));
      if (!c.ports.length) delete c.ports;
      const image = LOCAL_IMAGES[c.image] || (c.image.includes('/') ? c.image : `localhost/${c.image}`);
      if (image !== c.image) log.push(`pod ${podName}: image ${c.image} -> ${image}`);
      c.image = image;
      c.imagePullPolicy = 'Never';

      // env: Secret names renamed, Service references translated, $(VAR) expanded.
      const known = {};
      for (const ef of c.envFrom || []) {
        if (ef.configMapRef && configMaps.has(ef.configMapRef.name)) {
          Object.assign(known, configMaps.get(ef.configMapRef.name).data);
          ef.configMapRef.name = configMaps.get(ef.configMapRef.name).renamed;
        }
        if (ef.secretRef && secrets.has(ef.secretRef.name)) {
          for (const [k, v] of Object.entries(secrets.get(ef.secretRef.name).data)) known[k] = Buffer.from(v, 'base64').toString();
          ef.secretRef.name = secrets.get(ef.secretRef.name).renamed;
        }
      }
      for (const e of c.env || []) {
        const vf = e.valueFrom || {};
        if (vf.secretKeyRef) {
          const s = secrets.get(vf.secretKeyRef.name);
          if (s) {
            if (vf.secretKeyRef.key in s.data) known[e.name] = Buffer.from(s.data[vf.secretKeyRef.key], 'base64').toString();
            vf.secretKeyRef.name = s.renamed;
          }
        } else if (vf.configMapKeyRef) {
          const m = configMaps.get(vf.configMapKeyRef.name);
          if (m) {
            if (vf.configMapKeyRef.key in m.data) known[e.name] = m.data[vf.configMapKeyRef.key];
            vf.configMapKeyRef.name = m.renamed;
          }
        } else if (e.value !== undefined) {
          let v = rewriteRefs(String(e.value), ns, `pod ${podName} env ${e.name}`);
          // The kubelet's rule: $(VAR) of a variable defined so far; $$ escapes; unknown stays.
          v = v.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (m === '$$' ? '$' : name in known ? known[name] : m));
          e.value = v;
          known[e.name] = v;
        }
      }

      const sc = c.securityContext || {};
      const limits = (c.resources && c.resources.limits) || {};
      planPod.containers.push({
        container: `${podName}-${c.name}`,
        manifest: `${w.kind}/${w.metadata.name} container ${c.name}`,
        image: c.image,
        readiness,
        user: sc.runAsUser !== undefined ? sc.runAsUser : podSc.runAsUser,
        group: sc.runAsGroup !== undefined ? sc.runAsGroup : podSc.runAsGroup,
        readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
        dropAll: ((sc.capabilities && sc.capabilities.drop) || []).includes('ALL'),
        noNewPrivileges: sc.allowPrivilegeEscalation === false,
        memoryLimit: memoryBytes(limits.memory),
      });
    }

    // Volumes: emptyDir -> own folder; ConfigMap names; claims.
    const claims = (w.spec.volumeClaimTemplates || []).map((t) => t.metadata.name);
    spec.volumes = spec.volumes || [];
    for (const claim of claims) {
      const vname = `${prefix}-${claim}-${podName}`;
      play.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: vname }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
      spec.volumes.push({ name: claim, persistentVolumeClaim: { claimName: vname } });
      plan.volumes.push(vname);
      log.push(`pod ${podName}: claim ${claim} -> podman volume ${vname}`);
    }
    for (const v of spec.volumes) {
      if (v.emptyDir) {
        const dir = path.join(out, 'emptydir', podName, v.name);
        fs.mkdirSync(dir, { recursive: true });
        const uid = podSc.runAsUser !== undefined ? podSc.runAsUser : 0;
        const gid = podSc.fsGroup !== undefined ? podSc.fsGroup : podSc.runAsGroup !== undefined ? podSc.runAsGroup : 0;
        fs.chownSync(dir, uid, gid);
        fs.chmodSync(dir, 0o2770);
        delete v.emptyDir;
        v.hostPath = { path: dir, type: 'Directory' };
        plan.emptyDirs.push(dir);
      } else if (v.configMap && configMaps.has(v.configMap.name)) {
        v.configMap.name = configMaps.get(v.configMap.name).renamed;
        plan.volumes.push(v.configMap.name); // kube play copies it into a volume of that name
      } else if (v.secret && secrets.has(v.secret.secretName)) {
        v.secret.secretName = secrets.get(v.secret.secretName).renamed;
      }
    }
    play.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: podName, labels: tmpl.metadata.labels }, spec });
    plan.pods.push(planPod);
  }
  plan.volumes = [...new Set(plan.volumes)];

  fs.writeFileSync(path.join(out, 'play.yaml'), play.map((d) => YAML.stringify(d, { blockQuote: 'literal', lineWidth: 0 })).join('---\n'), { mode: 0o600 });
  fs.writeFileSync(path.join(out, 'plan.json'), JSON.stringify(plan, null, 2));
  for (const l of log) console.log(`  ${l}`);
}

function inspect(planFile) {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8'));
  let bad = 0;
  let checked = 0;
  for (const pod of plan.pods) {
    for (const c of pod.containers) {
      let info;
      try {
        info = JSON.parse(execFileSync('podman', ['inspect', '--type', 'container', c.container], { encoding: 'utf8' }))[0];
      } catch (e) {
        console.log(`FAIL ${c.container}: podman inspect failed: ${String(e.message).split('\n')[0]}`);
        bad++;
        continue;
      }
      const hc = info.HostConfig || {};
      const got = {
        user: info.Config.User,
        readOnly: hc.ReadonlyRootfs === true,
        caps: info.EffectiveCaps || [],
        noNewPrivileges: (hc.SecurityOpt || []).includes('no-new-privileges'),
        memory: hc.Memory,
      };
      const wantUser = c.user === undefined ? null : c.group === undefined ? `${c.user}` : `${c.user}:${c.group}`;
      const checks = [
        [`user ${wantUser}`, wantUser === null || got.user === wantUser, `runs as "${got.user}"`],
        ['read-only root', !c.readOnlyRootFilesystem || got.readOnly, 'root filesystem is writable'],
        ['no capabilities', !c.dropAll || got.caps.length === 0, `has ${got.caps.join(',')}`],
        ['no new privileges', !c.noNewPrivileges || got.noNewPrivileges, 'may gain privileges'],
        [`memory limit ${c.memoryLimit}`, c.memoryLimit === null || got.memory === c.memoryLimit, `memory limit is ${got.memory}`],
      ];
      for (const [what, ok, why] of checks) {
        checked++;
        if (ok) console.log(`ok   ${c.container}: ${what} (${c.manifest})`);
        else {
          bad++;
          console.log(`FAIL ${c.container}: ${why}, the manifest says ${what} (${c.manifest})`);
        }
      }
    }
  }
  console.log(`inspect: ${checked - bad} of ${checked} settings as the manifests say`);
  process.exit(bad ? 1 : 0);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'rules') {
  RULES.forEach(([rule, why], i) => console.log(`${i + 1}. ${rule}\n   (podman 4.3: ${why})`));
} else if (cmd === 'translate') {
  const o = args(rest);
  if (!o.rendered || !o.out || !o.prefix) fail('usage: translate --rendered FILE --out DIR --prefix NAME');
  translate(o).catch((e) => fail(e.stack || String(e)));
} else if (cmd === 'inspect') {
  inspect(rest[0]);
} else fail('usage: kube-play.js rules | translate ... | inspect PLAN');
