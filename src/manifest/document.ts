import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml'
import { ManifestError, type SourcePosition } from './errors.js'

/**
 * Aliases a document may expand before parsing stops. A "billion laughs" file nests
 * aliases to blow up memory; real manifests use a handful of anchors for shared defaults.
 */
const MAX_ALIAS_COUNT = 1000

/** The largest manifest read: far above any real plan, far below what exhausts a runner. */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024

/** A parsed YAML or JSON file that can map a JSON pointer back to a line and column. */
export class SourceDocument {
  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    /** Added to every line, for text cut out of a larger file such as an issue body. */
    private readonly lineOffset: number
  ) {}

  /** Parses YAML or JSON text; JSON is read as YAML 1.2, which it is a subset of. */
  static parse(text: string, file: string, lineOffset = 0): SourceDocument {
    if (Buffer.byteLength(text, 'utf8') > MAX_MANIFEST_BYTES) {
      throw new ManifestError(
        `the manifest is larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB`,
        file,
        undefined,
        'Split it into several manifests, or move long bodies into issue templates'
      )
    }
    const lines = new LineCounter()
    const document = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true
    })
    const shift = (position: SourcePosition): SourcePosition => ({
      line: position.line + lineOffset,
      column: position.column
    })
    const error = document.errors[0]
    if (error) {
      const position = lines.linePos(error.pos[0])
      throw new ManifestError(
        `invalid YAML or JSON: ${firstLine(error.message)}`,
        file,
        shift({ line: position.line, column: position.col }),
        'Fix the syntax at that line; a YAML linter or your editor can show the exact spot'
      )
    }
    let data: unknown
    try {
      data = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT })
    } catch (cause) {
      throw new ManifestError(
        `the manifest could not be read: ${firstLine((cause as Error).message)}`,
        file,
        undefined,
        `Use fewer YAML aliases (at most ${MAX_ALIAS_COUNT} expansions) or write the values out`
      )
    }
    return new SourceDocument(file, data, document, lines, lineOffset)
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
        const position = this.lines.linePos(node.range[0])
        return { line: position.line + this.lineOffset, column: position.col }
      }
    }
    return { line: 1 + this.lineOffset, column: 1 }
  }

  private nodeAt(path: string[], key: boolean): Node | undefined {
    let node: unknown = this.document.contents
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

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/\.$/, '')
}
