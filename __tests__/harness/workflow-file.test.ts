import fs from 'node:fs'
import path from 'node:path'
import { makeTempDir } from '../../test/support/temp.js'
import { repositoryRoot, resolveUses, validateWorkflow } from '../../test/harness/workflow-file.js'

const fixture = (name: string): string =>
  path.join(repositoryRoot, 'test', 'fixtures', 'harness', name)

/** Writes a workflow to a temporary file: the harness reads a workflow from any path. */
function writeWorkflow(text: string): string {
  const file = path.join(makeTempDir('harness-workflow-'), 'workflow.yml')
  fs.writeFileSync(file, text)
  return file
}

describe('validateWorkflow', () => {
  it('reports every wrong name', async () => {
    expect(await validateWorkflow(fixture('wrong-names.yml'))).toEqual([
      "test/fixtures/harness/wrong-names.yml:17:9: job 'first', step 'echo' " +
        "(uses: ./test/fixtures/harness/actions/echo): unexpected input 'txt'. " +
        'Valid inputs are: text, token, leg, fail.',
      "test/fixtures/harness/wrong-names.yml:15:13: job 'first' reads output 'txt' of step 'echo', " +
        'but its action has only: text, token, leg.',
      "test/fixtures/harness/wrong-names.yml:21:17: job 'first' reads inputs.manifests, " +
        'but the workflow declares only: manifest.',
      "test/fixtures/harness/wrong-names.yml:25:9: job 'second' reads output 'texts' of job 'first', " +
        'but that job declares only: text.',
      "test/fixtures/harness/wrong-names.yml:28:14: job 'second' reads steps.nothing, " +
        "but the job has no step with id 'nothing'."
    ])
  })

  it('accepts the fan-out fixture', async () => {
    expect(await validateWorkflow(fixture('fan-out.yml'))).toEqual([])
  })

  // GitHub's runner refuses to load an action.yml with a ${{ }} expression its schema does
  // not allow there, descriptions included, and then every job that uses the action fails.
  it('accepts the shipped example', async () => {
    expect(
      await validateWorkflow(path.join(repositoryRoot, 'examples', 'workflow-dispatch.yml'))
    ).toEqual([])
  })

  it('reports an undeclared need', async () => {
    const file = writeWorkflow(
      [
        'on: workflow_dispatch',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    outputs:',
        '      x: ${{ steps.s.outputs.x }}',
        '    steps:',
        '      - id: s',
        '        run: echo "x=1" >> "$GITHUB_OUTPUT"',
        '  b:',
        '    runs-on: ubuntu-latest',
        '    needs: a',
        '    steps:',
        '      - run: echo "${{ needs.a.outputs.x }} ${{ needs.c.outputs.x }}"'
      ].join('\n')
    )
    const problems = await validateWorkflow(file)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(
      /workflow\.yml:14:14: job 'b' reads needs\.c, but the job does not need 'c'\.$/
    )
  })

  it('reports checkout inputs it cannot run', async () => {
    const file = writeWorkflow(
      [
        'on: workflow_dispatch',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - uses: actions/checkout@v5',
        '        with:',
        '          fetch-depth: 0',
        '          submodules: true',
        '          depth: 1'
      ].join('\n')
    )
    const problems = await validateWorkflow(file)
    expect(
      problems.map((problem) => problem.replace(/^.*workflow\.yml:/, 'workflow.yml:'))
    ).toEqual([
      "workflow.yml:6:9: job 'a', step '__actions_checkout' (uses: actions/checkout@v5): " +
        "input 'submodules' is not simulated by the harness.",
      "workflow.yml:6:9: job 'a', step '__actions_checkout' (uses: actions/checkout@v5): " +
        "unexpected input 'depth'. Valid inputs are: repository, ref, token, ssh-key, ssh-known-hosts, " +
        'ssh-strict, ssh-user, persist-credentials, path, clean, filter, sparse-checkout, ' +
        'sparse-checkout-cone-mode, fetch-depth, fetch-tags, show-progress, lfs, submodules, ' +
        'set-safe-directory, github-server-url.'
    ])
  })

  it('reports a parse error', async () => {
    const file = writeWorkflow(
      [
        'on: workflow_dispatch',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    stepz: []'
      ].join('\n')
    )
    const problems = await validateWorkflow(file)
    expect(
      problems.map((problem) => problem.replace(/^.*workflow\.yml /, 'workflow.yml '))
    ).toEqual(["workflow.yml (Line: 5, Col: 5): Unexpected value 'stepz'"])
  })
})

describe('resolveUses', () => {
  it('maps the example uses to this repository', () => {
    expect(resolveUses('OWNER/REPO/setup@v1', 'OWNER/REPO')).toEqual({
      kind: 'directory',
      directory: path.join(repositoryRoot, 'setup')
    })
    expect(resolveUses('owner/repo@v1', 'OWNER/REPO')).toEqual({
      kind: 'directory',
      directory: repositoryRoot
    })
    expect(resolveUses('./collect', 'OWNER/REPO')).toEqual({
      kind: 'directory',
      directory: path.join(repositoryRoot, 'collect')
    })
    expect(resolveUses('actions/checkout@v5', 'OWNER/REPO')).toEqual({ kind: 'checkout' })
  })

  it('rejects other actions', () => {
    expect(resolveUses('actions/setup-node@v4', 'OWNER/REPO')).toEqual({
      kind: 'unsupported',
      reason:
        "the harness runs only actions/checkout, run: steps and this repository's actions " +
        '(uses: OWNER/REPO/<path>@<ref> or ./<path>).'
    })
    expect(resolveUses('./../elsewhere', 'OWNER/REPO')).toEqual({
      kind: 'unsupported',
      reason: "'./../elsewhere' is outside the repository."
    })
  })
})
