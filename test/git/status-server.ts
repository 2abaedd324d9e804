/**
 * An HTTP server on 127.0.0.1 that responds to every request with one fixed status, in place of
 * a git host that denies access (403) or is down (503). It records the requests it receives.
 */
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StatusServer {
  /** URL of a repository on the server, for `git remote add`. */
  repositoryUrl: string
  /** Method and path of each request, in order. */
  requests: string[]
  close(): Promise<void>
}

export async function startStatusServer(status: number, body: string): Promise<StatusServer> {
  const requests: string[] = []
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`)
    response.writeHead(status, { 'Content-Type': 'text/plain' })
    response.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    repositoryUrl: `http://127.0.0.1:${port}/owner/repo.git`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      })
  }
}
