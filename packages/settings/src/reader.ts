import { type ErrorCode, RallyError } from '@rally/errors';

/** A value as a message quotes it: JSON-quoted, cut at 60 characters. */
export const shownValue = (raw: string): string => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);

const TRUE = ['1', 'true', 'yes'];
const FALSE = ['0', 'false', 'no'];

export interface SettingsReader {
  /** The trimmed value, or undefined when unset or blank. */
  text(name: string): string | undefined;
  /** An integer from `min` to `max`; `fallback` when unset. `label` names it in the message (a flag that gave it). */
  integer(name: string, fallback: number, min: number, max: number, label?: string): number;
  /** A number of seconds from `min` to `max`, as whole milliseconds; `fallbackSeconds` when unset. */
  secondsAsMs(name: string, fallbackSeconds: number, min: number, max: number): number;
  /** One of `allowed` (compared in lower case); `fallback` when unset. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** 1/0, true/false, yes/no; `fallback` when unset. */
  flag(name: string, fallback: boolean): boolean;
  /** The refusal of a setting: "<label> must <rule>, got <value>." */
  refuse(name: string, rule: string, raw: string, label?: string): RallyError;
  /** Any other sentence about the settings, with this reader's error code. */
  fail(message: string): RallyError;
}

/** The refusal of a setting in the one style: "<label> must <rule>, got <value>." */
export const settingRefusal = (code: ErrorCode, name: string, rule: string, raw: string, label = name, cause?: unknown): RallyError =>
  new RallyError(code, `${label} must ${rule}, got ${shownValue(raw)}.`, cause === undefined ? {} : { cause });

/** A reader of `env`, whose refusals carry `code`. */
export function settingsReader(env: NodeJS.ProcessEnv, code: ErrorCode): SettingsReader {
  const fail = (message: string) => new RallyError(code, message);
  const refuse = (name: string, rule: string, raw: string, label = name) => settingRefusal(code, name, rule, raw, label);
  const text = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };
  return {
    text,
    refuse,
    fail,
    integer(name, fallback, min, max, label) {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!/^[+]?\d+$/.test(raw) || value < min || value > max) throw refuse(name, `be an integer from ${min} to ${max}`, raw, label);
      return value;
    },
    secondsAsMs(name, fallbackSeconds, min, max) {
      const raw = text(name);
      if (raw === undefined) return Math.round(fallbackSeconds * 1000);
      const value = Number(raw);
      if (!/^[+]?(\d+\.?\d*|\.\d+)$/.test(raw) || value < min || value > max) throw refuse(name, `be a number of seconds from ${min} to ${max}`, raw);
      // Whole milliseconds: Node's HTTP server refuses fractions (1.005 s is 1004.999… ms).
      return Math.round(value * 1000);
    },
    oneOf(name, allowed, fallback) {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const value = raw.toLowerCase() as (typeof allowed)[number];
      if (!allowed.includes(value)) throw refuse(name, `be one of ${allowed.join(', ')}`, raw);
      return value;
    },
    flag(name, fallback) {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const value = raw.toLowerCase();
      if (TRUE.includes(value)) return true;
      if (FALSE.includes(value)) return false;
      throw refuse(name, 'be 1 or 0 (or true/false, yes/no)', raw);
    },
  };
}
