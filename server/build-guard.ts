import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Folders whose code holds secrets, database access or Node-only APIs. */
export const serverOnlyFolders = ['db', 'server', 'seeds'].map((folder) =>
	path.join(root, folder) + path.sep,
)

/**
 * Fails a browser build that would include a module from db/, server/ or
 * seeds/. Remix's own `.server` convention only covers file names; this makes
 * the folder boundary a build error too, whatever the import path looks like
 * (relative, `#db/*` alias, re-export through another module).
 */
export function serverOnlyGuard(folders: string[] = serverOnlyFolders): Plugin {
	return {
		name: 'scholion:server-only-guard',
		enforce: 'pre',
		load(id, options) {
			if (options?.ssr) return null
			const file = id.split('?')[0] ?? id
			const folder = folders.find((f) => file.startsWith(f))
			if (folder) {
				this.error(
					`Server-only module ${path.relative(root, file)} was imported into the browser bundle. ` +
						`Code in ${path.relative(root, folder)}/ must stay on the server: reach it from a loader or action via a *.server.ts module.`,
				)
			}
			return null
		},
	}
}
