/** A position in a manifest file, 1-based as editors and annotations count. */
export interface SourcePosition {
  line: number
  column: number
}

/**
 * An invalid manifest. The message names what is wrong and how to fix it; `file` and
 * `position` say where, so the action can also annotate the line.
 */
export class ManifestError extends Error {
  constructor(
    readonly problem: string,
    readonly file: string,
    readonly position?: SourcePosition,
    readonly fix?: string
  ) {
    super(formatManifestError(problem, file, position, fix))
    this.name = 'ManifestError'
  }
}

function formatManifestError(
  problem: string,
  file: string,
  position: SourcePosition | undefined,
  fix: string | undefined
): string {
  const where = position ? `${file}:${position.line}:${position.column}` : file
  return fix ? `${where}: ${problem}. ${fix}` : `${where}: ${problem}.`
}
