import { randomUUID } from 'node:crypto'
import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { annotationReports } from '#db/schema/index.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import type { Motivation } from '#app/annotations/types.ts'

/**
 * The public side with no session at all (plain fetch, no cookie): what the
 * reader page and permalinks show, and what they never show.
 */

let app: TestApp
const seminarText = demoDocuments[0].id
const untouchedText = demoDocuments[1].id
const users = {} as Record<'owner' | 'moderator' | 'reviewer', User>

/** Ids of the annotations made in beforeAll, by what happened to them. */
const made = {} as Record<'published' | 'overlapping' | 'draft' | 'submitted' | 'rejected' | 'changes' | 'retracted' | 'edited' | 'carried', string>
let replyId = ''

async function anchorOn(documentId: string, quote: string) {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		return anchorFor(copy, quote)
	})
}

async function annotate(quote: string, body: string, status: 'draft' | 'submitted' = 'submitted', motivation: Motivation = 'questioning') {
	const created = await app.server.annotations.create(users.reviewer, seminarText, {
		motivation,
		body,
		tags: ['method'],
		status,
		anchor: await anchorOn(seminarText, quote),
	})
	return created.id
}

const approve = (id: string) => app.server.publication.decide(users.moderator, id, { verdict: 'approve', reason: 'It stands.' })

async function page(path: string) {
	const response = await fetch(new URL(path, app.url))
	// React's server renderer separates adjacent text with empty comments.
	return { response, html: (await response.text()).replaceAll('<!-- -->', '') }
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer'] as const) users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	const { publication, annotations } = app.server

	made.published = await annotate('two staged show trials in 1928', 'PUBLISHED-BODY: which trials are meant?')
	await approve(made.published)
	made.overlapping = await annotate('show trials in 1928 and 1930 against engineers', 'OVERLAP-BODY: the Shakhty and Industrial Party trials?', 'submitted', 'commenting')
	await approve(made.overlapping)
	const reply = await annotations.reply(users.moderator, made.published, 'REPLY-BODY: see the trial records.')
	await publication.decide(users.owner, reply.id, { verdict: 'approve', reason: 'Useful.' })
	replyId = reply.id

	made.draft = await annotate('Religious freedom was crushed', 'DRAFT-BODY: still thinking.', 'draft')
	made.submitted = await annotate('bourgeois specialists', 'SUBMITTED-BODY: waiting for a moderator.')
	made.rejected = await annotate('collective farms', 'REJECTED-BODY: off topic.')
	await publication.decide(users.moderator, made.rejected, { verdict: 'reject', reason: 'Off topic.' })
	made.changes = await annotate('Magadan and Norilsk', 'CHANGES-BODY: needs a source.')
	await publication.decide(users.moderator, made.changes, { verdict: 'request_changes', reason: 'Say which source.' })

	made.retracted = await annotate('a relative lull in repressions', 'RETRACTED-BODY: withdrawn later.')
	await approve(made.retracted)
	await publication.retract(users.moderator, made.retracted, 'Withdrawn: the remark misread the passage.')

	made.edited = await annotate('Private enterprises and foreign travel were shut down', 'FIRST-WORDING')
	await approve(made.edited)
	await annotations.edit(users.reviewer, made.edited, { body: 'SECOND-WORDING' })
	await approve(made.edited)

	// Carried to a second edition: the first edition's version is then superseded by one on edition 2.
	made.carried = await annotate('polar towns Magadan', 'CARRIED-BODY: which camps?')
	await approve(made.carried)
	await app.server.collab.withDocument(seminarText, (room) => {
		const fragment = room.doc.getXmlFragment(documentFragmentName)
		const last = fragment.get(fragment.length - 1) as Y.XmlElement
		room.doc.transact(() => (last.get(0) as Y.XmlText).insert(0, 'Editor’s note. '), 'test')
	})
	await publication.freezeEdition(users.moderator, seminarText)
})
afterAll(async () => {
	await app?.close()
})

