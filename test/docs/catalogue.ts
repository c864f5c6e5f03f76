import {
  aggregateOfStream,
  commandNames,
  configPatchSchema,
  currentSchemaVersions,
  defaultConfig,
  eventSchemas,
  eventTypes,
  moneyInputSchema,
  personalFields,
  streamOfEvent,
  streamsOf,
  commandSchemas,
  type CommandName,
  type CrmCommand,
  type CrmEvent,
  type EventType,
} from '@eventcrm/domain';
import type { TableSpec } from '@eventcrm/projections';
import { allProjections } from '@eventcrm/runtime';
import { slug as anchorOf } from './markdown.ts';

/**
 * The generator of `docs/catalogue.md`: every command's `data` fields and
 * every event type's fields, read from the zod schemas `@eventcrm/domain`
 * exports, plus the read-model tables of every projection. The structure
 * (types, optionality, enum values, length and range limits) comes from zod's
 * JSON Schema conversion; the rules JSON Schema cannot express (refinements
 * and transforms such as phone normalisation) are given by the schemas' own
 * validation messages, so the page says exactly what a rejection says.
 *
 * `scripts/catalogue.ts` writes the page; `catalogue.spec.ts` fails when the
 * committed page differs from what this module renders.
 */

/** The command that rewrites the page, quoted in its header and in the staleness test's message. */
export const catalogueCommand = 'node --conditions=@eventcrm/source --import tsx scripts/catalogue.ts';

/** Where the page lives, relative to the repository root. */
export const cataloguePath = 'docs/catalogue.md';

// ---------------------------------------------------------------------------
// The two views of a schema: JSON Schema for structure, zod's definition for
// the messages of rules JSON Schema cannot carry.
// ---------------------------------------------------------------------------

/** The subset of JSON Schema (draft 2020-12) zod emits for eventcrm's schemas. */
interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly properties?: { readonly [key: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
}

/**
 * A zod 4 schema seen through its public definition (`schema.def`): the
 * generator reads wrappers (optional, nullable, pipe), object shapes, array
 * elements and the checks with their messages. Typed loosely on purpose: the
 * domain does not export zod, and the catalogue must not depend on one.
 */
interface ZodLike {
  readonly def: {
    readonly type: string;
    readonly shape?: { readonly [key: string]: ZodLike };
    readonly innerType?: ZodLike;
    readonly in?: ZodLike;
    readonly out?: ZodLike;
    readonly element?: ZodLike;
    readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string; readonly error?: (issue: unknown) => unknown; readonly path?: readonly PropertyKey[] } } }[];
  };
  toJSONSchema(params?: { readonly io?: 'input' | 'output'; readonly unrepresentable?: 'any' | 'throw' }): unknown;
  safeParse(value: unknown): { readonly success: boolean; readonly error?: { readonly issues: readonly { readonly code: string; readonly message: string; readonly path: readonly PropertyKey[] }[] } };
}

const asZod = (schema: unknown): ZodLike => schema as ZodLike;

