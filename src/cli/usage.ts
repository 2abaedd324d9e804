import os from 'node:os'

/** Returns how many tasks run at the same time without --concurrency: one per CPU. */
export function defaultConcurrency(): number {
  return os.availableParallelism()
}

export const USAGE = `Usage: parallel-setup <command> [manifest] [options]

Commands:
  plan [manifest]    Print the tasks, their waves and the job matrix the plan action outputs.
  run [manifest]     Set up every task in this checkout at once: issue, branch, worktree,
                     copied files, ports and dependency install.
  status [manifest]  Show each task's worktree, branch, last commit, changes, issue and ports.
  clean [manifest]   Remove the worktrees and local branches of merged or untouched tasks.

The manifest is .github/parallel-setup.yml in the repository unless given.
Run "parallel-setup <command> --help" for a command's options.`

export const PLAN_USAGE = `Usage: parallel-setup plan [manifest] [options]

Reads a task manifest (default: .github/parallel-setup.yml) and prints the plan.

Options:
  --only <ids>       Task ids or globs to plan, separated by commas.
  --max-jobs <n>     The most matrix legs, from 1 to 256 (default 256).
  --json             Print machine-readable JSON.
  -h, --help         Show this help.`

export const RUN_USAGE = `Usage: parallel-setup run [manifest] [options]

Sets up the manifest's tasks in this checkout, several at a time, with the same steps as
the setup action: the task's issue (found again on a re-run, never opened twice), its
branch and a worktree at .worktrees/<task>, the files listed under copy, a port range,
and the dependency install. Then it prints a summary and writes one result file per task
to .worktrees/.results/<task>.json, a Markdown summary to .worktrees/.results/summary.md
and each task's log to .worktrees/.logs/<task>.log. Running it again reuses the branches,
worktrees and issues.

Options:
  --only <ids>              Task ids or globs to set up, separated by commas.
  --concurrency <n>         Tasks set up at the same time (default: the number of CPUs).
  --no-issues               Neither find nor open issues, so no token is needed.
  --no-push                 Keep the task branches local instead of pushing them to origin.
  --dry-run                 Print what would happen and change nothing.
  --allow-dirty             Run even when the checkout has uncommitted changes, which the
                            task worktrees do not get.
  --base <branch>           Start every task from this branch of origin (default: the
                            task's base in the manifest, else origin's default branch).
  --install <setting>       auto, none or a command, instead of the manifest's install.
  --port-base <port>        First port of the first task's range (default 3000).
  --ports-per-task <n>      Number of ports in each task's range (default 10).
  --worktree-root <folder>  Folder for the worktrees, inside the repository (default .worktrees).
  --api-url <url>           GitHub REST API root (default: GITHUB_API_URL, else derived from
                            origin: https://api.github.com, or https://HOST/api/v3 for
                            GitHub Enterprise Server).
  --repo <owner/name>       Repository for the issues (default: read from origin's URL).
  --tracking-label <name>   Label every task issue gets, to find it again (default parallel-setup).
  --json                    Print the results as JSON on stdout; progress stays on stderr.
  -h, --help                Show this help.

Issues need a token with permission to write issues in GH_TOKEN or GITHUB_TOKEN, for
example: export GH_TOKEN=$(gh auth token)

Ports: the task at place N in the manifest (counting from 0) gets the ports from
base + N * size to base + N * size + size - 1, whichever tasks --only selects. Its
install runs with PORT (the first port), PORT_RANGE_START and PORT_RANGE_END set, and
the same keys are written to the .env file of the task's working directory, keeping
that file's other lines. A .env file that git tracks is left unchanged.

Dependency caches: the installs run with your environment, and parallel-setup sets no
cache location, so all worktrees share their package manager's cache on this machine:
npm's cache (npm config get cache), pnpm's store (pnpm store path) and Yarn 1's cache
(yarn cache dir). Yarn 2 and later share the global cache (yarn config get cacheFolder)
only when enableGlobalCache is true; otherwise each worktree has its own .yarn/cache.

Exit status: 0 when every task is ready, 1 when one failed or the run could not start,
2 for a wrong command line.`

export const STATUS_USAGE = `Usage: parallel-setup status [manifest] [options]

Shows each task of the manifest, and each task that still has a result file: its worktree,
the branch checked out there, the last commit, whether it has uncommitted changes, its
issue and port range from the last run, and how that run ended.

Options:
  --worktree-root <folder>  Folder of the worktrees (default .worktrees).
  --json                    Print machine-readable JSON.
  -h, --help                Show this help.`

export const CLEAN_USAGE = `Usage: parallel-setup clean [manifest] [options]

Removes task worktrees and their local branches, with their result and log files. A task
is removed when its branch is merged into its base branch (fetched from origin first) or
has no commits of its own. A branch with commits that the base does not have is always
kept, also with --force, because they might exist nowhere else; a squash or rebase merge
counts as not merged. Remote branches and issues are left as they are.

Options:
  --merged                  Remove only branches whose commits are merged, and keep the
                            ones that have no commits of their own yet.
  --force                   Also remove worktrees with uncommitted changes, discarding them.
  --only <ids>              Task ids or globs to clean, separated by commas.
  --base <branch>           The branch that counts as merged into (default: the task's base
                            in the manifest, else origin's default branch).
  --dry-run                 Print what would be removed and remove nothing.
  --worktree-root <folder>  Folder of the worktrees (default .worktrees).
  --json                    Print machine-readable JSON.
  -h, --help                Show this help.`