describe('the reader page of an edition, logged out', () => {
	test('shows the published annotations, their reply and the overlap, and nothing unpublished', async () => {
		const { response, html } = await page(`/read/${seminarText}/e/1`)
		expect(response.status).toBe(200)
		expect(html).toContain('Edition 1 of')
		for (const shown of ['PUBLISHED-BODY', 'OVERLAP-BODY', 'REPLY-BODY', 'SECOND-WORDING', 'CARRIED-BODY']) expect(html).toContain(shown)
		for (const hidden of ['DRAFT-BODY', 'SUBMITTED-BODY', 'REJECTED-BODY', 'CHANGES-BODY', 'RETRACTED-BODY', 'FIRST-WORDING']) expect(html).not.toContain(hidden)
		for (const id of [made.draft, made.submitted, made.rejected, made.changes]) expect(html).not.toContain(id)
		// Both overlapping highlights are in the text, each with a note the text links to.
		for (const id of [made.published, made.overlapping]) {
			expect(html).toContain(`id="highlight-${id}"`)
			expect(html).toContain(`id="note-${id}"`)
			expect(html).toContain(`href="#note-${id}"`)
		}
		expect(html).toContain(`href="/a/${made.published}/v/1"`)
	})

	test('a retracted annotation keeps its place with the notice instead of its body; a superseded one points to the newer edition', async () => {
		const { html } = await page(`/read/${seminarText}/e/1`)
		expect(html).toContain('Withdrawn: the remark misread the passage.')
		expect(html).toMatch(/<strong>Retracted<\/strong> on/)
		expect(html).toMatch(new RegExp(`A newer version is on <a href="/read/${seminarText}/e/2#note-${made.carried}">edition 2</a>`))
	})

	test('announces its annotation container and its feed, and lists the editions', async () => {
		const { response, html } = await page(`/read/${seminarText}`)
		expect(response.status).toBe(200)
		expect(response.headers.get('link')).toBe(`<${app.origin}/read/${seminarText}/e/2/annotations/>; rel="http://www.w3.org/ns/oa#annotationService"`)
		expect(html).toContain(`<link rel="canonical" href="${app.origin}/read/${seminarText}/e/2"/>`)
		expect(html).toMatch(new RegExp(`<link rel="alternate" type="application/atom\\+xml" title="[^"]*" href="/feeds/documents/${seminarText}.atom"/>`))
		expect(html).toContain('Edition 2 of')
		expect(html).toContain(`href="/read/${seminarText}/e/1"`)
		const first = await page(`/read/${seminarText}/e/1`)
		expect(first.response.headers.get('link')).toContain(`/read/${seminarText}/e/1/annotations/>`)
	})

	test('the citation of the edition is on the page, computed on the server', async () => {
		const { html } = await page(`/read/${seminarText}/e/1`)
		expect(html).toContain('Cite this edition')
		expect(html).toMatch(/TY {2}- BOOK/)
		expect(html).toContain(`${app.origin}/read/${seminarText}/e/1`)
	})

	test('forged ids, unknown edition numbers and a document without an edition are the same 404', async () => {
		const missing = await page(`/read/${randomUUID()}`)
		expect(missing.response.status).toBe(404)
		const noEdition = await page(`/read/${untouchedText}`)
		expect(noEdition.response.status).toBe(404)
		// Nothing tells a private document from a missing one.
		expect(noEdition.html.replace(/\s+/g, ' ').length).toBe(missing.html.replace(/\s+/g, ' ').length)
		for (const path of [
			`/read/${untouchedText}/e/1`,
			`/read/${seminarText}/e/3`,
			`/read/${seminarText}/e/0`,
			`/read/${seminarText}/e/01`,
			`/read/${seminarText}/e/x`,
			'/read/not-a-uuid',
		]) {
			expect((await page(path)).response.status, path).toBe(404)
		}
	})
})

