import * as core from '@actions/core'
import { run as runCollect } from '../actions/collect.js'
import { run as runPlan } from '../actions/plan.js'
import { run as runSetup } from '../actions/setup.js'

/**
 * The root action, which the Marketplace lists: its `command` input picks the action to
 * run, with the same inputs and outputs as that action's own folder.
 */
const commands: Record<string, () => Promise<void>> = {
  plan: runPlan,
  setup: runSetup,
  collect: runCollect
}

const command = core.getInput('command', { required: false }).trim()
const runCommand = commands[command]
if (runCommand) {
  await runCommand()
} else {
  core.setFailed(
    `Invalid input 'command': '${command}'. Expected one of: ${Object.keys(commands).join(', ')}. ` +
      'For example: with: { command: plan }.'
  )
}
