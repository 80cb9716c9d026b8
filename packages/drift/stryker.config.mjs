// Mutation testing of this package: `pnpm test:mutation <package>` (settings in ../../stryker.shared.mjs).
import { strykerConfig } from '../../stryker.shared.mjs';

export default strykerConfig();
