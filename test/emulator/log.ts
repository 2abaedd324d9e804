/** Cause of a response that the emulator produced without running the route handler. */
export type FaultKind =
  | 'bad-credentials'
  | 'primary-rate-limit'
  | 'secondary-rate-limit'
  | 'server-error'
  | 'dropped-connection'
  | 'resource-not-accessible'

/** One request the emulator received. */
export interface RequestLogEntry {
  /** 1-based arrival number. Fault settings such as `onRequests` refer to it. */
  seq: number
  method: string
  /** Path with query string, exactly as received. */
  path: string
  /** Route template with the method, e.g. "POST /repos/{owner}/{repo}/issues", or null. */
  route: string | null
  /** Response status, or null while in flight and for dropped connections. */
  status: number | null
  /** Bearer token the request carried, or null without an Authorization header. */
  token: string | null
  /** Value of the optional `x-test-leg` header. */
  leg: string | null
  /** Fault that produced the response, if any. */
  fault: FaultKind | null
  /** Emulated arrival time, milliseconds since the Unix epoch. */
  receivedAt: number
  /** Real time from arrival to the end of the response in milliseconds, or null while in flight. */
  durationMs: number | null
  /** Requests in flight at arrival, this one included. */
  concurrency: number
}

export interface RequestLogFilter {
  method?: string
  /** Either "METHOD /template" or the bare template "/repos/{owner}/{repo}/issues". */
  route?: string
  leg?: string
  status?: number
  fault?: FaultKind
}

/** Every request the emulator received, in arrival order. */
export class RequestLog {
  private readonly items: RequestLogEntry[] = []
  private inFlight = 0
  private highWater = 0

  /** Records an arriving request and returns its entry, which the pipeline completes later. */
  begin(fields: Pick<RequestLogEntry, 'method' | 'path' | 'token' | 'leg' | 'receivedAt'>): {
    entry: RequestLogEntry
    startedAtRealMs: number
  } {
    this.inFlight += 1
    this.highWater = Math.max(this.highWater, this.inFlight)
    const entry: RequestLogEntry = {
      ...fields,
      seq: this.items.length + 1,
      route: null,
      status: null,
      fault: null,
      durationMs: null,
      concurrency: this.inFlight
    }
    this.items.push(entry)
    return { entry, startedAtRealMs: performance.now() }
  }

  /** Marks a request as finished. `status` is null for a dropped connection. */
  finish(entry: RequestLogEntry, status: number | null, startedAtRealMs: number): void {
    this.inFlight -= 1
    entry.status = status
    entry.durationMs = performance.now() - startedAtRealMs
  }

  entries(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.items.filter((entry) => matches(entry, filter))
  }

  count(filter: RequestLogFilter = {}): number {
    return this.entries(filter).length
  }

  /** Number the next request will get. */
  get nextSeq(): number {
    return this.items.length + 1
  }

  /** Requests in flight right now. */
  get concurrency(): number {
    return this.inFlight
  }

  /** Highest number of requests in flight at the same time since start or `resetConcurrency`. */
  get maxConcurrency(): number {
    return this.highWater
  }

  resetConcurrency(): void {
    this.highWater = this.inFlight
  }
}

function matches(entry: RequestLogEntry, filter: RequestLogFilter): boolean {
  if (filter.method !== undefined && entry.method !== filter.method.toUpperCase()) return false
  if (filter.leg !== undefined && entry.leg !== filter.leg) return false
  if (filter.status !== undefined && entry.status !== filter.status) return false
  if (filter.fault !== undefined && entry.fault !== filter.fault) return false
  if (filter.route !== undefined) {
    const route = entry.route ?? ''
    const template = route.slice(route.indexOf(' ') + 1)
    if (route !== filter.route && template !== filter.route) return false
  }
  return true
}
