// What the playground knows about one setting, as one record: its kind (a number in a range, one of
// a few choices, or a switch), its default, the label and one-line help the page shows, the short key
// a link carries it under, and Hugging Face TRL's name for it where TRL has one. The registries
// (settingsRegistry.ts, rlSettingsRegistry.ts) hold one record per setting; the defaults, the worker's
// checks, the link schema, the forms and the session-file checks are all read from them.
// (The models: TRL's dataclass fields with a default and a help text; TensorFlow Playground's State.)

/** The range of a numeric setting; the UI's fields and the worker's checks both use these. */
export interface Range {
  min: number;
  max: number;
  integer?: boolean;
  minExclusive?: boolean;
  label: string;
}

/** What every record says, whatever its kind. */
interface SettingFacts {
  /** What the form and the messages call it. */
  label: string;
  /** One line on what it does, shown when the pointer rests on the field. */
  help: string;
  /** The short key a shared link carries it under (`#beta=0.1`). */
  link: string;
  /** The name of the same knob in Hugging Face TRL's configs, where there is one. */
  trl?: string;
  /** Which box of its form it sits in. */
  section: string;
}

export interface NumberSetting extends SettingFacts, Range {
  kind: 'number';
  default: number;
  /** The unit the value is counted in, when it is not a plain number (tokens, steps, nats). */
  unit?: string;
  /** Shown in exponent form (a learning rate: 3e-4). */
  exponent?: boolean;
}

export interface ChoiceSetting<V extends string = string> extends SettingFacts {
  kind: 'choice';
  default: V;
  choices: readonly { id: V; label: string }[];
  /** What a message calls it ("way to pick pairs"); the label in lower case when left out. */
  noun?: string;
}

export interface FlagSetting extends SettingFacts {
  kind: 'flag';
  default: boolean;
}

export type SettingRecord = NumberSetting | ChoiceSetting | FlagSetting;

/** The record a value of type T needs: a number, a switch, or one of T's words. */
export type RecordOf<T> = [T] extends [number]
  ? NumberSetting
  : [T] extends [boolean]
    ? FlagSetting
    : [T] extends [string]
      ? ChoiceSetting<T>
      : never;

/** One record for every field of a settings object S: a field without its record does not compile. */
export type Registry<S> = { [K in keyof S]-?: RecordOf<S[K]> };

/** The settings object of a registry's defaults. */
export function defaultsOf<S>(registry: Registry<S>): S {
  const out: Record<string, unknown> = {};
  for (const [key, record] of Object.entries(registry) as [string, SettingRecord][]) out[key] = record.default;
  return out as S;
}

/** A message if `value` is outside `r`, else null. */
export function checkRange(value: unknown, r: Range): string | null {
  const low = r.minExclusive ? `above ${r.min}` : `from ${r.min}`;
  const wanted = `${r.label} must be ${r.integer ? 'a whole number ' : 'a number '}${low} to ${r.max}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${wanted} (got ${String(value)}).`;
  if (r.integer && !Number.isInteger(value)) return `${wanted} (got ${value}).`;
  if (value < r.min || (r.minExclusive && value === r.min) || value > r.max) return `${wanted} (got ${value}).`;
  return null;
}

/** The words as a sentence names them: "a or b", "a, b or c". */
const orList = (words: readonly string[]) =>
  words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;

/** A value from outside, shown short and never evaluated. */
const shortly = (v: unknown) => {
  const text = typeof v === 'string' ? v : typeof v === 'object' && v !== null ? 'an object' : String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** What a message calls a choice: its noun, else its label with a lower-case first letter (but "KL" stays). */
const nounOf = (r: ChoiceSetting) =>
  r.noun ?? (/^[A-Z][a-z]/.test(r.label) ? r.label[0].toLowerCase() + r.label.slice(1) : r.label);

/** A message if `value` cannot be this setting's value, else null. */
export function checkSetting(value: unknown, r: SettingRecord): string | null {
  switch (r.kind) {
    case 'number':
      return checkRange(value, r);
    case 'flag':
      return typeof value === 'boolean' ? null : `"${r.label}" must be on or off.`;
    case 'choice':
      return r.choices.some((c) => c.id === value)
        ? null
        : `Unknown ${nounOf(r)}: ${shortly(value)} (use ${orList(r.choices.map((c) => c.id))}).`;
  }
}

/** The message of the first value of `values` that its record refuses, else null. */
export function checkSettings(values: object | undefined, registry: Record<string, SettingRecord>): string | null {
  for (const [key, record] of Object.entries(registry)) {
    const problem = checkSetting((values as Record<string, unknown> | undefined)?.[key], record);
    if (problem) return problem;
  }
  return null;
}

/** The records of one form section, in the registry's order. */
export function sectionKeys<R extends Record<string, SettingRecord>>(
  registry: R,
  section: string,
): (keyof R & string)[] {
  return (Object.entries(registry) as [keyof R & string, SettingRecord][])
    .filter(([, r]) => r.section === section)
    .map(([key]) => key);
}
