/**
 * The JSON Schema (draft-07) of one line of `--json` output: every line on stdout is one object
 * with `ts`, `level` and `type`, and `type` says which of the definitions below it is. Published
 * by `npm run schema` as schemas/events.schema.json (a unit test fails when that file is stale);
 * the event definitions are checked against the TypeScript event types of src/io.ts at compile
 * time (EventsMatchTheirTypes below), so the two cannot drift. docs/json-output.md describes it.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { PROGRESS_PHASES, PROGRESS_UNITS, type EventOf, type MigrateEventType } from '../io.js';

const ts = { type: 'string', description: 'When the line was written: ISO 8601, UTC, milliseconds.', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$' } as const;
const info = { type: 'string', enum: ['info'] } as const;
const count = { type: 'integer', minimum: 0 } as const;
const seconds = { type: 'number', minimum: 0 } as const;

export const EVENTS_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://github.com/calico-migrate/calico-migrate/schemas/events.schema.json',
  title: 'CalicoMigrateJsonLine',
  description:
    'One line of calico-migrate --json output (JSON Lines on stdout): narration (log), progress and apply events as they happen, then the command result (or error) as the last line. See docs/json-output.md.',
  type: 'object',
  required: ['ts', 'level', 'type'],
  properties: {
    ts,
    level: { type: 'string', enum: ['info', 'warn', 'error', 'debug'] },
    type: { type: 'string', enum: ['log', 'progress', 'apply_start', 'wave_start', 'apply_errored', 'apply_warning', 'apply_complete', 'result', 'error'] },
  },
  discriminator: { propertyName: 'type' },
  oneOf: [
    { $ref: '#/definitions/log' },
    { $ref: '#/definitions/progress' },
    { $ref: '#/definitions/apply_start' },
    { $ref: '#/definitions/wave_start' },
    { $ref: '#/definitions/apply_errored' },
    { $ref: '#/definitions/apply_warning' },
    { $ref: '#/definitions/apply_complete' },
    { $ref: '#/definitions/result' },
    { $ref: '#/definitions/error' },
  ],
  definitions: {
    log: {
      description: 'Narration a person would read on stderr without --json (debug lines only with --debug).',
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'message'],
      properties: {
        ts,
        level: { type: 'string', enum: ['info', 'warn', 'error', 'debug'] },
        type: { type: 'string', enum: ['log'] },
        message: { type: 'string' },
      },
    },
    progress: {
      description: 'How far one long step is: at its start, at most a few times a second while it runs, and at its end (final).',
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'phase', 'unit', 'done', 'total', 'rate_per_s', 'eta_s', 'elapsed_s', 'final', 'wave'],
      properties: {
        ts,
        level: info,
        type: { type: 'string', enum: ['progress'] },
        phase: { type: 'string', enum: PROGRESS_PHASES },
        unit: { type: 'string', enum: PROGRESS_UNITS },
        done: count,
        total: { type: ['integer', 'null'], minimum: 0, description: 'Null while not known (keys read from etcd).' },
        rate_per_s: seconds,
        eta_s: { type: ['number', 'null'], minimum: 0, description: 'Seconds left at the current rate; null before anything was done or without a total.' },
        elapsed_s: seconds,
        final: { type: 'boolean', description: 'The last line of this phase.' },
        wave: { type: ['integer', 'null'], minimum: 0, description: 'apply: the wave being written; null otherwise.' },
      },
    },
    apply_start: {
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'total', 'waves', 'done', 'parallelism', 'resumed'],
      properties: {
        ts,
        level: info,
        type: { type: 'string', enum: ['apply_start'] },
        total: count,
        waves: count,
        done: count,
        parallelism: { type: 'integer', minimum: 1 },
        resumed: { type: 'boolean' },
      },
    },
    wave_start: {
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'wave', 'phase', 'count', 'planned'],
      properties: {
        ts,
        level: info,
        type: { type: 'string', enum: ['wave_start'] },
        wave: count,
        phase: { type: 'string', enum: ['apply', 'delete'] },
        count,
        planned: count,
      },
    },
    apply_errored: {
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'address', 'action', 'reason', 'message'],
      properties: {
        ts,
        level: { type: 'string', enum: ['error'] },
        type: { type: 'string', enum: ['apply_errored'] },
        address: { type: 'string' },
        action: { type: 'string' },
        reason: { type: 'string', enum: ['STALE', 'REJECTED', 'UNKNOWN', 'LEASE_LOST', 'INJECTED', 'ERROR'] },
        message: { type: 'string' },
      },
    },
    apply_warning: {
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'message'],
      properties: {
        ts,
        level: { type: 'string', enum: ['warn'] },
        type: { type: 'string', enum: ['apply_warning'] },
        message: { type: 'string' },
      },
    },
    apply_complete: {
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'done', 'total', 'seconds'],
      properties: {
        ts,
        level: info,
        type: { type: 'string', enum: ['apply_complete'] },
        done: count,
        total: count,
        seconds,
      },
    },
    result: {
      description: "The command's result, always the last line of a command that did not fail: its exit code and its data (the command's own document, see docs/json-output.md).",
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'exit_code', 'data'],
      properties: {
        ts,
        level: { type: 'string', enum: ['info', 'warn'], description: 'warn when the exit code is not 0 (changes, a failed check or gate, a partial apply).' },
        type: { type: 'string', enum: ['result'] },
        exit_code: count,
        data: { type: 'object', description: 'What the command reports; its fields are described per command in docs/json-output.md.' },
      },
    },
    error: {
      description: 'The command failed: the last line, with the exit code (the table in the README) and its name.',
      type: 'object',
      additionalProperties: false,
      required: ['ts', 'level', 'type', 'error', 'exit_code', 'message'],
      properties: {
        ts,
        level: { type: 'string', enum: ['error'] },
        type: { type: 'string', enum: ['error'] },
        error: { type: 'string', description: 'The exit code name, e.g. USAGE, STALE.' },
        exit_code: { type: 'integer', minimum: 1 },
        message: { type: 'string' },
        hint: { type: 'string', description: 'The next step.' },
        details: { description: 'What the error names, when it names more than the message says.' },
      },
    },
  },
} as const;

type Definitions = typeof EVENTS_SCHEMA.definitions;
/** The event part of a line: what the core emits (io.ts), without the host's `ts` and `level`. */
type EventPart<K extends MigrateEventType> = Omit<FromSchema<Definitions[K]>, 'ts' | 'level'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when an event type of io.ts and its definition here differ (or an event has none). */
type EventsMatchTheirTypes = { [K in MigrateEventType]: Same<EventPart<K>, EventOf<K>> };
export const EVENTS_MATCH_THEIR_TYPES: EventsMatchTheirTypes = {
  progress: true,
  apply_start: true,
  wave_start: true,
  apply_errored: true,
  apply_warning: true,
  apply_complete: true,
};
