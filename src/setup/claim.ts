/**
 * A claim lets exactly one leg open a task's issue. Listing issues can lag behind writes
 * by seconds, so two legs that both find no issue would both open one. Git refs do not
 * lag: a push that creates a ref fails when the ref exists, so the first leg to push
 * `refs/parallel-setup/claims/<manifest>/<task>` wins. The winner then writes the issue
 * number into the claim, and the others read it from there.
 */

/** The git operations a claim needs; GitCommandManager provides them. */
export interface ClaimGit {
  createCommitWithFile(fileName: string, content: string, message: string): Promise<string>
  tryPushRefspecs(
    remote: string,
    refspecs: string[],
    options?: { forceWithLease?: { ref: string; expectedSha: string } }
  ): Promise<boolean>
  fetchRefs(remote: string, pattern: string): Promise<Map<string, string>>
  readFileAtCommit(sha: string, fileName: string): Promise<string>
}

export interface ClaimRecord {
  task: string
  runId: string
  runAttempt: number
  claimedAt: string
  /** Set once the winner has opened the issue. */
  issue?: number
  /** The task branch the holder set up with that issue, so a later run notices a rename. */
  branch?: string
  /**
   * Set by the holder when it takes a new claim, or else right before the create request. A
   * leg that takes the claim over keeps it until it has found out whether that create opened an issue.
   */
  creating?: PendingCreate
  /**
   * Written by releases that opened a second issue after taking over a claim without an issue
   * number. A later run lists again and closes the younger issue. This release never sets it.
   */
  recheck?: boolean
}

/** A create request that the claim's holder may have sent without recording its result. */
export interface PendingCreate {
  /** When the holder was about to send the request, by the holder's clock (ISO 8601). */
  startedAt: string
}

const CLAIM_FILE = 'claim.json'

export class TaskClaim {
  private sha: string | undefined

  constructor(
    private readonly git: ClaimGit,
    private readonly ref: string,
    private readonly remote = 'origin'
  ) {}

  /** Tries to create the claim ref; returns false when another leg holds it. */
  async tryClaim(record: ClaimRecord): Promise<boolean> {
    const sha = await this.commit(record)
    const won = await this.git.tryPushRefspecs(this.remote, [`${sha}:${this.ref}`])
    if (won) this.sha = sha
    return won
  }

  /** Replaces a claim whose holder died, only if it is still the claim we read. */
  async takeOver(record: ClaimRecord, expectedSha: string): Promise<boolean> {
    const sha = await this.commit(record)
    const won = await this.git.tryPushRefspecs(this.remote, [`${sha}:${this.ref}`], {
      forceWithLease: { ref: this.ref, expectedSha }
    })
    if (won) this.sha = sha
    return won
  }

  /**
   * Replaces this leg's claim with `record`, as before a create request. Returns false when
   * another leg took the claim over meanwhile, so this leg must not create.
   */
  async replaceOwn(record: ClaimRecord): Promise<boolean> {
    if (this.sha === undefined)
      throw new Error(`Cannot update ${this.ref}: this leg does not hold the claim.`)
    const sha = await this.commit(record)
    const replaced = await this.git.tryPushRefspecs(this.remote, [`${sha}:${this.ref}`], {
      forceWithLease: { ref: this.ref, expectedSha: this.sha }
    })
    if (replaced) this.sha = sha
    return replaced
  }

  /** Writes the opened issue's number, and the branch when known, into this leg's claim. */
  async recordIssue(record: ClaimRecord, issue: number, branch?: string): Promise<void> {
    if (this.sha === undefined)
      throw new Error(`Cannot record an issue on ${this.ref}: this leg does not hold the claim.`)
    const sha = await this.commit(
      branch === undefined ? { ...record, issue } : { ...record, issue, branch }
    )
    await this.git.tryPushRefspecs(this.remote, [`${sha}:${this.ref}`], {
      forceWithLease: { ref: this.ref, expectedSha: this.sha }
    })
    this.sha = sha
  }

  /**
   * Replaces the claim read as `expectedSha` with `record`, as when a later run records the
   * branch it used. Returns false when the claim changed meanwhile.
   */
  async update(record: ClaimRecord, expectedSha: string): Promise<boolean> {
    const sha = await this.commit(record)
    return this.git.tryPushRefspecs(this.remote, [`${sha}:${this.ref}`], {
      forceWithLease: { ref: this.ref, expectedSha }
    })
  }

  /**
   * Deletes this leg's claim, so that legs waiting for it take it at once instead of
   * waiting until it is stale. Only for a leg that failed before it opened the issue.
   */
  async release(): Promise<boolean> {
    if (this.sha === undefined) return false
    const released = await this.git.tryPushRefspecs(this.remote, [`:${this.ref}`], {
      forceWithLease: { ref: this.ref, expectedSha: this.sha }
    })
    if (released) this.sha = undefined
    return released
  }

  /** Reads the current claim, or undefined when there is none. */
  async read(): Promise<{ sha: string; record: ClaimRecord } | undefined> {
    const refs = await this.git.fetchRefs(this.remote, this.ref)
    const sha = refs.get(this.ref)
    if (sha === undefined) return undefined
    try {
      const record = JSON.parse(await this.git.readFileAtCommit(sha, CLAIM_FILE)) as ClaimRecord
      return { sha, record }
    } catch {
      // A claim that cannot be read is treated as abandoned, so a takeover can replace it.
      return {
        sha,
        record: { task: '', runId: '', runAttempt: 0, claimedAt: new Date(0).toISOString() }
      }
    }
  }

  private commit(record: ClaimRecord): Promise<string> {
    return this.git.createCommitWithFile(
      CLAIM_FILE,
      `${JSON.stringify(record)}\n`,
      `Claim task ${record.task}`
    )
  }
}
