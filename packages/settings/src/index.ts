/**
 * @rally/settings: every setting rally reads from the environment goes through one reader, so the
 * server's settings and the model store's are parsed alike and refused in one style:
 *
 *   PORT must be an integer from 0 to 65535, got "eighty".
 *
 * (the setting, or the flag that gave it; the rule; the value, quoted and cut at 60 characters),
 * each consumer with its own error code (SERVER_CONFIG, STORE_CONFIG). And the `.env` file.
 */
export { settingRefusal, settingsReader, shownValue, type SettingsReader } from './reader.ts';
export { readEnvFile, loadEnvFile } from './env-file.ts';
