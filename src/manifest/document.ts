import { load } from 'js-yaml'
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml'
import { ManifestError, type SourcePosition } from './errors.js'

/**
 * Aliases a document may expand before parsing stops. A "billion laughs" file nests
 * aliases to blow up memory; real manifests use a handful of anchors for shared defaults.
 */
const MAX_ALIAS_COUNT = 1000

/** The largest manifest read: far above any real plan, far below what exhausts a runner. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024

/** The `yaml` library's view of a file: every node with its source range. */
interface PositionedDocument {
  document: Document.Parsed
  lines: LineCounter
}

/**
 * A parsed YAML or JSON file that can map a JSON pointer back to a line and column. `js-yaml`
 * reads valid text fast, and the `yaml` library adds positions only when an error needs them.
 */
export class SourceDocument {
  private positioned: PositionedDocument | undefined
  private readonly parsedExactly: boolean

  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly text: string,
    /** Added to every line, for text cut out of a larger file such as an issue body. */
    private readonly lineOffset: number,
    positioned?: PositionedDocument
  ) {
    this.positioned = positioned
    this.parsedExactly = positioned !== undefined
  }

  /** True when the `yaml` library parsed the text, so the data is exactly what it reads. */
  get exact(): boolean {
    return this.parsedExactly
  }

  /**
   * Parses YAML or JSON text; JSON is read as YAML 1.2, which it is a subset of. `exact`
   * skips the quick parser, for callers that must see exactly what the `yaml` library reads.
   */
  static parse(text: string, file: string, lineOffset = 0, exact = false): SourceDocument {
    if (Buffer.byteLength(text, 'utf8') > MAX_MANIFEST_BYTES) {
      throw new ManifestError(
        `the manifest is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB`,
        file,
        undefined,
        'Split it into several manifests, or move long bodies into issue templates'
      )
    }
    const fast = exact ? { loaded: false as const } : loadQuickly(text)
    if (fast.loaded) return new SourceDocument(file, fast.data, text, lineOffset)

    const positioned = parseWithPositions(text)
    const error = positioned.document.errors[0]
    if (error) {
      const position = positioned.lines.linePos(error.pos[0])
      throw new ManifestError(
        `invalid YAML or JSON: ${firstLine(error.message)}`,
        file,
        { line: position.line + lineOffset, column: position.col },
        'Fix the syntax at that line; a YAML linter or your editor can show the exact spot'
      )
    }
    let data: unknown
    try {
      data = positioned.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
    } catch (cause) {
      throw new ManifestError(
        `the manifest could not be read: ${firstLine((cause as Error).message)}`,
        file,
        undefined,
        `Use fewer YAML aliases (at most ${MAX_ALIAS_COUNT} expansions) or write the values out`
      )
    }
    return new SourceDocument(file, data, text, lineOffset, positioned)
  }

  /**
   * Returns the position of the value at a JSON pointer such as `/tasks/2/id`, or of its
   * key when `key` is set. Falls back to the nearest ancestor that exists, and to the
   * first line for an empty document.
   */
  positionOf(pointer: string, key = false): SourcePosition {
    const path = pointer
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.nodeAt(path.slice(0, depth), key && depth === path.length)
      if (node?.range) {
        const position = this.positions().lines.linePos(node.range[0])
        return { line: position.line + this.lineOffset, column: position.col }
      }
    }
    return { line: 1 + this.lineOffset, column: 1 }
  }

  /** Returns the value at a JSON pointer as it is written in the file, or undefined. */
  sourceTextOf(pointer: string): string | undefined {
    const path = pointer
      .split('/')
      .slice(1)
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    const node = this.nodeAt(path, false)
    if (!node?.range) return undefined
    return this.text.slice(node.range[0], node.range[1]).trim()
  }

  private positions(): PositionedDocument {
    this.positioned ??= parseWithPositions(this.text)
    return this.positioned
  }

  private nodeAt(path: string[], key: boolean): Node | undefined {
    let node: unknown = this.positions().document.contents
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment
        )
        if (!pair) return undefined
        if (key && i === path.length - 1) return pair.key as Node
        node = pair.value
      } else if (node && typeof node === 'object' && 'items' in node && Array.isArray(node.items)) {
        node = node.items[Number(segment)]
      } else {
        return undefined
      }
    }
    return node as Node | undefined
  }
}

/**
 * Parses the text and passes it to `read`. When `read` rejects the quick parse, it runs again
 * on the `yaml` library's data, so errors match what that library reads (a `null` key differs).
 */
export function readSource<T>(
  text: string,
  file: string,
  lineOffset: number,
  read: (source: SourceDocument) => T
): T {
  const source = SourceDocument.parse(text, file, lineOffset)
  try {
    return read(source)
  } catch (error) {
    if (!(error instanceof ManifestError) || source.exact) throw error
    return read(SourceDocument.parse(text, file, lineOffset, true))
  }
}

/** Reads the text with `js-yaml`. Any rejection, aliases included, leaves it to the `yaml` library. */
function loadQuickly(text: string): { loaded: true; data: unknown } | { loaded: false } {
  try {
    return { loaded: true, data: load(text, { maxAliases: 0 }) }
  } catch {
    return { loaded: false }
  }
}

function parseWithPositions(text: string): PositionedDocument {
  const lines = new LineCounter()
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true
  })
  return { document, lines }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/\.$/, '')
}
