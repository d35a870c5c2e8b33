import { parse } from 'csv-parse/sync'
import { JSDOM } from 'jsdom'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { checkAnnotationMusts, checkCollectionMusts } from '#tests/support/w3c-annotation-suite.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { annotationContext } from '#app/publication/web-annotation.ts'
import { buildExport } from '#server/exports/jobs.ts'
import { csvColumns } from '#server/exports/csv.ts'

let app: TestApp
const seminar = demoGroups.seminar.id
const stalin = demoDocuments[0].id
const users: Record<'owner' | 'moderator' | 'reviewer' | 'reader', User> = {} as never
let reviewer: FormClient
const ids = {} as Record<'shared' | 'second' | 'ownDraft' | 'othersDraft' | 'reply', string>
const quotes = {
	shared: 'open debate in the Party ceased',
	second: 'foreign travel were shut down',
	ownDraft: 'Religious',
	othersDraft: 'show trials',
}

async function annotate(author: User, quote: string, body: string, status: 'submitted' | 'draft') {
	const anchor = await app.server.collab.withDocument(stalin, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
	return app.server.annotations.create(author, stalin, { motivation: 'questioning', body, tags: ['sources', 'dates'], status, anchor })
}

/** Starts an export through the form, follows its progress page until it is ready, and downloads it. */
async function exportAs(client: FormClient, format: string, path = `/documents/${stalin}/export`) {
	const started = await client.post(path, { format })
	expect(started.status).toBe(302)
	const progressPath = started.headers.get('location')!
	for (let i = 0; i < 100; i++) {
		const document = new JSDOM(await (await client.get(progressPath)).text()).window.document
		const status = document.querySelector('[data-status]')?.getAttribute('data-status')
		if (status === 'done') {
			const link = document.querySelector('a[download]')!.getAttribute('href')!
			const file = await client.get(link)
			expect(file.status).toBe(200)
			return { response: file, text: await file.text(), progress: document.querySelector('progress')! }
		}
		expect(status).toBe('running')
		await new Promise((resolve) => setTimeout(resolve, 50))
	}
	throw new Error('the export did not finish')
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	await app.server.publication.setPolicy(users.owner, seminar, { requiresApproval: true, approvalQuorum: 1 })
	ids.shared = (await annotate(users.reviewer, quotes.shared, 'Was it *ceased*, or suppressed?', 'submitted')).id
	ids.second = (await annotate(users.reviewer, quotes.second, 'When exactly?', 'submitted')).id
	ids.ownDraft = (await annotate(users.reviewer, quotes.ownDraft, 'My private note.', 'draft')).id
	ids.othersDraft = (await annotate(users.moderator, quotes.othersDraft, 'The moderator’s private note.', 'draft')).id
	ids.reply = (await app.server.annotations.reply(users.moderator, ids.shared, 'Suppressed: see the 1927 congress.')).id
	await app.server.publication.decide(users.moderator, ids.shared, { verdict: 'approve', reason: 'A fair question.' })
	reviewer = new FormClient(app.url)
	expect((await reviewer.post('/login', { email: 'reviewer@scholion.test', password: demoPassword })).status).toBe(302)
})
afterAll(async () => {
	await app?.close()
})

