import { parseGitHubRemote, redactRemoteUrl, resolveGitHubTarget } from '../../src/cli/remote.js'

describe('parseGitHubRemote', () => {
  it.each([
    ['https://github.com/o/r.git', 'github.com', 'https://api.github.com'],
    ['https://github.com/o/r', 'github.com', 'https://api.github.com'],
    ['https://github.com/o/r/', 'github.com', 'https://api.github.com'],
    ['https://user:secret@github.com/o/r.git', 'github.com', 'https://api.github.com'],
    ['git@github.com:o/r.git', 'github.com', 'https://api.github.com'],
    ['github.com:o/r', 'github.com', 'https://api.github.com'],
    ['ssh://git@github.com/o/r.git', 'github.com', 'https://api.github.com'],
    ['ssh://git@github.com:22/o/r.git', 'github.com', 'https://api.github.com'],
    ['git://github.com/o/r.git', 'github.com', 'https://api.github.com'],
    ['https://ghe.example.com/o/r.git', 'ghe.example.com', 'https://ghe.example.com/api/v3'],
    [
      'https://ghe.example.com:8443/o/r',
      'ghe.example.com:8443',
      'https://ghe.example.com:8443/api/v3'
    ],
    ['http://ghe.example.com/o/r.git', 'ghe.example.com', 'http://ghe.example.com/api/v3'],
    ['git@ghe.example.com:o/r.git', 'ghe.example.com', 'https://ghe.example.com/api/v3'],
    ['ssh://git@ghe.example.com:2222/o/r.git', 'ghe.example.com', 'https://ghe.example.com/api/v3']
  ])('reads %s', (url, host, apiUrl) => {
    expect(parseGitHubRemote(url)).toEqual({ host, owner: 'o', repo: 'r', apiUrl })
  })

  it('keeps dots and dashes in names', () => {
    expect(parseGitHubRemote('git@github.com:octo-org/my.site.git')).toEqual({
      host: 'github.com',
      owner: 'octo-org',
      repo: 'my.site',
      apiUrl: 'https://api.github.com'
    })
  })

  it.each([
    'file:///tmp/remote.git',
    '/tmp/remote.git',
    '../remote.git',
    'C:\\repos\\remote.git',
    'https://github.com/o',
    'https://github.com/o/r/extra',
    'https://gitlab.example.com/group/sub/r.git',
    'ftp://github.com/o/r.git',
    ''
  ])('rejects %s', (url) => {
    expect(parseGitHubRemote(url)).toBeUndefined()
  })
})

describe('redactRemoteUrl', () => {
  it('drops the user and password', () => {
    expect(redactRemoteUrl('https://user:secret@github.com/o/r.git')).toBe(
      'https://github.com/o/r.git'
    )
  })

  it('keeps scp-like URLs', () => {
    expect(redactRemoteUrl('git@github.com:o/r.git')).toBe('git@github.com:o/r.git')
  })
})

describe('resolveGitHubTarget', () => {
  it('reads everything from origin', () => {
    expect(resolveGitHubTarget({ originUrl: 'git@github.com:o/r.git' })).toEqual({
      apiUrl: 'https://api.github.com',
      repository: { owner: 'o', repo: 'r' },
      apiUrlSource: 'origin'
    })
  })

  it('prefers --api-url over GITHUB_API_URL', () => {
    const target = resolveGitHubTarget({
      originUrl: 'https://github.com/o/r.git',
      apiUrlFlag: 'http://127.0.0.1:4000/',
      apiUrlEnv: 'http://127.0.0.1:5000'
    })
    expect(target.apiUrl).toBe('http://127.0.0.1:4000')
    expect(target.apiUrlSource).toBe('--api-url')
  })

  it('prefers GITHUB_API_URL over origin', () => {
    const target = resolveGitHubTarget({
      originUrl: 'https://ghe.example.com/o/r.git',
      apiUrlEnv: 'http://127.0.0.1:5000'
    })
    expect(target.apiUrl).toBe('http://127.0.0.1:5000')
    expect(target.apiUrlSource).toBe('GITHUB_API_URL')
  })

  it('takes --repo for a file remote', () => {
    expect(
      resolveGitHubTarget({ originUrl: 'file:///tmp/remote.git', repoFlag: 'octo-org/scratch' })
    ).toEqual({
      apiUrl: 'https://api.github.com',
      repository: { owner: 'octo-org', repo: 'scratch' },
      apiUrlSource: 'default'
    })
  })

  it('prefers --repo over origin', () => {
    const target = resolveGitHubTarget({
      originUrl: 'https://ghe.example.com/o/r.git',
      repoFlag: 'other/name'
    })
    expect(target.repository).toEqual({ owner: 'other', repo: 'name' })
    expect(target.apiUrl).toBe('https://ghe.example.com/api/v3')
  })

  it('rejects a non-GitHub origin without --repo', () => {
    expect(() =>
      resolveGitHubTarget({ originUrl: 'https://user:secret@example.com/a/b/c.git' })
    ).toThrow(
      'The origin remote https://example.com/a/b/c.git is not a GitHub URL such as https://github.com/OWNER/NAME.git, ' +
        'so the GitHub repository for the issues is unknown. Pass --repo OWNER/NAME, or --no-issues to set up the tasks without issues.'
    )
  })

  it('rejects a missing origin without --repo', () => {
    expect(() => resolveGitHubTarget({})).toThrow(
      "This repository has no remote named 'origin', so the GitHub repository for the issues is unknown. " +
        'Pass --repo OWNER/NAME, or --no-issues to set up the tasks without issues.'
    )
  })

  it('rejects a malformed --repo', () => {
    expect(() => resolveGitHubTarget({ repoFlag: 'just-a-name' })).toThrow(
      "Invalid --repo 'just-a-name': expected OWNER/NAME, such as octo-org/website."
    )
  })

  it('rejects a non-http --api-url', () => {
    expect(() =>
      resolveGitHubTarget({ originUrl: 'git@github.com:o/r.git', apiUrlFlag: 'api.github.com' })
    ).toThrow(
      "Invalid --api-url 'api.github.com': expected an http or https URL, such as https://api.github.com or https://HOST/api/v3 for GitHub Enterprise Server."
    )
  })
})
