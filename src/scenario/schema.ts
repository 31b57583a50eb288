// The scenario JSON Schema published for editors (yaml-language-server), generated from the action
// definitions so it cannot drift from the validator. Any non-text param may also be a `${{ }}`.

import { actionId, type ActionDefinition } from '../actions/action.ts';
import { BUILTIN_BRANCHES } from './model.ts';
import { VARIABLE_NAME_PATTERN } from './names.ts';

type JsonSchema = Record<string, unknown>;

export const SCHEMA_ID = 'https://ringflow.dev/schema/scenario.schema.json';

export function scenarioSchema(actions: readonly ActionDefinition[]): JsonSchema {
  const ids = actions.map(actionId);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'Ringflow scenario',
    description: 'A voice call flow, compatible with Callr Actions. Generated from the action definitions: do not edit.',
    type: 'object',
    additionalProperties: false,
    required: ['branches'],
    properties: {
      description: { type: 'string', description: 'Free text.' },
      compat: {
        type: 'object',
        additionalProperties: false,
        properties: { version: { type: 'string', description: 'Behaviour version; Ringflow implements 2025-09-01.', examples: ['2025-09-01'] } },
      },
      defaults: {
        type: 'object',
        additionalProperties: false,
        properties: {
          language: { type: 'string', pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', default: 'en-US', description: 'BCP-47 language of text-to-speech.' },
          autoAnswer: { type: 'boolean', default: true, description: 'false: inbound calls ring until answer@v1 (or an action that needs audio).' },
          voice: { type: 'string', description: 'Default text-to-speech voice.' },
          timezone: { type: 'string', description: 'IANA time zone, e.g. Europe/Paris.' },
        },
      },
      variables: {
        type: 'object',
        description: 'Run variables and their initial values. The bare word undefined stands for JavaScript undefined.',
        propertyNames: { pattern: VARIABLE_NAME_PATTERN },
      },
      branches: {
        type: 'object',
        description: `Named step lists. Built-in: ${BUILTIN_BRANCHES.join(', ')}; others run through goto or dial@v1 answerOnBranch.`,
        minProperties: 1,
        additionalProperties: {
          anyOf: [
            { $ref: '#/definitions/steps' },
            { type: 'object', additionalProperties: false, required: ['actions'], properties: { actions: { $ref: '#/definitions/steps' } } },
          ],
        },
      },
    },
    definitions: {
      expression: { type: 'string', pattern: '\\$\\{\\{[\\s\\S]*\\}\\}', description: 'A JavaScript expression: ${{ ... }}.' },
      variableName: { type: 'string', pattern: VARIABLE_NAME_PATTERN },
      condition: { type: ['string', 'boolean', 'number'], description: 'A JavaScript expression, without ${{ }}.' },
      steps: { type: 'array', items: { $ref: '#/definitions/step' } },
      step: {
        type: 'object',
        properties: {
          action: { type: 'string', enum: ids, description: 'name@version' },
          params: { type: 'object' },
          result: { $ref: '#/definitions/variableName', description: 'Variable that receives the result.' },
          if: { $ref: '#/definitions/condition' },
          then: { $ref: '#/definitions/steps' },
          else: { $ref: '#/definitions/steps' },
          label: { type: 'string', description: 'Target of goto.' },
          id: { type: ['string', 'number'], description: 'Stable id: input[ID] in templates.' },
          goto: {
            anyOf: [
              { type: 'string', description: 'A label of this branch.' },
              { type: 'object', additionalProperties: false, required: ['label'], properties: { label: { type: 'string' } } },
              { type: 'object', additionalProperties: false, required: ['branch'], properties: { branch: { type: 'string' } } },
            ],
          },
          events: { type: 'object', additionalProperties: { $ref: '#/definitions/steps' } },
        },
        additionalProperties: false,
        anyOf: [{ required: ['action'] }, { required: ['if', 'then'] }, { required: ['goto'] }, { required: ['label'] }],
        allOf: actions.map((a) => ({
          if: { required: ['action'], properties: { action: { const: actionId(a) } } },
          then: { ...(needsParams(a) ? { required: ['params'] } : {}), properties: { params: { $ref: `#/definitions/${actionId(a)}` } } },
        })),
      },
      ...Object.fromEntries(actions.map((a) => [actionId(a), { description: a.summary, ...acceptExpressions(plain(a.params)) }])),
    },
  };
}

/** True when the action has a param without a default that must be given. */
function needsParams(action: ActionDefinition): boolean {
  const schema = plain(action.params);
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return ((schema.required ?? []) as string[]).some((k) => props[k]?.default === undefined);
}

/** A TypeBox schema as plain JSON (symbols and undefined dropped). */
function plain(schema: unknown): JsonSchema {
  return JSON.parse(JSON.stringify(schema)) as JsonSchema;
}

/** Every value that is not text may instead be an expression. Defaults keep fields out of `required`. */
function acceptExpressions(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (out.properties && typeof out.properties === 'object') {
    const props = out.properties as Record<string, JsonSchema>;
    out.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, acceptExpressions(v)]));
    if (Array.isArray(out.required)) {
      out.required = (out.required as string[]).filter((k) => props[k]?.default === undefined);
      if ((out.required as string[]).length === 0) delete out.required;
    }
  }
  if (out.items && typeof out.items === 'object') out.items = acceptExpressions(out.items as JsonSchema);
  // TypeBox writes a record as patternProperties '^.*$'; editors understand additionalProperties better.
  if (out.patternProperties && typeof out.patternProperties === 'object') {
    const [valueSchema] = Object.values(out.patternProperties as Record<string, JsonSchema>);
    delete out.patternProperties;
    out.additionalProperties = valueSchema ?? {};
  }
  const type = out.type;
  const textOnly = type === 'string' || (Array.isArray(type) && type.length === 1 && type[0] === 'string');
  const constrained = out.enum !== undefined || out.pattern !== undefined;
  if ((type === undefined && !constrained) || (textOnly && !constrained)) return out;
  const { description, default: byDefault, ...rest } = out;
  return { ...(description === undefined ? {} : { description }), ...(byDefault === undefined ? {} : { default: byDefault }), anyOf: [rest, { $ref: '#/definitions/expression' }] };
}
