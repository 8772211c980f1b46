'use strict';
// Schema validation of one Kubernetes object, offline, with unknown fields rejected.
// Built-in kinds: kubernetes-models' validators, run on a proxy that records which keys the
// validator read; a key it never read is not in the schema. Custom resources: the CRD schemas in
// kube/schemas/, tightened with additionalProperties: false (the API server prunes or, with
// strict field validation, rejects unknown fields; plain JSON Schema would accept them).
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const crypto = require('crypto');
const standaloneCode = require('ajv/dist/standalone').default;

// code.source lets compiled validators be saved as modules: compiling the large Envoy Gateway
// schemas takes about a second, loading a saved one a few milliseconds.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { source: true } });
const cacheDir = path.join(__dirname, '.cache', 'validators');
const VALIDATOR_VERSION = '1'; // bump when tighten() or the metadata schema changes
const compiled = new Map();

function loadModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const mod = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  try {
    const m = require(mod);
    return m[kind] || null;
  } catch {
    return null;
  }
}

// additionalProperties: false on every object schema that lists properties and is not marked
// x-kubernetes-preserve-unknown-fields. Structural CRD schemas declare every property at the
// object's own level, so this is safe for allOf/anyOf branches too.
function tighten(node) {
  if (Array.isArray(node)) return node.forEach(tighten);
  if (!node || typeof node !== 'object') return;
  if (node.properties && node['x-kubernetes-preserve-unknown-fields'] !== true && node.additionalProperties === undefined) {
    node.additionalProperties = false;
  }
  for (const v of Object.values(node)) tighten(v);
}

function loadCrdValidator(schemaDir, apiVersion, kind) {
  const file = path.join(schemaDir, `${apiVersion.replace('/', '_')}_${kind}.json`);
  if (compiled.has(file)) return compiled.get(file);
  let v = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, 'utf8');
    const digest = crypto.createHash('sha256').update(VALIDATOR_VERSION).update(require('ajv/package.json').version).update(text).digest('hex');
    const cachedFile = path.join(cacheDir, `${digest}.js`);
    if (fs.existsSync(cachedFile)) {
      v = require(cachedFile);
      compiled.set(file, v);
      return v;
    }
    const schema = JSON.parse(text);
    delete schema.$schema;
    tighten(schema);
    // metadata is only {type: object} in CRD schemas: check it like ObjectMeta's common fields.
    if (schema.properties && schema.properties.metadata) {
      schema.properties.metadata = {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string' },
          namespace: { type: 'string' },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
        },
      };
    }
    v = ajv.compile(schema);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cachedFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, standaloneCode(ajv, v));
      fs.renameSync(tmp, cachedFile);
    } catch {
      /* a cache is optional */
    }
  }
  compiled.set(file, v);
  return v;
}

function track(value, p, seen) {
  if (value === null || typeof value !== 'object') return value;
  const reads = new Set();
  seen.push({ obj: value, path: p, reads });
  const target = Array.isArray(value)
    ? value.map((v, i) => track(v, `${p}[${i}]`, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, track(v, `${p}.${k}`, seen)]));
  return new Proxy(target, {
    get(t, k, r) {
      if (typeof k === 'string') reads.add(k);
      return Reflect.get(t, k, r);
    },
  });
}

function unknownFields(seen) {
  const out = [];
  for (const { obj, path: p, reads } of seen) {
    if (Array.isArray(obj) || reads.size === 0) continue;
    for (const k of Object.keys(obj)) if (!reads.has(k)) out.push(`${p}.${k}`.replace(/^\./, ''));
  }
  return out;
}

const fmtAjv = (errors) =>
  (errors || []).map((e) => {
    const extra = e.params && e.params.additionalProperty ? ` "${e.params.additionalProperty}"` : '';
    return `${e.instancePath || '/'} ${e.message}${extra}`;
  });

function validateObject(doc, schemaDir) {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return ['document is not a mapping'];
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['missing apiVersion or kind'];
  const Model = loadModel(apiVersion, kind);
  if (Model) {
    const seen = [];
    const tracked = track(doc, '', seen);
    const self = new Proxy(Object.create(Model.prototype), {
      get: (t, k) =>
        typeof k === 'symbol' || k === 'validate' || k === 'toJSON' || k === 'constructor'
          ? Reflect.get(Model.prototype, k)
          : tracked[k],
      ownKeys: () => Reflect.ownKeys(tracked),
      getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(tracked, k),
      has: (t, k) => k in tracked,
    });
    const errs = [];
    try {
      Model.prototype.validate.call(self);
    } catch (e) {
      const d = e.errors || e.details || (e.validation && e.validation.errors);
      errs.push(...(Array.isArray(d) ? fmtAjv(d) : [String(e.message || e)]));
    }
    for (const f of unknownFields(seen)) errs.push(`unknown field "${f}"`);
    return errs;
  }
  const v = loadCrdValidator(schemaDir, apiVersion, kind);
  if (v) return v(doc) ? [] : fmtAjv(v.errors);
  return [`no schema for ${apiVersion} ${kind}`];
}

module.exports = { validateObject };
