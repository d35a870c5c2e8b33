// The import worker's entry, plain JavaScript so that Node can start it without
// a loader: a worker does not inherit the module hooks of the thread that made
// it (tsx's in `npm start`, Vitest's in the tests), so it registers tsx's itself
// and then loads the TypeScript.
import { register } from 'tsx/esm/api'

register()
await import('./import-worker.ts')
