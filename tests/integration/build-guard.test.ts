import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { build } from 'vite'
import { describe, expect, test } from 'vitest'
import { serverOnlyGuard } from '#server/build-guard.ts'

const fixtures = path.resolve('tests/fixtures/build-guard')

/** Bundles one entry for the browser (not SSR) with the guard, as the Remix client build does. */
function browserBuild(entry: string) {
	return build({
		configFile: false,
		logLevel: 'silent',
		root: path.resolve('.'),
		plugins: [serverOnlyGuard()],
		build: {
			write: false,
			minify: false,
			rollupOptions: { input: path.join(fixtures, entry), onwarn: () => {} },
		},
	})
}

describe('the browser bundle cannot include db/ or server/', () => {
	test('an aliased import of db/ fails the build and names the module', async () => {
		await expect(browserBuild('leaks-db.ts')).rejects.toThrow(/Server-only module db\/client\.ts/)
	})

	test('a relative import of server/ through another module fails the build too', async () => {
		await expect(browserBuild('leaks-server-indirectly.ts')).rejects.toThrow(/Server-only module server\/env\.ts/)
	})

	test('shared code builds', async () => {
		await expect(browserBuild('clean.ts')).resolves.toBeTruthy()
	})

	test('the real browser build holds no server code', () => {
		// npm test builds before running the suite; these strings only exist in server modules.
		const assets = path.resolve('build/client/assets')
		const bundle = readdirSync(assets)
			.filter((f) => f.endsWith('.js'))
			.map((f) => readFileSync(path.join(assets, f), 'utf8'))
			.join('\n')
		expect(bundle.length).toBeGreaterThan(1000)
		for (const serverOnly of ['drizzle-orm', 'DATABASE_URL', 'argon2', 'token_hash', 'pglite']) {
			expect(bundle, serverOnly).not.toContain(serverOnly)
		}
	})
})