/** JSON Schema of what a schema accepts (its input side: transforms are described by what they take). */
const jsonOf = (schema: ZodLike): JsonSchema => schema.toJSONSchema({ io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Strips the wrappers that only change optionality or nullability. */
function unwrap(schema: ZodLike): ZodLike {
  let current = schema;
  while ((current.def.type === 'optional' || current.def.type === 'nullable' || current.def.type === 'default') && current.def.innerType !== undefined) {
    current = current.def.innerType;
  }
  return current;
}

/** The object schema inside wrappers and pipes (a refined or transformed object), or undefined. */
function objectOf(schema: ZodLike): ZodLike | undefined {
  const inner = unwrap(schema);
  if (inner.def.type === 'object') return inner;
  if (inner.def.type === 'pipe' && inner.def.in !== undefined) return objectOf(inner.def.in);
  return undefined;
}

/** The message a check reports, when it was given one (default messages are left to JSON Schema's limits). */
function checkMessage(check: NonNullable<ZodLike['def']['checks']>[number]): string | undefined {
  const { error } = check._zod.def;
  if (error === undefined) return undefined;
  try {
    const result = error({ code: 'custom', input: undefined, path: [] });
    if (typeof result === 'string') return result;
    if (typeof result === 'object' && result !== null && typeof (result as { message?: unknown }).message === 'string') return (result as { message: string }).message;
  } catch {
    // A message built from the failing input: nothing to print without one.
  }
  return undefined;
}

/** Check kinds whose limits JSON Schema already states (lengths, ranges, integer-ness). */
const limitChecks: ReadonlySet<string> = new Set(['min_length', 'max_length', 'length_equals', 'less_than', 'greater_than', 'number_format', 'multiple_of', 'min_size', 'max_size', 'overwrite']);

/** True when a schema (or anything inside its pipes) transforms its value. */
function transforms(schema: ZodLike): boolean {
  const inner = unwrap(schema);
  if (inner.def.type === 'transform') return true;
  if (inner.def.type === 'pipe') return (inner.def.in !== undefined && transforms(inner.def.in)) || (inner.def.out !== undefined && transforms(inner.def.out));
  return false;
}

/**
 * The rules of one value that JSON Schema cannot state, as the schema's own
 * messages: refinements and named formats carry their message in the check;
 * a transform (phone, timestamp) only says it when fed a value it refuses,
 * so it is probed with a string no format accepts.
 */
function ruleMessages(schema: ZodLike): string[] {
  const messages: string[] = [];
  const visit = (node: ZodLike): void => {
    const inner = unwrap(node);
    for (const check of inner.def.checks ?? []) {
      if (limitChecks.has(check._zod.def.check) || (check._zod.def.path?.length ?? 0) > 0) continue;
      const message = checkMessage(check);
      if (message !== undefined) messages.push(message);
    }
    if (inner.def.type === 'pipe') {
      if (inner.def.in !== undefined) visit(inner.def.in);
      if (inner.def.out !== undefined) visit(inner.def.out);
    }
  };
  visit(schema);
  if (transforms(schema) && objectOf(schema) === undefined) {
    for (const issue of schema.safeParse('?').error?.issues ?? []) {
      if (issue.code === 'custom' || issue.code === 'invalid_format') messages.push(issue.message);
    }
  }
  return [...new Set(messages)];
}

/**
 * Messages of object-level refinements that name the field they are about
 * (`MergeCustomers`: `duplicateId`), by field; and whether the object has
 * refinements whose message is only known at run time (`superRefine`).
 */
function objectRules(object: ZodLike): { readonly byField: ReadonlyMap<string, string[]>; readonly unnamed: boolean } {
  const byField = new Map<string, string[]>();
  let unnamed = false;
  for (const check of object.def.checks ?? []) {
    const message = checkMessage(check);
    const field = check._zod.def.path?.[0];
    if (message !== undefined && typeof field === 'string') byField.set(field, [...(byField.get(field) ?? []), message]);
    else unnamed = true;
  }
  return { byField, unnamed };
}

// ---------------------------------------------------------------------------
// Rows: one per field, nested objects flattened with dotted paths (`*` for
// every element of an array, as in `personalFields`).
// ---------------------------------------------------------------------------

interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly rules: readonly string[];
}

const code = (text: string): string => `\`${text}\``;

/** Alternatives of a JSON Schema without its `null` branch, and whether `null` is allowed. */
function withoutNull(json: JsonSchema): { readonly schema: JsonSchema; readonly nullable: boolean } {
  const types: readonly string[] = typeof json.type === 'string' ? [json.type] : (json.type ?? []);
  if (types.length > 1 && types.includes('null')) {
    const rest = types.filter((type) => type !== 'null');
    return { schema: { ...json, type: rest.length === 1 ? rest[0]! : rest }, nullable: true };
  }
  if (json.anyOf !== undefined) {
    const rest = json.anyOf.filter((branch) => branch.type !== 'null');
    if (rest.length === 1 && rest.length < json.anyOf.length) return { schema: rest[0]!, nullable: true };
  }
  return { schema: json, nullable: false };
}

const isMoneyInput = (json: JsonSchema): boolean => json.type === 'object' && sameKeys(json.properties, ['amount', 'currency']);
const isStoredMoney = (json: JsonSchema): boolean => json.type === 'object' && sameKeys(json.properties, ['currency', 'minor']);
const sameKeys = (properties: JsonSchema['properties'], keys: readonly string[]): boolean =>
  properties !== undefined && Object.keys(properties).sort().join(',') === [...keys].sort().join(',');

const range = (low: number | undefined, high: number | undefined, unit: string): string | undefined => {
  if (low !== undefined && high !== undefined) return low === high ? `exactly ${low}${unit}` : `${low}–${high}${unit}`;
  if (low !== undefined) return `at least ${low}${unit}`;
  if (high !== undefined) return `at most ${high}${unit}`;
  return undefined;
};

/** The limits a JSON Schema states, in words. */
function limitsOf(json: JsonSchema, hasFormatMessage: boolean): string[] {
  const limits: string[] = [];
  if (json.enum !== undefined) limits.push(`one of ${json.enum.map((value) => code(String(value))).join(', ')}`);
  const length = range(json.minLength, json.maxLength, ' characters');
  if (length !== undefined) limits.push(length);
  const items = range(json.minItems, json.maxItems, ' items');
  if (items !== undefined) limits.push(items);
  if (json.exclusiveMinimum !== undefined || json.exclusiveMaximum !== undefined) {
    const low = json.exclusiveMinimum !== undefined ? `greater than ${json.exclusiveMinimum}` : json.minimum !== undefined ? `at least ${json.minimum}` : undefined;
    const high = json.exclusiveMaximum !== undefined ? `less than ${json.exclusiveMaximum}` : json.maximum !== undefined ? `at most ${json.maximum}` : undefined;
    limits.push([low, high].filter((part) => part !== undefined).join(' and '));
  } else {
    const bounds = range(json.minimum, json.maximum, '');
    if (bounds !== undefined) limits.push(bounds);
  }
  if (json.pattern !== undefined && !hasFormatMessage) limits.push(`matches ${code(json.pattern)}`);
  return limits;
}

function typeName(json: JsonSchema): string {
  if (isMoneyInput(json)) return 'money';
  if (isStoredMoney(json)) return 'stored money';
  if (json.enum !== undefined) return 'enum';
  if (json.type === 'array') {
    if (json.items === undefined) return 'array';
    const element = typeName(withoutNull(json.items).schema);
    return `array of ${element === 'object' ? 'objects' : element === 'string' ? 'strings' : element}`;
  }
  if (Array.isArray(json.type)) return json.type.join(' or ');
  if (json.type === 'object' && json.properties !== undefined && Object.keys(json.properties).length === 0) return 'object (any keys)';
  return typeof json.type === 'string' ? json.type : 'any';
}

/**
 * Flattens an object's fields. `zod` is the matching zod object (for rule
 * messages) when known: command schemas give it; event schemas have no
 * rules beyond their structure.
 */
function rowsOf(json: JsonSchema, zod: ZodLike | undefined, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(json.required ?? []);
  const object = zod === undefined ? undefined : objectOf(zod);
  const named = object === undefined ? new Map<string, string[]>() : objectRules(object).byField;
  for (const [key, fieldJson] of Object.entries(json.properties ?? {})) {
    const path = `${prefix}${key}`;
    const fieldZod = object?.def.shape?.[key];
    const { schema, nullable } = withoutNull(fieldJson);
    const messages = [...(fieldZod === undefined ? [] : ruleMessages(fieldZod)), ...(named.get(key) ?? [])];
    const type = `${typeName(schema)}${nullable ? ' or null' : ''}`;
    const expand = schema.type === 'object' && !isMoneyInput(schema) && !isStoredMoney(schema) && Object.keys(schema.properties ?? {}).length > 0;
    rows.push({ path, type, required: required.has(key), rules: [...limitsOf(schema, messages.length > 0), ...messages] });
    if (expand) rows.push(...rowsOf(schema, fieldZod, `${path}.`));
    const element = schema.type === 'array' && schema.items !== undefined ? withoutNull(schema.items).schema : undefined;
    if (element !== undefined && element.type === 'object' && !isStoredMoney(element) && !isMoneyInput(element)) {
      const elementZod = fieldZod === undefined ? undefined : unwrap(fieldZod).def.element;
      rows.push(...rowsOf(element, elementZod, `${path}.*.`));
    }
  }
  return rows;
}

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// Grouping by aggregate, with the domain's own routing.
// ---------------------------------------------------------------------------

type Aggregate = 'member' | 'customer' | 'opportunity' | 'ticket' | 'config';
const aggregates: readonly { readonly kind: Aggregate; readonly title: string }[] = [
  { kind: 'member', title: 'Members' },
  { kind: 'customer', title: 'Customers' },
  { kind: 'opportunity', title: 'Opportunities' },
  { kind: 'ticket', title: 'Tickets' },
  { kind: 'config', title: 'Configuration' },
];

/**
 * The aggregate a command writes to, as `streamsOf` routes it: the command
 * is dressed with a placeholder for every top-level field, which is all the
 * routing reads.
 */
function aggregateOfCommand(name: CommandName): Aggregate {
  const json = jsonOf(asZod(commandSchemas[name]));
  const data = Object.fromEntries(Object.keys(json.properties ?? {}).map((key) => [key, 'x']));
  const stream = streamsOf({ command: name, data } as unknown as CrmCommand)[0];
  const kind = stream === undefined ? undefined : aggregateOfStream(stream);
  if (kind === undefined) throw new Error(`catalogue: cannot tell which aggregate ${name} belongs to (stream ${String(stream)})`);
  return kind;
}

/** The stream name pattern of an event type, from `streamOfEvent` with placeholders for the ids. */
function streamPatternOf(type: EventType): string {
  const placeholders = { memberId: '<memberId>', customerId: '<customerId>', opportunityId: '<opportunityId>', ticketId: '<ticketId>' };
  return streamOfEvent({ type, data: placeholders } as unknown as CrmEvent);
}


// ---------------------------------------------------------------------------
// The page.
// ---------------------------------------------------------------------------

/** The money legend, in the words of `moneyInputSchema`'s own rejections. */
function moneyLegend(): string {
  const money = asZod(moneyInputSchema);
  const amountMessage = money.safeParse({ amount: '?', currency: 'USD' }).error?.issues[0]?.message ?? '';
  const currencyMessage = money.safeParse({ amount: '1', currency: '?' }).error?.issues[0]?.message ?? '';
  return `\`{ "amount": "…", "currency": "…" }\`; amount: ${amountMessage}, with at most the currency's minor digits; currency: ${currencyMessage}`;
}

function commandSection(name: CommandName): string {
  const zod = asZod(name === 'Configure' ? configPatchSchema : commandSchemas[name]);
  const json = jsonOf(zod);
  const rows = rowsOf(json, zod);
  const object = objectOf(zod);
  const parts = [`#### ${name}`, ''];
  if (name === 'Configure') {
    parts.push(
      '`data` is a partial configuration, deep-merged over the one in force (arrays are replaced whole). Problems inside `data` are `INVALID_CONFIGURATION`, not `INVALID_COMMAND`. Defaults are those of `defaultConfig`.',
      '',
      table(['field', 'type', 'default', 'rules'], rows.map((row) => [code(row.path), row.type, defaultAt(row.path), row.rules.join('; ')])),
    );
  } else if (rows.length === 0) {
    parts.push('No `data` fields.');
  } else {
    parts.push(table(['field', 'type', 'required', 'rules'], rows.map((row) => [code(row.path), row.type, row.required ? 'yes' : 'no', row.rules.join('; ')])));
  }
  const acrossFields = object !== undefined && objectRules(object).unnamed ? ', including the checks across fields,' : '';
  parts.push('', `Rules${acrossFields} and rejections: [commands.md](commands.md#${anchorOf(name)}).`);
  return parts.join('\n');
}

/** The default configuration value at a dotted path, as JSON (arrays and objects abbreviated). */
function defaultAt(path: string): string {
  let value: unknown = defaultConfig;
  for (const key of path.split('.')) {
    if (key === '*') return '';
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.every((item) => typeof item === 'object' && item !== null && 'id' in item) ? value.map((item) => code(String((item as { id: unknown }).id))).join(', ') : code(JSON.stringify(value));
  return typeof value === 'object' ? '' : code(JSON.stringify(value));
}

function eventSection(type: EventType): string {
  const json = jsonOf(asZod(eventSchemas[type]));
  const personal = new Set(personalFields[type] ?? []);
  const rows = rowsOf(json, undefined);
  const parts = [`#### ${type}`, '', `Stream ${code(streamPatternOf(type))}, schema version ${currentSchemaVersions[type]}.`, ''];
  parts.push(
    table(
      ['field', 'type', 'always present', 'notes'],
      rows.map((row) => [
        code(row.path),
        row.type,
        row.required ? 'yes' : 'no',
        [...row.rules, ...(personal.has(row.path) ? ['personal: stored encrypted, `null` once erased'] : [])].join('; '),
      ]),
    ),
  );
  return parts.join('\n');
}

function tableSection(spec: TableSpec): string {
  const notes = [
    `key (${spec.key.map(code).join(', ')})`,
    ...(spec.indexes ?? []).map((index) => `index (${index.map(code).join(', ')})`),
    ...(spec.resident === true ? ['resident (kept wholly in memory by the runner)'] : []),
  ];
  return [`#### ${spec.name}`, '', `${notes.join('; ')}.`, '', table(['column', 'type'], Object.entries(spec.columns).map(([column, type]) => [code(column), type]))].join('\n');
}

/** Renders the whole page. Deterministic: the same schemas give the same bytes. */
export function renderCatalogue(): string {
  const commandsBy = new Map<Aggregate, CommandName[]>();
  for (const name of commandNames) commandsBy.set(aggregateOfCommand(name), [...(commandsBy.get(aggregateOfCommand(name)) ?? []), name]);
  const eventsBy = new Map<Aggregate, EventType[]>();
  for (const type of eventTypes) {
    const kind = aggregateOfStream(streamPatternOf(type)) ?? 'config';
    eventsBy.set(kind, [...(eventsBy.get(kind) ?? []), type]);
  }

  const out: string[] = [
    '# Command and event catalogue',
    '',
    `<!-- Generated from the zod schemas of @eventcrm/domain and the projection definitions. Do not edit: run \`${catalogueCommand}\`. -->`,
    '',
    `Every command with the fields of its \`data\`, every event type with its fields and current schema version, and every read-model table. This page is generated from the code (\`${catalogueCommand}\`), and a test fails when it is out of date. What each command decides, and the rejection codes it can answer, are in [commands.md](commands.md).`,
    '',
    'How to read the tables:',
    '',
    '- Command `data` objects are strict: a key not listed is rejected with `INVALID_COMMAND`, naming its path. Nested fields are written with dots (`changes.phone`); `*` stands for every element of an array.',
    '- The rules column states the limits of the schema and quotes the message a rejection gives for the rest.',
    `- \`money\` in a command: ${moneyLegend()}.`,
    '- `stored money` in an event: `{ "currency": "USD", "minor": "1250050" }`, integer minor units as a decimal string.',
    '- `or null` in a command clears the field; in an event it means the value was absent (or erased).',
    '',
    '## Contents',
    '',
  ];
  for (const { kind, title } of aggregates) {
    const commands = commandsBy.get(kind) ?? [];
    const events = eventsBy.get(kind) ?? [];
    out.push(`- ${title}: ${[...commands, ...events].map((name) => `[${name}](#${anchorOf(name)})`).join(', ')}`);
  }
  out.push('- [Read-model tables](#read-model-tables)', '', '## Commands', '');
  for (const { kind, title } of aggregates) {
    const commands = commandsBy.get(kind) ?? [];
    if (commands.length === 0) continue;
    out.push(`### ${title}: commands`, '');
    for (const name of commands) out.push(commandSection(name), '');
  }
  out.push('## Events', '');
  for (const { kind, title } of aggregates) {
    const events = eventsBy.get(kind) ?? [];
    if (events.length === 0) continue;
    out.push(`### ${title}: events`, '');
    for (const type of events) out.push(eventSection(type), '');
  }
  out.push(
    '## Read-model tables',
    '',
    'The tables of every projection, by the names they have in the database (SQLite and PostgreSQL keep them beside the events). What the columns mean, and how each store types them: [guide-analysts.md](guide-analysts.md).',
    '',
  );
  for (const projection of allProjections) {
    out.push(`### Projection \`${projection.name}\` (version ${projection.version})`, '');
    for (const spec of projection.tables) out.push(tableSection(spec), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
