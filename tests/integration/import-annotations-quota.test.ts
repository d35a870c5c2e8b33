import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { annotationImports, annotations } from '#db/schema/index.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import type { ImportedDraft } from '#server/annotations/service.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient } from '#tests/support/http-client.ts'

/*
 * Issue 12, attack 4: one 4.8 MB annotation file made 20,000 drafts. Imports
 * now have a quota per file and per document; a file over either is refused
 * whole, with a sentence saying which, before anything is stored.
 */

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/import-annotations')

let app: TestApp
let client: FormClient

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	client = new FormClient(app.url)
	expect((await client.post('/login', { email: 'reviewer@scholion.test', password: 'scholion-demo' })).status).toBe(302)
})
afterAll(() => app?.close())

function upload(documentId: string, content: string) {
	const form = new FormData()
	form.set('file', new File([content], 'annotations.json', { type: 'application/json' }))
	return client.postMultipart(`/documents/${documentId}/import-annotations`, form)
}

async function countRows(documentId: string) {
	const [a] = await app.database.db.select({ n: count() }).from(annotations).where(eq(annotations.documentId, documentId))
	const [j] = await app.database.db.select({ n: count() }).from(annotationImports).where(eq(annotationImports.documentId, documentId))
	return { annotations: a!.n, imports: j!.n }
}

/** A Hypothesis export of `n` annotations, each on a quote the demo text holds. */
function hypothesisExport(n: number) {
	const rows = Array.from({ length: n }, (_, i) => ({
		id: `a${i}`,
		text: 'note',
		target: [{ source: 's', selector: [{ type: 'TextQuoteSelector', exact: 'Stalin' }] }],
	}))
	return JSON.stringify({ total: n, rows })
}

describe('the annotation-import quota', () => {
	test('a 20,000-annotation file (about 2 MB) is refused whole: more than 2,000 from one file', async () => {
		const documentId = demoDocuments[0].id
		const before = await countRows(documentId)
		const response = await upload(documentId, hypothesisExport(20_000))
		expect(response.status).toBe(400)
		expect(await response.text()).toContain(
			'The file holds 20,000 annotations and replies to import; Scholion imports up to 2,000 from one file. Split it into smaller files and import each. Nothing was imported.',
		)
		expect(await countRows(documentId)).toEqual(before)
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200)
	})

	test('a file that would take a document past its quota is refused whole, one that fits is imported', async () => {
		const documentId = demoDocuments[1].id
		const seminar = readFileSync(path.join(fixtures, 'hypothesis-seminar.json'), 'utf8')
		const before = await countRows(documentId)
		// Room for one import of the fixture's 7 annotations and replies, not two.
		app.server.annotations.importQuota = { perImport: 2_000, perDocument: before.annotations + 10 }
		try {
			const first = await upload(documentId, seminar)
			expect(first.status).toBe(302)
			const statusPage = first.headers.get('Location')!
			for (let i = 0; i < 100 && (await (await client.get(statusPage)).text()).includes('Importing'); i++) {
				await new Promise((resolve) => setTimeout(resolve, 100))
			}
			const afterFirst = await countRows(documentId)
			expect(afterFirst.annotations).toBe(before.annotations + 7)

			const second = await upload(documentId, seminar)
			expect(second.status).toBe(400)
			expect(await second.text()).toContain(
				`This document already holds ${afterFirst.annotations} annotations (replies and drafts included); 7 more would take it past ${before.annotations + 10}, the most an import may bring it to. Nothing was imported.`,
			)
			expect(await countRows(documentId)).toEqual(afterFirst)
		} finally {
			app.server.annotations.importQuota = { perImport: 2_000, perDocument: 10_000 }
		}
	})

	test('the annotation service refuses a batch over the quota itself, whoever calls it', async () => {
		const documentId = demoDocuments[1].id
		const user = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
		const before = await countRows(documentId)
		const drafts: ImportedDraft[] = Array.from({ length: 2_001 }, (_, i) => ({
			key: `d${i}`,
			parentKey: null,
			motivation: 'commenting',
			body: 'note',
			tags: [],
			createdAt: null,
			quote: { exact: 'Stalin', prefix: '', suffix: '' },
			position: null,
		}))
		await expect(app.server.annotations.importDrafts(user, documentId, drafts)).rejects.toMatchObject({
			status: 409,
			message: expect.stringContaining('Scholion imports up to 2,000 from one file'),
		})
		expect(await countRows(documentId)).toEqual(before)
	})
})
