import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { EmulatedClock } from './clock.js'
import type { ContractViolation } from './contract.js'
import { FaultSettings } from './faults.js'
import { PrimaryRateLimiter, SecondaryRateLimiter } from './limits.js'
import { RequestLog } from './log.js'
import { RequestPipeline } from './pipeline.js'
import { Renderer } from './resources.js'
import { Router } from './router.js'
import { routes } from './routes/index.js'
import { EmulatorState } from './state.js'

export interface EmulatorOptions {
  /** Repository owner, by default "octo-org". */
  owner?: string
  /** Repository name, by default "parallel-setup-demo". */
  repo?: string
  /** Default branch that GET /repos/{owner}/{repo} reports, by default "main". */
  defaultBranch?: string
  /** Accepted token or tokens, by default DEFAULT_TOKEN. Other tokens get 401 Bad credentials. */
  token?: string | string[]
  /** Whether to record contract violations and check responses (default true). */
  contract?: boolean
  /** TCP port on 127.0.0.1. The default 0 picks a free port. */
  port?: number
}

/** Token the emulator accepts when EmulatorOptions.token is not set. */
export const DEFAULT_TOKEN = 'ghs_emulatorDefaultToken'

/**
 * Offline emulator of the parts of GitHub's REST API that parallel-setup uses, for tests only.
 * It listens on 127.0.0.1 and serves GitHub's response shapes, status codes, errors, rate-limit
 * headers and pagination, and it can inject faults (see FaultSettings).
 */
export class GitHubEmulator {
  readonly state: EmulatorState
  readonly log = new RequestLog()
  readonly clock: EmulatedClock
  /** Fault and limit settings. Tests change fields and call `faults.reset()` afterwards. */
  readonly faults: FaultSettings
  readonly tokens: readonly string[]
  private readonly violations: ContractViolation[] = []
  private server: Server | undefined
  private baseUrl = ''

  private constructor(private readonly options: EmulatorOptions) {
    this.clock = new EmulatedClock()
    this.faults = new FaultSettings(this.clock, () => this.log.nextSeq)
    this.state = new EmulatorState(
      {
        owner: options.owner ?? 'octo-org',
        repo: options.repo ?? 'parallel-setup-demo',
        defaultBranch: options.defaultBranch ?? 'main'
      },
      this.clock
    )
    const tokens = options.token ?? DEFAULT_TOKEN
    this.tokens = Array.isArray(tokens) ? [...tokens] : [tokens]
  }

  /**
   * Starts an emulator on 127.0.0.1, on a free port unless `options.port` is set.
   *
   * Requests are always validated against GitHub's OpenAPI description and rejected as GitHub
   * would reject them. With `contract: false`, violations are not recorded and responses are
   * not checked, which saves time in benchmarks.
   */
  static async start(options: EmulatorOptions = {}): Promise<GitHubEmulator> {
    const emulator = new GitHubEmulator(options)
    await emulator.listen()
    return emulator
  }

  /** Base URL such as http://127.0.0.1:43123, for GITHUB_API_URL or Octokit's baseUrl. */
  get url(): string {
    return this.baseUrl
  }

  private async listen(): Promise<void> {
    const server = createServer()
    // Idle connections stay open for a minute, longer than a client keeps them. With a short
    // timeout a busy event loop lets a client reuse a connection that the server has just
    // closed, and the request fails with "fetch failed" although nothing was wrong with it.
    server.keepAliveTimeout = 60_000
    server.headersTimeout = 65_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve())
    })
    const { port } = server.address() as AddressInfo
    this.baseUrl = `http://127.0.0.1:${port}`

    const pipeline = new RequestPipeline({
      state: this.state,
      render: new Renderer(this.state, this.baseUrl),
      router: new Router(routes),
      log: this.log,
      faults: this.faults,
      clock: this.clock,
      primaryLimits: new PrimaryRateLimiter(this.clock, this.faults),
      secondaryLimits: new SecondaryRateLimiter(this.clock, this.faults),
      acceptedTokens: new Set(this.tokens),
      baseUrl: this.baseUrl,
      contract: this.options.contract !== false,
      recordViolation: (violation) => this.violations.push(violation)
    })
    server.on('request', (request, response) => {
      void pipeline.handle(request, response)
    })
    this.server = server
  }

  /** Closes the server and every open connection, keep-alive ones included. */
  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()))
      server.closeAllConnections()
    })
  }

  /** Requests and responses so far that GitHub's OpenAPI description does not allow. */
  contractViolations(): ContractViolation[] {
    return [...this.violations]
  }

  /** Throws an error that lists every recorded contract violation, if there is any. */
  assertContract(): void {
    if (this.violations.length === 0) return
    const lines = this.violations.map(
      ({ seq, method, path, kind, message }) => `  #${seq} ${method} ${path} [${kind}]: ${message}`
    )
    throw new Error(
      `${this.violations.length} request(s) or response(s) broke GitHub's OpenAPI description:\n` +
        lines.join('\n')
    )
  }
}
