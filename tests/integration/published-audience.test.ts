import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Audience } from '#app/policy/identity.ts'
import { setDocumentAudience, setGroupAudience } from '#db/queries/audience.ts'
import { findGroup } from '#db/queries/groups.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

/**
 * Who may read the published layer: public / members / none × an anonymous
 * visitor, a signed-in non-member and a member, on every surface, asserted
 * on what the server sends. A hidden item's 404 is byte for byte a missing
 * one's.
 */

let app: TestApp
const seminar = demoGroups.seminar.id
const text = demoDocuments[0].id
const otherText = demoDocuments[1].id
let annotationId = ''
const viewers = {} as Record<'anonymous' | 'outsider' | 'member' | 'owner', FormClient>

beforeAll(async () => {
	app = await startTestApp()
	await seedDemo(app.database.db, { published: true })
	const edition = await app.server.publication.published.edition(text)
	annotationId = edition!.annotations[0]!.annotationId
	viewers.anonymous = new FormClient(app.url)
	viewers.outsider = await signUp(app.url, { email: 'outsider@example.test', name: 'Olga Outsider' })
	for (const [key, email] of [['member', 'reader@scholion.test'], ['owner', 'owner@scholion.test']] as const) {
		viewers[key] = new FormClient(app.url)
		expect((await viewers[key].post('/login', { email, password: demoPassword })).status).toBe(302)
	}
}, 120_000)
afterAll(() => app?.close())

