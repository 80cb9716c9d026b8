export { ARTIFACTS, type ArtifactName, isModelId, assertModelId, sha256Hex } from './ids.ts';
export type { ModelStore, ProductionPointer, ModelChecksums, ArtifactChecksum } from './store.ts';
export { ObjectModelStore } from './store.ts';
export { LocalFolderStore } from './local.ts';
export { S3ModelStore, mapS3Error, type S3ModelStoreOptions, type S3Credentials } from './s3.ts';
export { createModelStore, parseModelStoreLocation, DEFAULT_MODEL_STORE, type ModelStoreLocation } from './config.ts';
export { deployRun, rollback, type DeployOptions, type DeployResult } from './deploy.ts';
export { ModelCache, cacheFromEnv, DEFAULT_CACHE_TTL_MS, type ModelCacheOptions } from './cache.ts';
