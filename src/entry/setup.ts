import { run } from '../actions/setup.js'

await run()
