import { isNetworkFailure, isRefLockContention } from '../../src/git/errors.js'
import {
  isVersionAtLeast,
  parseGitVersion,
  parseRefList,
  parseSymrefHead,
  parseWorktreeList
} from '../../src/git/parse.js'

describe('parseWorktreeList', () => {
  test('reads every attribute', () => {
    const output = [
      'worktree /repo',
      'HEAD 1111111111111111111111111111111111111111',
      'branch refs/heads/main',
      '',
      'worktree /repo/.worktrees/a',
      'HEAD 2222222222222222222222222222222222222222',
      'branch refs/heads/task/a',
      'locked initializing',
      '',
      'worktree /repo/.worktrees/b',
      'HEAD 3333333333333333333333333333333333333333',
      'detached',
      'locked',
      'prunable gitdir file points to non-existent location',
      ''
    ].join('\n')

    expect(parseWorktreeList(output)).toEqual([
      { path: '/repo', head: '1'.repeat(40), branch: 'main', bare: false, detached: false },
      {
        path: '/repo/.worktrees/a',
        head: '2'.repeat(40),
        branch: 'task/a',
        bare: false,
        detached: false,
        locked: 'initializing'
      },
      {
        path: '/repo/.worktrees/b',
        head: '3'.repeat(40),
        bare: false,
        detached: true,
        locked: '',
        prunable: 'gitdir file points to non-existent location'
      }
    ])
  })

  test('bare repository entry', () => {
    expect(parseWorktreeList('worktree /srv/repo.git\nbare\n')).toEqual([
      { path: '/srv/repo.git', bare: true, detached: false }
    ])
  })
})

describe('git version', () => {
  test('parses vendor forms', () => {
    expect(parseGitVersion('git version 2.39.5\n')).toEqual([2, 39, 5])
    expect(parseGitVersion('git version 2.45.1.windows.1')).toEqual([2, 45, 1])
    expect(parseGitVersion('git version 2.39.3 (Apple Git-146)')).toEqual([2, 39, 3])
    expect(parseGitVersion('git version 3.0')).toEqual([3, 0, 0])
    expect(parseGitVersion('hub version 2.14')).toBeUndefined()
  })

  test('compares versions', () => {
    expect(isVersionAtLeast([2, 25, 0], [2, 25, 0])).toBe(true)
    expect(isVersionAtLeast([2, 24, 9], [2, 25, 0])).toBe(false)
    expect(isVersionAtLeast([3, 0, 0], [2, 25, 0])).toBe(true)
    expect(isVersionAtLeast([2, 25, 1], [2, 26, 0])).toBe(false)
  })
})

describe('ls-remote output', () => {
  test('symref HEAD', () => {
    const output = 'ref: refs/heads/trunk\tHEAD\n' + `${'a'.repeat(40)}\tHEAD\n`
    expect(parseSymrefHead(output)).toBe('trunk')
    expect(parseSymrefHead(`${'a'.repeat(40)}\tHEAD\n`)).toBeUndefined()
  })

  test('ref list', () => {
    const output = `${'a'.repeat(40)}\trefs/heads/main\n${'b'.repeat(40)}\trefs/heads/x/main\n`
    expect(parseRefList(output)).toEqual(
      new Map([
        ['refs/heads/main', 'a'.repeat(40)],
        ['refs/heads/x/main', 'b'.repeat(40)]
      ])
    )
  })
})

describe('isNetworkFailure', () => {
  const cases: Array<[string, boolean]> = [
    ["fatal: unable to access 'https://github.com/o/r/': Could not resolve host: github.com", true],
    [
      "fatal: unable to access 'https://github.com/o/r/': Failed to connect to github.com port 443",
      true
    ],
    [
      "fatal: unable to access 'https://github.com/o/r/': The requested URL returned error: 502",
      true
    ],
    [
      "fatal: unable to access 'https://github.com/o/r/': The requested URL returned error: 429",
      true
    ],
    ['error: RPC failed; curl 92 HTTP/2 stream 5 was not closed cleanly: CANCEL (err 8)', true],
    ['fetch-pack: unexpected disconnect while reading sideband packet\nfatal: early EOF', true],
    ['ssh: connect to host github.com port 22: Connection timed out', true],
    [
      "fatal: unable to access 'https://github.com/o/r/': The requested URL returned error: 403",
      false
    ],
    ['remote: Permission to o/r.git denied to github-actions[bot].', false],
    [' ! [rejected]        task -> task (fetch first)\nerror: failed to push some refs', false],
    [' ! [remote rejected] task -> task (pre-receive hook declined)', false],
    ['remote: Repository not found.\nfatal: repository not found', false],
    ["fatal: couldn't find remote ref refs/heads/nope", false],
    ['fatal: Authentication failed for https://github.com/o/r/', false]
  ]
  test.each(cases)('%s', (stderr, expected) => {
    expect(isNetworkFailure(stderr)).toBe(expected)
  })
})

describe('isRefLockContention', () => {
  it.each([
    [
      " ! [remote rejected] abc -> task/a (cannot lock ref 'refs/heads/task/a': is at 1 but expected 0)",
      true
    ],
    ['error: failed to update ref refs/parallel-setup/claims/m/a', true],
    ["fatal: Unable to create '/repo.git/refs/heads/task/a.lock': File exists.", true],
    [' ! [rejected] task/a -> task/a (non-fast-forward)', false],
    ['remote: Permission to o/r.git denied to github-actions[bot].', false]
  ])('reads %j as %s', (stderr, expected) => {
    expect(isRefLockContention(stderr)).toBe(expected)
  })
})
