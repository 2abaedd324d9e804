/**
 * Returns the machine's environment as a runner passes it to every step: the variables the
 * runner's service started with (PATH, HOME, proxy and CA settings, registry configuration),
 * without the ones the runner or the test process sets itself. Without the CA settings an
 * install inside a step cannot reach a registry behind a TLS-inspecting proxy.
 */
export function machineEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const machine: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue
    if (/^(GITHUB_|INPUT_|RUNNER_|ACTIONS_|STATE_|JEST_)/.test(name)) continue
    // jest starts the tests with --experimental-vm-modules, which a step must not inherit.
    if (name === 'NODE_OPTIONS' || name === 'NODE_ENV') continue
    machine[name] = value
  }
  return machine
}
