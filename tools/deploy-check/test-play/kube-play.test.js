'use strict';
// scripts/kube-play.sh fails, naming the step, on each deliberately broken copy of the manifests,
// and leaves nothing behind. Needs the images (scripts/build-images.sh, ... postgres) and root:
// run by scripts/test.sh after the image build, not by `npm test`.
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const brokenDeploys = require('../broken-deploys');

const repo = path.resolve(__dirname, '../../..');
const script = path.join(repo, 'scripts/kube-play.sh');

function brokenCopy(edits) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tim-kube-play-'));
  fs.cpSync(path.join(repo, 'kube'), path.join(dir, 'kube'), { recursive: true });
  for (const [rel, edit] of edits) {
    const f = path.join(dir, rel);
    const before = fs.readFileSync(f, 'utf8');
    const after = edit(before);
    assert.notStrictEqual(after, before, `edit of ${rel} changed nothing`);
    fs.writeFileSync(f, after);
  }
  return dir;
}

const podman = (...args) => spawnSync('podman', args, { encoding: 'utf8' });

// One at a time: the script plays pods named after the Services, and takes a lock.
for (const [name, edits, , expect] of brokenDeploys) {
  test(`kube-play.sh tim-gateway fails on ${name}`, (t) => {
    const dir = brokenCopy(edits);
    const r = spawnSync('bash', [script, 'tim-gateway'], {
      env: { ...process.env, TIM_REPO: dir },
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    const out = r.stdout + r.stderr;
    assert.notStrictEqual(r.status, 0, `kube-play passed on ${name}:\n${out}`);
    assert.match(out, expect, out);
    t.diagnostic(out.split('\n').find((l) => /FAIL at step/.test(l)));
    assert.doesNotMatch(out, /FAIL at step teardown/, out);
    // Nothing of the run is left: pods, secrets, volumes, networks.
    for (const pod of ['gateway', 'auth-svc', 'invoices-svc', 'expected-date-svc', 'postgres'])
      assert.notStrictEqual(podman('pod', 'exists', pod).status, 0, `pod ${pod} left behind`);
    for (const kind of ['secret', 'volume', 'network']) {
      const names = podman(kind, 'ls', '--format', '{{.Name}}').stdout.split('\n').filter((n) => n.startsWith('tim-play-'));
      assert.deepStrictEqual(names, [], `${kind}s left behind`);
    }
  });
}