describe('permalinks, logged out', () => {
	test('the current version says so, names its version URL as canonical and shows the quote in context and the reply', async () => {
		// Carried to edition 2 by the freeze, as version 2.
		const { response, html } = await page(`/a/${made.published}`)
		expect(response.status).toBe(200)
		expect(html).toContain('Current version')
		expect(html).toContain(`<link rel="canonical" href="${app.origin}/a/${made.published}/v/2"/>`)
		expect(html).toMatch(/<mark class="quote-exact">two staged show trials in 1928<\/mark>/)
		expect(html).toContain('REPLY-BODY')
		expect(html).toContain(`href="/a/${made.published}/v/2?format=jsonld"`)
		expect(response.headers.get('vary')).toMatch(/\bAccept\b/)
		const jsonLd = await fetch(new URL(`/a/${made.published}/v/2?format=jsonld`, app.url))
		expect(jsonLd.headers.get('content-type')).toContain('application/ld+json')
		expect(((await jsonLd.json()) as { id: string }).id).toBe(`${app.origin}/a/${made.published}/v/2`)
		expect(html).toContain(`href="/read/${seminarText}/e/2#note-${made.published}"`)
		expect(html).toContain('Cite this annotation')
		expect(html).toContain(`${app.origin}/a/${made.published}/v/2`)
	})

	test('a superseded version says by which, and lists every version', async () => {
		const { html } = await page(`/a/${made.edited}/v/1`)
		expect(html).toMatch(new RegExp(`<strong>Superseded</strong> by <a href="/a/${made.edited}/v/2">version 2</a>`))
		expect(html).toContain('FIRST-WORDING')
		const current = await page(`/a/${made.edited}`)
		expect(current.html).toContain('SECOND-WORDING')
		expect(current.html).toContain('Current version')
		expect(current.html).toContain(`href="/a/${made.edited}/v/1"`)
	})

	test('a retracted annotation says so first, with the date and the notice; its text is kept, marked retracted', async () => {
		const { response, html } = await page(`/a/${made.retracted}`)
		expect(response.status).toBe(200)
		expect(html).toMatch(/<p class="permalink-standing is-retracted"><strong>Retracted<\/strong> on <time[^>]*>[^<]+<\/time>: Withdrawn: the remark misread the passage\.<\/p>/)
		expect(html.indexOf('permalink-standing')).toBeLessThan(html.indexOf('<h1'))
		// Kept for the record, and marked as what it is.
		expect(html).toMatch(/The retracted text, kept for the record[\s\S]*RETRACTED-BODY/)
	})

	test('a reply has a permalink of its own', async () => {
		const { response, html } = await page(`/a/${replyId}`)
		expect(response.status).toBe(200)
		expect(html).toContain('REPLY-BODY')
		expect(html).toContain(`href="/a/${made.published}"`)
	})

	test('anything not published is a 404, like a forged id', async () => {
		for (const id of [made.draft, made.submitted, made.rejected, made.changes, randomUUID()]) {
			expect((await page(`/a/${id}`)).response.status).toBe(404)
		}
		for (const path of [`/a/${made.published}/v/3`, `/a/${made.published}/v/0`, `/a/${made.published}/v/one`, '/a/not-an-id']) {
			expect((await page(path)).response.status, path).toBe(404)
		}
	})
})

describe('reporting a published annotation, without JavaScript', () => {
	const reports = async () => (await app.database.db.select({ n: count() }).from(annotationReports))[0]!.n
	const reader = () => new FormClient(app.url)
	// The route is an index route: Remix's <Form> posts to "?index", as the rendered form says.
	const action = () => `/a/${made.published}/v/1?index`

	test('the form posts to the permalink itself', async () => {
		const { html } = await page(`/a/${made.published}/v/1`)
		expect(html).toContain('Report this annotation')
		expect(html).toMatch(new RegExp(`<form method="post" action="/a/${made.published}/v/1\\?index"`))
	})

	test('an empty or overlong reason is refused with a message and nothing is stored', async () => {
		const before = await reports()
		const empty = await reader().post(action(), { reason: '   ' })
		expect(empty.status).toBe(400)
		expect(await empty.text()).toContain('Say what is wrong with this annotation.')
		const long = await reader().post(action(), { reason: 'x'.repeat(2001) })
		expect(long.status).toBe(400)
		expect(await long.text()).toContain('Keep a report under 2,000 characters.')
		expect(await reports()).toBe(before)
	})

	test('a report is thanked and stored; after five in an hour the reader is told to wait', async () => {
		const before = await reports()
		const first = await reader().post(action(), { reason: 'The quote is cut mid-sentence.' })
		expect(first.status).toBe(200)
		expect(await first.text()).toContain('Thank you: the moderators will look at it')
		expect(await reports()).toBe(before + 1)
		for (let i = 1; i < 5; i++) expect((await reader().post(action(), { reason: `Report ${i}` })).status).toBe(200)
		const limited = await reader().post(`/a/${made.overlapping}?index`, { reason: 'One too many.' })
		expect(limited.status).toBe(429)
		expect(await limited.text()).toContain('Too many reports from your address')
		expect(await reports()).toBe(before + 5)
	})

	test('reporting something not published is a 404', async () => {
		expect((await reader().post(`/a/${made.submitted}?index`, { reason: 'Spam' })).status).toBe(404)
	})
})
