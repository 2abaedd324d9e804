import { run } from '../actions/plan.js'

await run()
