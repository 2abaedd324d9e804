import fs from 'node:fs'
import path from 'node:path'
import { ENV_FILE_COMMENT, mergeEnvText, updateEnvFile } from '../../src/setup/env-file.js'
import { makeTempDir } from '../../test/support/temp.js'

const PORTS = { PORT: '3010', PORT_RANGE_START: '3010', PORT_RANGE_END: '3019' }

describe('mergeEnvText', () => {
  it('fills an empty file', () => {
    expect(mergeEnvText('', PORTS)).toBe(
      `${ENV_FILE_COMMENT}\nPORT=3010\nPORT_RANGE_START=3010\nPORT_RANGE_END=3019\n`
    )
  })

  it('keeps the user lines and appends the keys', () => {
    const existing = '# database\nDATABASE_URL=postgres://localhost/dev\n\nSECRET="a b"\n'
    expect(mergeEnvText(existing, PORTS)).toBe(
      `${existing}${ENV_FILE_COMMENT}\nPORT=3010\nPORT_RANGE_START=3010\nPORT_RANGE_END=3019\n`
    )
  })

  it('replaces a key in place', () => {
    expect(mergeEnvText('A=1\nPORT=8080\nB=2\n', { PORT: '3010' })).toBe('A=1\nPORT=3010\nB=2\n')
  })

  it('keeps export and spacing', () => {
    expect(mergeEnvText('export PORT = 1 # old\n', { PORT: '3010' })).toBe('export PORT = 3010\n')
  })

  it('replaces every assignment of a key', () => {
    expect(mergeEnvText('PORT=1\nX=2\nPORT=3\n', { PORT: '3010' })).toBe(
      'PORT=3010\nX=2\nPORT=3010\n'
    )
  })

  it('leaves similar keys and comments alone', () => {
    const existing = '# PORT=1\nAPI_PORT=5000\nPORTS=1,2\n'
    expect(mergeEnvText(existing, { PORT: '3010' })).toBe(
      `${existing}${ENV_FILE_COMMENT}\nPORT=3010\n`
    )
  })

  it('adds a line ending before appending', () => {
    expect(mergeEnvText('A=1', { PORT: '3010' })).toBe(`A=1\n${ENV_FILE_COMMENT}\nPORT=3010\n`)
  })

  it('keeps CRLF line endings', () => {
    expect(mergeEnvText('A=1\r\nPORT=1\r\n', { PORT: '3010', PORT_RANGE_END: '3019' })).toBe(
      `A=1\r\nPORT=3010\r\n${ENV_FILE_COMMENT}\r\nPORT_RANGE_END=3019\r\n`
    )
  })

  it('is unchanged by a second merge', () => {
    const once = mergeEnvText('A=1\n', PORTS)
    expect(mergeEnvText(once, PORTS)).toBe(once)
  })

  it('updates its own keys on a new range', () => {
    const once = mergeEnvText('A=1\n', PORTS)
    expect(
      mergeEnvText(once, { PORT: '3020', PORT_RANGE_START: '3020', PORT_RANGE_END: '3029' })
    ).toBe(`A=1\n${ENV_FILE_COMMENT}\nPORT=3020\nPORT_RANGE_START=3020\nPORT_RANGE_END=3029\n`)
  })
})

describe('updateEnvFile', () => {
  it('creates a missing file', () => {
    const file = path.join(makeTempDir(), '.env')
    expect(updateEnvFile(file, { PORT: '3000' })).toBe(true)
    expect(fs.readFileSync(file, 'utf8')).toBe(`${ENV_FILE_COMMENT}\nPORT=3000\n`)
  })

  it('reports an unchanged file', () => {
    const file = path.join(makeTempDir(), '.env')
    fs.writeFileSync(file, 'PORT=3000\n')
    expect(updateEnvFile(file, { PORT: '3000' })).toBe(false)
    expect(fs.readFileSync(file, 'utf8')).toBe('PORT=3000\n')
  })
})