const ld = { Accept: 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"' }

/** Every read surface of one document and one of its annotations. */
function surfaces(documentId: string, annotation: string): { name: string; path: string; headers?: Record<string, string>; method?: string }[] {
	return [
		{ name: 'reader', path: `/read/${documentId}` },
		{ name: 'edition', path: `/read/${documentId}/e/1` },
		{ name: 'print', path: `/read/${documentId}/e/1/print` },
		{ name: 'container', path: `/read/${documentId}/e/1/annotations/` },
		{ name: 'container page', path: `/read/${documentId}/e/1/annotations?page=0` },
		{ name: 'container HEAD', path: `/read/${documentId}/e/1/annotations/`, method: 'HEAD' },
		{ name: 'document feed', path: `/feeds/documents/${documentId}.atom` },
		{ name: 'permalink', path: `/a/${annotation}` },
		{ name: 'version', path: `/a/${annotation}/v/1` },
		{ name: 'permalink JSON-LD (Accept)', path: `/a/${annotation}`, headers: ld },
		{ name: 'version JSON-LD (?format)', path: `/a/${annotation}/v/1?format=jsonld` },
		{ name: 'permalink .jsonld', path: `/a/${annotation}.jsonld` },
	]
}

async function fetchAs(viewer: FormClient, s: { path: string; headers?: Record<string, string>; method?: string }) {
	return viewer.request(s.path, { method: s.method ?? 'GET', headers: s.headers ?? {} })
}

const mask = (body: string) => body.replace(/nonce="[^"]*"/g, 'nonce=""')

async function setAudience(audience: Audience) {
	await setGroupAudience(app.database.db, seminar, audience)
}

const expected: Record<Audience, Record<'anonymous' | 'outsider' | 'member', 200 | 404>> = {
	public: { anonymous: 200, outsider: 200, member: 200 },
	members: { anonymous: 404, outsider: 404, member: 200 },
	none: { anonymous: 404, outsider: 404, member: 404 },
}

describe.each(['public', 'members', 'none'] as const)('audience %s', (audience) => {
	beforeAll(() => setAudience(audience))
	afterAll(() => setAudience('public'))

	test.each(['anonymous', 'outsider', 'member'] as const)('%s: every surface answers as the rule says, hidden exactly like missing', async (who) => {
		const viewer = viewers[who]
		const status = expected[audience][who]
		const missing = surfaces(randomUUID(), randomUUID())
		for (const [i, surface] of surfaces(text, annotationId).entries()) {
			const response = await fetchAs(viewer, surface)
			expect(`${surface.name} ${response.status}`).toBe(`${surface.name} ${status}`)
			const body = await response.text()
			if (status === 404) {
				const nothing = await fetchAs(viewer, missing[i]!)
				expect(nothing.status).toBe(404)
				expect(mask(body)).toBe(mask(await nothing.text()))
				expect(body).not.toContain('Stalin, 1924')
			} else if (audience === 'members' && surface.method !== 'HEAD') {
				expect(response.headers.get('cache-control')).toBe('private, no-store')
			}
		}
	})

	test('the group feed and the public search leave out what the viewer may not read', async () => {
		for (const who of ['anonymous', 'outsider', 'member'] as const) {
			const feed = await viewers[who].get(`/feeds/groups/${seminar}.atom`)
			expect(`${who} ${feed.status}`).toBe(`${who} ${expected[audience][who]}`)
			const search = await (await viewers[who].get('/read/search?q=evidence')).text()
			expect(`${who} ${search.includes('class="search-hit"')}`).toBe(`${who} ${expected[audience][who] === 200}`)
		}
	})
})

describe('members-only pages', () => {
	test('say so on the page', async () => {
		await setAudience('members')
		try {
			const page = await (await viewers.member.get(`/read/${text}/e/1`)).text()
			expect(page).toContain('Visible to members of Sources seminar only.')
			const permalink = await (await viewers.member.get(`/a/${annotationId}`)).text()
			expect(permalink).toContain('Visible to members of Sources seminar only.')
		} finally {
			await setAudience('public')
		}
	})

	test('a report on a hidden version is a 404, like one on a missing id', async () => {
		await setAudience('members')
		try {
			const hidden = await viewers.anonymous.post(`/a/${annotationId}`, { reason: 'Is this here?' })
			const missing = await viewers.anonymous.post(`/a/${randomUUID()}`, { reason: 'Is this here?' })
			expect([hidden.status, missing.status]).toEqual([404, 404])
			expect(mask(await hidden.text())).toBe(mask(await missing.text()))
		} finally {
			await setAudience('public')
		}
	})
})

describe('narrowing the audience', () => {
	test('takes effect on the next anonymous request, past the reader-page cache', async () => {
		const path = `/read/${text}/e/1`
		expect((await viewers.anonymous.get(path)).status).toBe(200)
		const again = await viewers.anonymous.get(path)
		expect(again.headers.get('x-scholion-cache')).toBe('hit')
		await setAudience('members')
		try {
			const after = await viewers.anonymous.get(path)
			expect(after.status).toBe(404)
			expect(after.headers.get('x-scholion-cache')).toBeNull()
		} finally {
			await setAudience('public')
		}
	})

	test('a document may override its group: public in a members-only group, alone in the group feed', async () => {
		await setAudience('members')
		await setDocumentAudience(app.database.db, otherText, 'public')
		try {
			expect((await viewers.anonymous.get(`/read/${otherText}`)).status).toBe(200)
			expect((await viewers.anonymous.get(`/read/${text}`)).status).toBe(404)
			const feed = await (await viewers.anonymous.get(`/feeds/groups/${seminar}.atom`)).text()
			expect(feed).toContain(otherText)
			expect(feed).not.toContain(`/read/${text}`)
		} finally {
			await setDocumentAudience(app.database.db, otherText, null)
			await setAudience('public')
		}
	})
})

describe('the audience settings', () => {
	const path = `/groups/${seminar}/settings/audience`

	test('are the owners’: a member is refused, an outsider finds nothing', async () => {
		expect((await viewers.owner.get(path)).status).toBe(200)
		expect((await viewers.member.get(path)).status).toBe(403)
		expect((await viewers.outsider.get(path)).status).toBe(404)
		expect((await viewers.anonymous.get(path)).status).toBe(302)
	})

	test('say what a change does before making it, and make it only on confirmation', async () => {
		const preview = await viewers.owner.post(path, { intent: 'preview', audience: 'members' })
		expect(preview.status).toBe(200)
		const page = await preview.text()
		expect(page).toMatch(/\d+ permalinks? that (is|are) public now will answer 404/)
		expect((await findGroup(app.database.db, seminar))?.publishedAudience).toBe('public')
		const confirmed = await viewers.owner.post(path, { intent: 'confirm', audience: 'members' })
		expect(confirmed.status).toBe(302)
		expect((await findGroup(app.database.db, seminar))?.publishedAudience).toBe('members')
		expect((await viewers.anonymous.get(`/read/${text}`)).status).toBe(404)
		await setAudience('public')
	})

	test('refuse an audience that is not one', async () => {
		const refused = await viewers.owner.post(path, { intent: 'preview', audience: 'everyone' })
		expect(refused.status).toBe(400)
		expect(await refused.text()).toContain('Choose who may read the published layer.')
	})
})
