// check_yaml.cjs FILE... - every YAML document parses (yaml 2, strict, no
// duplicate keys), and the Kubernetes and compose files hold what tokd's
// deployment relies on. Prints "ok|FAIL" lines; exit 1 on any failure.
'use strict';
const fs = require('fs');
const YAML = require('yaml');
let fail = 0;
const check = (name, ok, detail) => { console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : ': ' + detail)); if (!ok) fail++; };
const docs = {};
for (const f of process.argv.slice(2)) {
  const parsed = YAML.parseAllDocuments(fs.readFileSync(f, 'utf8'), { uniqueKeys: true, strict: true });
  const errors = parsed.flatMap((d) => d.errors.concat(d.warnings));
  check('parses: ' + f.replace(/.*deploy\//, 'deploy/'), errors.length === 0, errors.map((e) => e.message).join('; '));
  for (const d of parsed) {
    const v = d.toJS();
    if (v && v.kind) docs[v.kind] = v;
    if (v && v.services) docs.compose = v;
  }
}
const dep = docs.Deployment, c = dep && dep.spec.template.spec.containers[0];
check('Deployment: liveness /healthz, readiness /readyz', c && c.livenessProbe.httpGet.path === '/healthz' &&
      c.readinessProbe.httpGet.path === '/readyz', JSON.stringify(c && [c.livenessProbe, c.readinessProbe]));
check('Deployment: non-root, read-only root file system', dep && dep.spec.template.spec.securityContext.runAsNonRoot === true &&
      c.securityContext.readOnlyRootFilesystem === true, JSON.stringify(c && c.securityContext));
check('Deployment: resources, preStop delay, grace period above the drain',
      c && c.resources.requests && c.resources.limits && c.lifecycle.preStop.exec.command.join(' ').includes('sleep') &&
      dep.spec.template.spec.terminationGracePeriodSeconds > 25, JSON.stringify(c && c.lifecycle));
check('Deployment: a shared volume for trained tokenizers', dep && c.volumeMounts.some((m) => m.mountPath === '/var/lib/tokd') &&
      docs.PersistentVolumeClaim && docs.PersistentVolumeClaim.spec.accessModes.includes('ReadWriteMany'), '');
for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ConfigMap', 'PersistentVolumeClaim'])
  check('Kubernetes: a ' + kind, !!docs[kind], 'missing');
const cm = docs.ConfigMap;
let cfg = null;
try { cfg = JSON.parse(cm.data['tokd.json']); JSON.parse(cm.data['models.json']); } catch (e) { cfg = null; }
check('ConfigMap: tokd.json and models.json are JSON', cfg && cfg.tokenizer_dir === '/var/lib/tokd/tokenizers', '');
const s = docs.compose && docs.compose.services;
check('compose: three tokd replicas behind nginx', s && ['tokd-1', 'tokd-2', 'tokd-3', 'nginx'].every((n) => s[n]) &&
      s.nginx.volumes.some((v) => v.startsWith('./nginx.conf:')), JSON.stringify(s && Object.keys(s)));
process.exit(fail ? 1 : 0);
