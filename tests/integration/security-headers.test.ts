import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'

/**
 * The security headers on the responses themselves: pages, JSON-LD, assets,
 * health, refusals and the anonymous reader cache. That the policy lets
 * every page work is tests/e2e/security-headers.test.ts.
 */

let app: TestApp
const documentId = demoDocuments[0].id

beforeAll(async () => {
	app = await startTestApp()
	await seedDemo(app.database.db, { published: true })
})
afterAll(() => app?.close())

/** The policy as directive → sources. */
function policyOf(response: Response): Map<string, string[]> {
	const header = response.headers.get('content-security-policy')
	expect(header, `${response.url} has no Content-Security-Policy`).toBeTruthy()
	return new Map(
		header!
			.split(';')
			.map((directive) => directive.trim().split(/\s+/))
			.map(([name, ...sources]) => [name!, sources]),
	)
}

const nonceOf = (response: Response) => /'nonce-([A-Za-z0-9+/=]+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1]

function expectSecurityHeaders(response: Response) {
	const policy = policyOf(response)
	expect(policy.get('default-src')).toEqual(["'self'"])
	expect(policy.get('script-src')).toEqual(["'self'", expect.stringMatching(/^'nonce-/)])
	expect(policy.get('object-src')).toEqual(["'none'"])
	expect(policy.get('base-uri')).toEqual(["'self'"])
	expect(policy.get('form-action')).toEqual(["'self'"])
	expect(policy.get('frame-ancestors')).toEqual(["'none'"])
	expect(policy.get('connect-src')).toEqual(["'self'", app.origin.replace(/^http/, 'ws')])
	expect(response.headers.get('x-content-type-options')).toBe('nosniff')
	expect(response.headers.get('referrer-policy')).toBe('same-origin')
	expect(response.headers.get('x-frame-options')).toBe('DENY')
	// The test app is production over plain http: no HSTS, which would be a lie (and stick) there.
	expect(response.headers.get('strict-transport-security')).toBeNull()
}

describe('every response carries the policy and the headers', () => {
	test('a page: no inline script without this response’s nonce, and a fresh nonce each time', async () => {
		const first = await fetch(`${app.url}/login`)
		const second = await fetch(`${app.url}/login`)
		expectSecurityHeaders(first)
		const html = await first.text()
		const scripts = html.match(/<script\b[^>]*>/g) ?? []
		expect(scripts.length).toBeGreaterThan(0)
		for (const tag of scripts) expect(tag).toContain(`nonce="${nonceOf(first)}"`)
		expect(nonceOf(first)).toMatch(/^[A-Za-z0-9+/]{24}$/)
		expect(nonceOf(second)).not.toBe(nonceOf(first))
		// No inline event handler anywhere (script-src-attr 'none').
		expect(html).not.toMatch(/\son[a-z]+=/i)
	})

	test('JSON-LD, an asset, /healthz, a 404 and a refused cross-site POST', async () => {
		const reader = await (await fetch(`${app.url}/read/${documentId}`)).text()
		const annotationId = /href="\/a\/([0-9a-f-]{36})\//.exec(reader)?.[1]
		expect(annotationId).toBeTruthy()
		const jsonLd = await fetch(`${app.url}/a/${annotationId}`, { headers: { Accept: 'application/ld+json' } })
		expect(jsonLd.headers.get('content-type')).toContain('application/ld+json')
		expectSecurityHeaders(jsonLd)

		const asset = /<link rel="modulepreload" href="(\/assets\/[^"]+\.js)"/.exec(await (await fetch(`${app.url}/login`)).text())?.[1]
		expect(asset).toBeTruthy()
		const script = await fetch(`${app.url}${asset}`)
		expect(script.status).toBe(200)
		expect(script.headers.get('content-type')).toContain('javascript')
		expectSecurityHeaders(script)

		expectSecurityHeaders(await fetch(`${app.url}/healthz`))
		const missing = await fetch(`${app.url}/no-such-page`)
		expect(missing.status).toBe(404)
		expectSecurityHeaders(missing)
		const refused = await fetch(`${app.url}/login`, { method: 'POST', headers: { Origin: 'https://evil.example' }, body: new URLSearchParams({ email: 'x' }) })
		expect(refused.status).toBe(403)
		expectSecurityHeaders(refused)
	})

	test('a reader page from the anonymous cache carries no script and no nonce, and a policy of its own', async () => {
		const path = `${app.url}/read/${documentId}/e/1`
		const first = await fetch(path)
		const firstBody = await first.text()
		const cached = await fetch(path)
		expect(cached.headers.get('x-scholion-cache')).toBe('hit')
		const cachedBody = await cached.text()
		expect(cachedBody).toBe(firstBody)
		// Sent without hydration: nothing in it needs a nonce, so none can be stale.
		expect(cachedBody).not.toMatch(/<script\b/i)
		expect(cachedBody).not.toContain('nonce')
		expectSecurityHeaders(cached)
		expect(nonceOf(cached)).not.toBe(nonceOf(first))
	})
})

describe('HSTS only in production over https', () => {
	test('production behind https (PUBLIC_ORIGIN) gets HSTS and a wss: socket; development does not get HSTS', async () => {
		const https = await startTestApp({ database: app.database, publicOrigin: 'https://scholion.example', production: true })
		const dev = await startTestApp({ database: app.database, publicOrigin: 'https://scholion.example', production: false })
		try {
			const secure = await fetch(`${https.url}/healthz`)
			expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000')
			expect(policyOf(secure).get('connect-src')).toEqual(["'self'", 'wss://scholion.example'])
			expect((await fetch(`${dev.url}/healthz`)).headers.get('strict-transport-security')).toBeNull()
		} finally {
			// The shared database stays open for the other tests' app.
			await https.server.close()
			await dev.server.close()
		}
	})
})