describe('exports of a document’s annotations', () => {
	test('CSV parses back with one row per visible annotation and reply, and never another member’s draft', async () => {
		const { response, text } = await exportAs(reviewer, 'csv')
		expect(response.headers.get('content-type')).toContain('text/csv')
		expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/)
		const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[]
		expect(Object.keys(rows[0]!)).toEqual([...csvColumns])
		expect(rows.map((r) => r.id).sort()).toEqual([ids.shared, ids.second, ids.ownDraft, ids.reply].sort())
		expect(text).not.toContain('The moderator’s private note.')
		const shared = rows.find((r) => r.id === ids.shared)!
		expect(shared).toMatchObject({ quote: quotes.shared, motivation: 'questioning', body: 'Was it *ceased*, or suppressed?', tags: 'sources, dates', author: 'Priya Raman', status: 'published', 'parent id': '' })
		expect(Number(shared.end) - Number(shared.start)).toBe(quotes.shared.length)
		expect(rows.find((r) => r.id === ids.reply)).toMatchObject({ 'parent id': ids.shared, author: 'Tomás Reyes', quote: '' })
		expect(rows.find((r) => r.id === ids.ownDraft)?.status).toBe('draft')
	})

	test('JSON-LD is an AnnotationCollection that passes the W3C MUSTs, every annotation too', async () => {
		const { response, text } = await exportAs(reviewer, 'jsonld')
		expect(response.headers.get('content-type')).toContain('application/ld+json')
		const collection = JSON.parse(text)
		expect(checkCollectionMusts(collection)).toEqual([])
		expect(collection.total).toBe(4)
		const items = collection.first.items as Record<string, unknown>[]
		for (const item of items) expect(checkAnnotationMusts({ '@context': annotationContext, ...item })).toEqual([])
		const origin = new URL(app.url).origin
		expect(items.every((item) => String(item.id).startsWith(`${origin}/documents/${stalin}/annotations/`))).toBe(true)
		const shared = items.find((item) => String(item.id).endsWith(ids.shared))!
		expect(shared.target).toMatchObject({ source: `${origin}/documents/${stalin}`, selector: [{ type: 'TextQuoteSelector', exact: quotes.shared }, { type: 'TextPositionSelector' }] })
		expect(items.find((item) => String(item.id).endsWith(ids.reply))).toMatchObject({ motivation: 'replying', target: shared.id })
		expect(text).not.toContain('private note.”')
		expect(text).not.toContain(ids.othersDraft)
	})

	test('Markdown has the text with one footnote per annotation at its quote, replies inside', async () => {
		const { text } = await exportAs(reviewer, 'markdown')
		const definitions = [...text.matchAll(/^\[\^(\d+)\]: /gm)].map((m) => Number(m[1]))
		expect(definitions).toEqual([1, 2, 3])
		for (const n of definitions) expect(text.match(new RegExp(`\\[\\^${n}\\](?!:)`, 'g'))).toHaveLength(1)
		// Notes are numbered in text order: "Religious" comes first, then the two others.
		expect(text).toContain(`${quotes.ownDraft}[^1]`)
		expect(text).toContain(`${quotes.shared}[^2]`)
		expect(text).toContain(`${quotes.second}[^3]`)
		const note2 = text.slice(text.indexOf('[^2]: '), text.indexOf('[^3]: '))
		expect(note2).toContain('**Priya Raman**')
		expect(note2).toContain('    Was it *ceased*, or suppressed?')
		expect(note2).toContain('    **Tomás Reyes** replied')
		expect(note2).toContain('    Suppressed: see the 1927 congress.')
		expect(text).not.toContain('The moderator’s private note.')
	})

	test('progress is reported from 0 to the total, and shown on the progress page', async () => {
		const seen: [number, number][] = []
		await buildExport(
			{ db: app.database.db, annotations: app.server.annotations, origin: app.url },
			users.reviewer,
			{ kind: 'group', id: seminar },
			'csv',
			{ id: `${app.url}/exports/test`, label: 'test' },
			(done, total) => {
				seen.push([done, total])
			},
		)
		expect(seen[0]).toEqual([0, 4])
		expect(seen.at(-1)).toEqual([4, 4])
		expect(seen.map(([done]) => done)).toEqual([0, 1, 2, 3, 4])
		const { progress } = await exportAs(reviewer, 'csv', `/groups/${seminar}/export`)
		expect(progress.getAttribute('data-done')).toBe('4')
		expect(progress.getAttribute('data-total')).toBe('4')
	})

	test('a bad format is refused with a message and starts nothing; another member cannot see the export', async () => {
		const count = async () => Number(((await app.database.db.execute(sql`select count(*)::int as n from export_jobs`)) as unknown as { rows: { n: number }[] }).rows[0]!.n)
		const before = await count()
		const refused = await reviewer.post(`/documents/${stalin}/export`, { format: 'pdf' })
		expect(refused.status).toBe(200)
		expect(await refused.text()).toContain('Choose a format: CSV, JSON-LD or Markdown.')
		expect(await count()).toBe(before)
		const started = await reviewer.post(`/documents/${stalin}/export`, { format: 'csv' })
		const path = started.headers.get('location')!
		const moderator = new FormClient(app.url)
		await moderator.post('/login', { email: 'moderator@scholion.test', password: demoPassword })
		expect((await moderator.get(path)).status).toBe(404)
		expect((await moderator.get(`${path}/download`)).status).toBe(404)
	})
})

describe('printable edition', () => {
	test('shows only the published layer, each annotation a numbered note after its quote', async () => {
		const response = await fetch(`${app.url}/read/${stalin}/e/1/print`)
		expect(response.status).toBe(200)
		const html = await response.text()
		const document = new JSDOM(html).window.document
		const notes = [...document.querySelectorAll('.printed-notes li')]
		expect(notes).toHaveLength(1)
		expect(notes[0]!.textContent).toContain('Was it ceased, or suppressed?')
		expect(document.querySelector('a[href="#note-1"]')?.textContent).toBe('[1]')
		expect(document.querySelector('a[href="#note-1"]')?.closest('p')?.textContent).toContain(`${quotes.shared}[1]`)
		// The reply is not approved, the others are submitted or drafts: none of them is on the paper.
		for (const unpublished of ['When exactly?', 'My private note.', 'The moderator’s private note.', 'Suppressed: see the 1927 congress.']) {
			expect(html).not.toContain(unpublished)
		}
		// The print stylesheet comes with the page.
		const sheets = await Promise.all(
			[...document.querySelectorAll('link[rel="stylesheet"]')].map(async (link) => (await fetch(new URL(link.getAttribute('href')!, app.url))).text()),
		)
		expect(sheets.join('\n')).toMatch(/@media print\{[^}]*\.site-header/)
		expect((await fetch(`${app.url}/read/${stalin}/e/9/print`)).status).toBe(404)
	})
})
