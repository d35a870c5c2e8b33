import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { annotationImports, annotations } from '#db/schema/index.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import type { AnnotationView } from '#app/annotations/types.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient } from '#tests/support/http-client.ts'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import-annotations')
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8')

let app: TestApp
let reviewer: User
const maxImportBytes = 256 * 1024

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20, maxImportBytes })
	await seedDemo(app.database.db)
	reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
})
afterAll(async () => {
	await app?.close()
})

async function login(email: string) {
	const client = new FormClient(app.url)
	expect((await client.post('/login', { email, password: 'scholion-demo' })).status).toBe(302)
	return client
}

function upload(client: FormClient, documentId: string, content: string | Uint8Array, name = 'annotations.json') {
	const form = new FormData()
	form.set('file', new File([content as BlobPart], name, { type: 'application/json' }))
	return client.postMultipart(`/documents/${documentId}/import-annotations`, form)
}

/** Uploads a file and follows the import to its summary page, as the page's refresh would. */
async function importFile(client: FormClient, documentId: string, content: string, name?: string) {
	const response = await upload(client, documentId, content, name)
	expect(response.status).toBe(302)
	const location = response.headers.get('Location')!
	expect(location).toMatch(new RegExp(`^/documents/${documentId}/import-annotations\\?import=[0-9a-f-]{36}$`))
	for (let i = 0; i < 100; i++) {
		const html = await (await client.get(location)).text()
		if (!html.includes('Importing')) return summaryOf(html)
		await new Promise((resolve) => setTimeout(resolve, 100))
	}
	throw new Error('the import did not finish')
}

/** The figures of the summary table, by row label. */
function summaryOf(html: string) {
	const cell = (label: string) => Number(new RegExp(`<th scope="row">${label}[^<]*</th><td>(\\d+)</td>`).exec(html)?.[1] ?? NaN)
	return {
		html,
		exact: cell('Placed exactly'),
		fuzzy: cell('Placed by fuzzy match'),
		orphaned: cell('Orphaned'),
		replies: cell('Replies'),
		skipped: cell('Skipped'),
	}
}

async function annotationsOf(client: FormClient, documentId: string) {
	const response = await client.get(`/documents/${documentId}/annotations`)
	return ((await response.json()) as { annotations: AnnotationView[] }).annotations
}

async function countRows(documentId: string) {
	const [a] = await app.database.db.select({ n: count() }).from(annotations).where(eq(annotations.documentId, documentId))
	const [j] = await app.database.db.select({ n: count() }).from(annotationImports).where(eq(annotationImports.documentId, documentId))
	return { annotations: a!.n, imports: j!.n }
}

