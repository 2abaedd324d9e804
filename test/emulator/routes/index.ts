import type { Route } from '../router.js'
import { commentRoutes } from './comments.js'
import { issueRoutes } from './issues.js'
import { labelRoutes } from './labels.js'
import { relationRoutes } from './relations.js'
import { repositoryRoutes } from './repository.js'
import { searchRoutes } from './search.js'

/** Every route the emulator serves. scripts/extract-openapi.mjs must list the same operations. */
export const routes: Route[] = [
  ...repositoryRoutes,
  ...issueRoutes,
  ...commentRoutes,
  ...labelRoutes,
  ...relationRoutes,
  ...searchRoutes
]
