import { findBranchNameProblem } from './refname.js'

/** Template placeholders a branch name may use. */
export const BRANCH_PLACEHOLDERS = ['id', 'slug', 'issue'] as const

const MAX_SLUG_LENGTH = 48

/**
 * Makes a branch-safe slug from a title: lower-case ASCII letters and digits joined by
 * '-'. Accents are folded ("Café" becomes "cafe"); anything else, such as emoji or quotes,
 * becomes a separator. Returns '' when the title has no letter or digit at all.
 */
export function slugify(title: string): string {
  const folded = title.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  const slug = folded
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (slug.length <= MAX_SLUG_LENGTH) return slug
  // Cut at the last whole word that fits, unless the first word alone is too long.
  const cut = slug.slice(0, MAX_SLUG_LENGTH + 1)
  const lastSeparator = cut.lastIndexOf('-')
  return lastSeparator > 0 ? cut.slice(0, lastSeparator) : slug.slice(0, MAX_SLUG_LENGTH)
}

export interface BranchValues {
  id: string
  title: string
  /** Unknown until the issue exists: a template that uses {issue} expands only in setup. */
  issue?: number
}

/**
 * Expands a branch template. A title without letters or digits gives the id as its slug,
 * so the name stays readable and unique.
 */
export function expandBranch(template: string, values: BranchValues): string {
  return template.replace(/\{(id|slug|issue)\}/g, (_match, name: string) => {
    if (name === 'id') return values.id
    if (name === 'slug') return slugify(values.title) || values.id
    if (values.issue === undefined) {
      throw new Error(
        `the branch template '${template}' uses {issue}, but no issue number is known`
      )
    }
    return String(values.issue)
  })
}

/** Returns why a template cannot make a valid branch, or undefined when it can. */
export function findBranchTemplateProblem(
  template: string,
  values: BranchValues
): string | undefined {
  const unknown = /\{([^}]*)\}/.exec(template.replace(/\{(id|slug|issue)\}/g, ''))
  if (unknown) {
    return `it uses the unknown placeholder {${unknown[1]}}; the known ones are {id}, {slug} and {issue}`
  }
  const name = expandBranch(template, { ...values, issue: values.issue ?? 1 })
  const problem = findBranchNameProblem(name)
  return problem
    ? `it expands to '${name}', which is not a valid branch name: ${problem}`
    : undefined
}