describe('importing annotations onto a document', () => {
	test('a Hypothesis export: exact, moved, fuzzy and gone quotes, replies, skipped page notes; all the importer’s drafts', async () => {
		const client = await login('reviewer@scholion.test')
		const documentId = demoDocuments[0].id
		const summary = await importFile(client, documentId, fixture('hypothesis-seminar.json'), 'hypothesis-seminar.json')
		expect(summary).toMatchObject({ exact: 3, fuzzy: 1, orphaned: 1, replies: 2, skipped: 2 })
		expect(summary.html).toContain('Imported 7 of 9 from hypothesis-seminar.json')
		expect(summary.html).toContain('no quote selector')
		expect(summary.html).toContain('a reply to an annotation that is not in the file')

		const imported = await annotationsOf(client, documentId)
		expect(imported).toHaveLength(7)
		expect(imported.every((a) => a.status === 'draft' && a.creator?.id === reviewer.id)).toBe(true)
		const byBody = (start: string) => imported.find((a) => a.body.startsWith(start))!
		const nep = byBody('A lull *and* private enterprise')
		expect(nep).toMatchObject({ motivation: 'commenting', tags: ['nep', 'framing'], createdAt: '2023-10-03T09:14:22.517Z' })
		expect(nep.anchor).toMatchObject({ status: 'exact', exact: 'used a relative lull in repressions and permission for private enterprise' })
		// The moved quote is found where the words are now, not where the file said.
		expect(byBody('Which enterprises?').anchor).toMatchObject({ status: 'exact', startOffset: 918 })
		const fuzzy = byBody('Two trials').anchor!
		expect(fuzzy.status).toBe('fuzzy')
		expect(fuzzy.exact).toBe('the repressions were intensified with two staged show trials in 1928 and 1930')
		// The gone quote is an orphan that keeps its words, for the Orphaned list.
		expect(byBody('This sentence was in last year').anchor).toMatchObject({
			status: 'orphaned',
			exact: 'the secret police archive was opened to every historian in 1991',
		})
		expect(imported.find((a) => a.body === '' && a.parentId === null)?.motivation).toBe('tagging')
		// Both replies join the thread of the first annotation (a reply to a reply included).
		const replies = imported.filter((a) => a.parentId !== null)
		expect(replies.map((r) => r.parentId)).toEqual([nep.id, nep.id])
		expect(replies.every((r) => r.anchor === null)).toBe(true)

		// Drafts: nobody else sees them.
		const owner = await login('owner@scholion.test')
		expect((await annotationsOf(owner, documentId)).some((a) => a.creator?.id === reviewer.id && a.status === 'draft')).toBe(false)
	})

	test('a W3C AnnotationCollection: bodies, tagging purposes, replies by IRI, selectors in a list or alone; what cannot be placed is skipped', async () => {
		const client = await login('reviewer@scholion.test')
		const documentId = demoDocuments[2].id
		const summary = await importFile(client, documentId, fixture('w3c-collection.jsonld'), 'week-3.jsonld')
		expect(summary).toMatchObject({ exact: 2, fuzzy: 0, orphaned: 0, replies: 1, skipped: 3 })
		expect(summary.html).toContain('only a link to the annotation is in the file')
		const imported = await annotationsOf(client, documentId)
		const question = imported.find((a) => a.body.startsWith('Which **archive**?'))!
		expect(question).toMatchObject({ motivation: 'questioning', tags: ['unsourced'], createdAt: '2024-02-01T10:00:00.000Z' })
		expect(question.anchor).toMatchObject({ status: 'exact', exact: 'Orphans disappeared' })
		expect(imported.find((a) => a.body === 'An unsupported superlative.')).toMatchObject({ motivation: 'assessing' })
		expect(imported.find((a) => a.body === 'The census of 1937 might say.')).toMatchObject({ parentId: question.id })
	})

	test('bad files get a clear error and import nothing', async () => {
		const client = await login('reviewer@scholion.test')
		const documentId = demoDocuments[1].id
		const before = await countRows(documentId)
		const refusals: [string | Uint8Array, RegExp, number][] = [
			['', /That file is empty/, 400],
			['{"rows": [', /not JSON/, 400],
			['{"hello": "world"}', /neither a Hypothesis export nor a W3C/, 400],
			['{"rows": [{"id": "x", "target": "nowhere"}]}', /This Hypothesis export cannot be read: .*rows\[0\]\.target/, 400],
			['{"type": "AnnotationPage", "items": [{"type": "Annotation", "target": {"source": "s", "selector": {"type": "TextQuoteSelector", "exact": 7}}}]}', /cannot be read/, 400],
			['{"rows": []}', /no annotations/, 400],
			[JSON.stringify({ rows: [{ id: 'n', text: 'page note', target: [{ source: 's' }] }] }), /None of the 1 annotation in the file .*no quote selector/, 400],
			['{"type": "AnnotationCollection", "total": 3, "first": "https://x.example/c/?page=0"}', /only links to its annotations/, 400],
			[new Uint8Array([0xff, 0xfe, 0x00]), /not UTF-8/, 400],
		]
		for (const [content, message, status] of refusals) {
			const response = await upload(client, documentId, content)
			expect(response.status, String(message)).toBe(status)
			expect(await response.text()).toMatch(message)
		}
		expect(await countRows(documentId)).toEqual(before)
	})

	test('a reader may not import; the page is linked from the document for writers', async () => {
		const reader = await login('reader@scholion.test')
		const documentId = demoDocuments[0].id
		expect((await reader.get(`/documents/${documentId}/import-annotations`)).status).toBe(403)
		expect((await upload(reader, documentId, fixture('hypothesis-seminar.json'))).status).toBe(403)
		const writer = await login('reviewer@scholion.test')
		expect(await (await writer.get(`/documents/${documentId}`)).text()).toContain(`href="/documents/${documentId}/import-annotations"`)
		expect(await (await reader.get(`/documents/${documentId}`)).text()).not.toContain('/import-annotations')
		// Someone else's import is not theirs to see.
		expect((await writer.get(`/documents/${documentId}/import-annotations?import=00000000-0000-4000-8000-000000000000`)).status).toBe(404)
	})
	// Last: the refused upload is left unread, so its connection is closed under the client.
	test('a file over the size limit is refused before it is read', async () => {
		const client = await login('reviewer@scholion.test')
		const documentId = demoDocuments[1].id
		const before = await countRows(documentId)
		const response = await upload(client, documentId, `{"rows": [], "pad": "${'x'.repeat(maxImportBytes + 100_000)}"}`)
		expect(response.status).toBe(413)
		expect(await response.text()).toContain('That file is too large to import: the limit is 0.3 MB.')
		expect(await countRows(documentId)).toEqual(before)
	})
})
