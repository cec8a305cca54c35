// check_yaml.cjs FILE... - every YAML document parses (yaml 2, strict, no
// duplicate keys), and the Kubernetes and compose files hold what tokd's
// deployment relies on. Prints "ok|FAIL" lines; exit 1 on any failure.
'use strict';
const fs = require('fs');
const YAML = require('yaml');
let fail = 0;
const check = (name, ok, detail) => { console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : ': ' + detail)); if (!ok) fail++; };
const docs = {}, jobs = [], claims = [];
for (const f of process.argv.slice(2)) {
  const parsed = YAML.parseAllDocuments(fs.readFileSync(f, 'utf8'), { uniqueKeys: true, strict: true });
  const errors = parsed.flatMap((d) => d.errors.concat(d.warnings));
  check('parses: ' + f.replace(/.*deploy\//, 'deploy/'), errors.length === 0, errors.map((e) => e.message).join('; '));
  for (const d of parsed) {
    const v = d.toJS();
    if (v && v.kind) docs[v.kind] = docs[v.kind] || v; /* the first of a kind: pvc.yaml's before the Jobs' */
    if (v && v.kind === 'Job') jobs.push(v);
    if (v && v.kind === 'PersistentVolumeClaim') claims.push(v);
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
// ---- sharded training: an indexed count Job, then a merge Job publishing into tokenizer_dir
const count = jobs.find((j) => j.spec.completionMode === 'Indexed');
const merge = jobs.find((j) => j !== count);
const pod = (j) => j && j.spec.template.spec, ctr = (j) => pod(j) && pod(j).containers[0];
if (jobs.length) {
  const args = (ctr(count) && ctr(count).args) || [];
  const shard = args[args.indexOf('--shard') + 1] || '';
  const env = (ctr(count) && ctr(count).env) || [];
  const idx = env.find((e) => e.name === 'SHARD');
  check('count Job: indexed, one pod per shard, --shard $(SHARD)/completions',
        count && count.spec.completions === count.spec.parallelism && args[0] === 'train' && args[1] === 'count' &&
        shard === `$(SHARD)/${count.spec.completions}` && idx && idx.valueFrom.fieldRef.fieldPath.includes('job-completion-index'),
        JSON.stringify(count && [count.spec, args]));
  const script = ((ctr(merge) && ctr(merge).args) || []).join('\n');
  const menv = Object.fromEntries(((ctr(merge) && ctr(merge).env) || []).map((e) => [e.name, e.value]));
  check('merge Job: trains --from-counts, renames into tokenizer_dir, checks the shard count',
        merge && script.includes('--from-counts') && script.includes('mv -T') && script.includes('/var/lib/tokd/tokenizers') &&
        menv.SHARDS === String(count && count.spec.completions), script);
  for (const j of [count, merge])
    check(`${j ? j.metadata.name : 'a Job'}: non-root, read-only root, resources, the shared volume, never restarted in place`,
          j && pod(j).securityContext.runAsNonRoot === true && ctr(j).securityContext.readOnlyRootFilesystem === true &&
          ctr(j).resources.requests && ctr(j).resources.limits && pod(j).restartPolicy === 'Never' &&
          ctr(j).volumeMounts.some((m) => m.mountPath === '/var/lib/tokd') &&
          pod(j).volumes.some((v) => v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === 'tokd-trained'),
          JSON.stringify(j && pod(j)));
  check('count Job: the corpus volume mounted read-only',
        ctr(count).volumeMounts.some((m) => m.mountPath === '/corpus' && m.readOnly) &&
        claims.some((c) => c.metadata.name === 'tokd-corpus'), '');
}
process.exit(fail ? 1 : 0);
