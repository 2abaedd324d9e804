import { run } from '../actions/collect.js'

await run()
