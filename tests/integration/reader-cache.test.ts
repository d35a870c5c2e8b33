import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

let app: TestApp
const documentId = demoDocuments[0].id
const users = {} as Record<'reviewer' | 'moderator', User>

beforeAll(async () => {
	app = await startTestApp()
	await seedDemo(app.database.db, { published: true })
	for (const role of ['reviewer', 'moderator'] as const) users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
})
afterAll(() => app?.close())

async function publish(quote: string, body: string) {
	const anchor = await app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
	const created = await app.server.annotations.create(users.reviewer, documentId, { motivation: 'commenting', body, tags: [], status: 'submitted', anchor })
	await app.server.publication.decide(users.moderator, created.id, { verdict: 'approve', reason: 'ok' })
	return created.id
}

describe('anonymous readers get the edition page from the cache while nothing on it changed', () => {
	test('the second visit is served whole from the cache, with the same page and headers', async () => {
		const first = await fetch(`${app.url}/read/${documentId}/e/1`)
		const firstBody = await first.text()
		expect(first.headers.get('x-scholion-cache')).toBeNull()
		const second = await fetch(`${app.url}/read/${documentId}/e/1`)
		expect(second.headers.get('x-scholion-cache')).toBe('hit')
		expect(await second.text()).toBe(firstBody)
		expect(second.headers.get('link')).toContain('http://www.w3.org/ns/oa#annotationService')
		expect(second.headers.get('content-type')).toContain('text/html')
		const head = await fetch(`${app.url}/read/${documentId}/e/1`, { method: 'HEAD' })
		expect(head.status).toBe(200)
		expect(head.headers.get('x-scholion-cache')).toBe('hit')
	})

	test('a new publication, and a retraction, are on the very next visit', async () => {
		await fetch(`${app.url}/read/${documentId}`)
		const id = await publish('large Siberian city', 'zqfreshlypublished')
		const after = await fetch(`${app.url}/read/${documentId}`)
		expect(after.headers.get('x-scholion-cache')).toBeNull()
		expect(await after.text()).toContain('zqfreshlypublished')
		await app.server.publication.retract(users.moderator, id, 'Withdrawn: zqnoticeshown.')
		const retracted = await (await fetch(`${app.url}/read/${documentId}`)).text()
		expect(retracted).toContain('zqnoticeshown')
		expect(retracted).not.toContain('zqfreshlypublished')
	})

	test('a signed-in reader gets their own page, never the anonymous one', async () => {
		await fetch(`${app.url}/read/${documentId}/e/1`)
		const client = new FormClient(app.url)
		await client.post('/login', { email: 'reader@scholion.test', password: 'scholion-demo' })
		const page = await client.get(`/read/${documentId}/e/1`)
		expect(page.headers.get('x-scholion-cache')).toBeNull()
		expect(await page.text()).toContain('Jonas Berg')
	})

	test('a missing edition is a 404 every time, never cached', async () => {
		for (let i = 0; i < 2; i++) {
			const missing = await fetch(`${app.url}/read/${documentId}/e/9`)
			expect(missing.status).toBe(404)
			expect(missing.headers.get('x-scholion-cache')).toBeNull()
		}
	})
})
