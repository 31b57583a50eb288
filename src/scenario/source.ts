// The YAML source of a scenario: node positions, and the problems found while reading it.

import { isAlias, isScalar, Scalar, type Document, type LineCounter, type Node } from 'yaml';
import { formatMessage, type ErrorCode, type SourcePosition } from '../errors.ts';
import type { Problem } from './model.ts';

/** Nodes a scenario may expand to, aliases included; a real scenario uses a few thousand. */
const NODE_BUDGET = 200_000;
const MAX_ALIASES = 1000;

/** Thrown when a document expands beyond the budget; parseScenario reports it as a YAML problem. */
export class ExpansionLimit extends Error {
  constructor() {
    super('the document expands to too many values: aliases of aliases (*anchor) are limited');
  }
}

export class ScenarioSource {
  readonly problems: Problem[] = [];
  readonly file: string | undefined;
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #text: string;
  #budget = NODE_BUDGET;

  constructor(text: string, doc: Document, lines: LineCounter, file: string | undefined) {
    this.#text = text;
    this.#doc = doc;
    this.#lines = lines;
    this.file = file;
  }

  /**
   * Follows aliases (`*anchor`) to the node they stand for. Every node read goes through here, so
   * this is where a document made of aliases of aliases (a few hundred bytes that expand to
   * billions of values) is stopped.
   */
  resolve(node: unknown): Node | undefined {
    if (--this.#budget < 0) throw new ExpansionLimit();
    let n = node;
    for (let i = 0; i < 32 && isAlias(n); i++) n = n.resolve(this.#doc);
    return (n ?? undefined) as Node | undefined;
  }

  at(offset: number): SourcePosition {
    const { line, col } = this.#lines.linePos(offset);
    return this.file === undefined ? { line, col } : { file: this.file, line, col };
  }

  pos(node: unknown, fallback?: SourcePosition): SourcePosition {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return this.at(range[0]);
    return fallback ?? this.at(0);
  }

  /** Maps an offset inside a string scalar's value to the file, where the scalar's style allows it. */
  positionInString(node: unknown, offset: number): SourcePosition {
    if (!isScalar(node) || !node.range) return this.pos(node);
    const start = node.range[0];
    switch (node.type) {
      case Scalar.PLAIN:
        return this.at(start + offset);
      case Scalar.QUOTE_SINGLE:
      case Scalar.QUOTE_DOUBLE: {
        const raw = this.#text.slice(start, node.range[1]);
        // Exact only when nothing was escaped or folded; otherwise the scalar's start is honest.
        return raw.includes('\\') || raw.includes('\n') || raw.includes("''") ? this.at(start) : this.at(start + 1 + offset);
      }
      case Scalar.BLOCK_LITERAL:
        return this.#inBlockLiteral(node, offset);
      default:
        return this.at(start);
    }
  }

  /** A `|` block keeps lines as they are: line k of the value is line k after the header. */
  #inBlockLiteral(node: Scalar, offset: number): SourcePosition {
    const value = String(node.value);
    const before = value.slice(0, offset);
    const lineIndex = before.split('\n').length - 1;
    const colInLine = offset - (before.lastIndexOf('\n') + 1);
    const headerLine = this.#lines.linePos(node.range![0]).line;
    const contentLine = headerLine + 1 + lineIndex;
    const lineStart = this.#lines.lineStarts[contentLine - 1];
    if (lineStart === undefined) return this.pos(node);
    const indent = /^ */.exec(this.#text.slice(lineStart))![0].length;
    return this.file === undefined
      ? { line: contentLine, col: indent + colInLine + 1 }
      : { file: this.file, line: contentLine, col: indent + colInLine + 1 };
  }

  error(code: ErrorCode, params: Record<string, unknown>, node: unknown, position?: SourcePosition): void {
    this.problems.push({ severity: 'error', code, message: formatMessage(code, params), position: position ?? this.pos(node) });
  }

  warn(code: ErrorCode, params: Record<string, unknown>, node: unknown, position?: SourcePosition): void {
    this.problems.push({ severity: 'warning', code, message: formatMessage(code, params), position: position ?? this.pos(node) });
  }

  toJS(node: unknown): unknown {
    const n = this.resolve(node);
    if (!n || typeof (n as { toJS?: unknown }).toJS !== 'function') return n;
    try {
      return (n as Node).toJS(this.#doc, { maxAliasCount: MAX_ALIASES });
    } catch (e) {
      if (e instanceof ReferenceError) throw new ExpansionLimit();
      throw e;
    }
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }
}
