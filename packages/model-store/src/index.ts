/**
 * @rally/model-store: where models live. A local folder (the default) or S3, one layout
 * (models/<id>/ artifacts + checksums.json, history/, production.json); deploy, rollback and
 * history; a local download cache. The deploy command, which compares before it promotes, is
 * perf-benchmark's (src/deploy-cli.ts there).
 */
export type { ModelStore, ProductionPointer } from './store.ts';
export { LocalFolderStore } from './local.ts';
export { S3_DEFAULTS, S3ModelStore, type S3ModelStoreOptions, type S3Credentials } from './s3.ts';
export { createModelStore, DEFAULT_MODEL_STORE, modelMaxBytesFromEnv, modelStoreFromEnv, parseModelStoreLocation, s3OptionsFromEnv, withoutCredentials } from './config.ts';
export { deployRun, rollback, type DeployOptions, type DeployResult } from './deploy.ts';
export { DEFAULT_CACHE_TTL_MS, ModelCache, cacheFromEnv, type ModelCacheOptions } from './cache.ts';
export { writeFileAtomic } from './atomic.ts';
