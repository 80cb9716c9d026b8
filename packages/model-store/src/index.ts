export { type ArtifactName, sha256Hex } from './ids.ts';
export type { ModelStore, ProductionPointer, ModelChecksums, ArtifactChecksum } from './store.ts';
export { LocalFolderStore } from './local.ts';
export { S3ModelStore, type S3ModelStoreOptions, type S3Credentials } from './s3.ts';
export { createModelStore } from './config.ts';
export { deployRun, rollback, type DeployOptions, type DeployResult } from './deploy.ts';
export { ModelCache, cacheFromEnv, type ModelCacheOptions } from './cache.ts';
