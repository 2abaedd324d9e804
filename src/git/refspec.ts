/** Builds the push refspec that replaces a result ref, forcing only that ref (leading '+'). */
export function resultRefspec(sha: string, ref: string): string {
  if (!/^[0-9a-f]{40,64}$/.test(sha))
    throw new Error(`Invalid commit sha '${sha}' for a result ref.`)
  if (!ref.startsWith('refs/') || ref.startsWith('refs/heads/')) {
    throw new Error(`Invalid result ref '${ref}': use a ref under refs/ outside refs/heads/.`)
  }
  return `+${sha}:${ref}`
}
