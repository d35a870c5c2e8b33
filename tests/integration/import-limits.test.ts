import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { documentSnapshots, documents } from '#db/schema/index.ts'
import { startScholionServer, type ScholionServer } from '#server/http.ts'
import type { ImportLimits } from '#server/import/limits.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

/*
 * The hostile imports of issue 12 (attack 4), each made here and uploaded
 * through the real import form: every one is refused with a sentence naming the
 * limit it went over, stores nothing, and leaves the server answering.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const seedDocuments = path.join(root, 'seeds/documents')

let app: TestApp
let owner: FormClient
let importPath: string
let groupPath: string

beforeAll(async () => {
	app = await startTestApp()
	owner = await signUp(app.url, { email: 'owner@example.org', name: 'Oona Owner' })
	const created = await owner.post('/groups/new', { name: 'Limits seminar', kind: 'seminar', description: '' })
	expect(created.status).toBe(302)
	groupPath = created.headers.get('Location')!
	importPath = `${groupPath}/import`
})
afterAll(() => app?.close())

/** The import form as a browser submits it, with a file. */
function importForm(name: string, content: string) {
	const form = new FormData()
	form.set('title', '')
	form.set('file', new Blob([content], { type: 'application/octet-stream' }), name)
	form.set('paste', '')
	form.set('format', 'txt')
	return form
}

async function storedRows() {
	const [docs] = await app.database.db.select({ n: count() }).from(documents)
	const [snapshots] = await app.database.db.select({ n: count() }).from(documentSnapshots)
	return { documents: docs!.n, snapshots: snapshots!.n }
}

/** Still serving: the health check and a page that reads the database. */
async function expectServing(client: FormClient, url = app.url) {
	expect((await fetch(`${url}/healthz`)).status).toBe(200)
	expect((await client.get(groupPath)).status).toBe(200)
}

/** Uploads `content` as `name` and expects the form back with `message` in its alert, and nothing stored. */
async function expectRefused(client: FormClient, name: string, content: string, message: string) {
	const before = await storedRows()
	const response = await client.postMultipart(importPath, importForm(name, content))
	const html = (await response.text()).replaceAll('<!-- -->', '')
	expect(response.status, html.slice(0, 300)).toBe(400)
	expect(html).toContain('role="alert"')
	expect(html).toContain(message)
	expect(await storedRows()).toEqual(before)
	await expectServing(client)
}

/** `count` paragraphs of HTML, each with emphasis and a link: four elements apiece. */
function htmlParagraphs(n: number) {
	return '<p>A sentence of a paragraph with <em>emphasis</em> and a <a href="https://example.org/x">link</a>.</p>\n'.repeat(n)
}

// Generous for a loaded machine: the first import starts the worker, and uploads are megabytes.
describe('hostile documents are refused at the first element over a limit, storing nothing', { timeout: 90_000 }, () => {
	test('1.5 million Markdown paragraphs (4.5 MB): more lines than a reading has', async () => {
		await expectRefused(
			owner,
			'paragraphs.md',
			'a\n\n'.repeat(1_500_000),
			'“paragraphs.md” has more than 250,000 lines; Scholion imports up to 250,000.',
		)
	})

	test('60,000 Markdown paragraphs within the lines: more blocks than a reading has', async () => {
		await expectRefused(
			owner,
			'paragraphs.md',
			'a\n\n'.repeat(60_000),
			'“paragraphs.md” has more than 50,000 paragraphs and other blocks (headings, list items, quotes); Scholion imports up to 50,000.',
		)
	})

	test('600,000 HTML paragraphs (4.8 MB): more blocks than a reading has', async () => {
		await expectRefused(
			owner,
			'paragraphs.html',
			'<p>a</p>'.repeat(600_000),
			'“paragraphs.html” has more than 50,000 paragraphs and other blocks',
		)
	})

	test('100,000 nested divs: nesting deeper than 100', async () => {
		await expectRefused(
			owner,
			'divs.html',
			'<div>'.repeat(100_000) + 'deep text' + '</div>'.repeat(100_000),
			'“divs.html” has elements nested deeper than 100 levels',
		)
	})

	test('20,000 nested blockquotes, in HTML and in Markdown: nesting deeper than 100', async () => {
		const levels = 20_000
		await expectRefused(
			owner,
			'quotes.html',
			'<blockquote>'.repeat(levels) + 'deep text' + '</blockquote>'.repeat(levels),
			'“quotes.html” has elements nested deeper than 100 levels',
		)
		await expectRefused(owner, 'quotes.md', '>'.repeat(levels) + ' deep text\n', '“quotes.md” has elements nested deeper than 100 levels')
	})

	test('1.2 million emphasised words in one Markdown paragraph: more elements than a reading has', async () => {
		await expectRefused(
			owner,
			'emphasis.md',
			'*a* '.repeat(1_200_000),
			'“emphasis.md” has more than 100,000 elements of markup (paragraphs, emphasis, links, line breaks)',
		)
	})
})

describe('what the counts cannot foresee ends with the worker, not the server', { timeout: 90_000 }, () => {
	/** Another server on the same database, with its own import limits. */
	async function serverWith(limits: Partial<ImportLimits>): Promise<ScholionServer> {
		const build = await import(path.join(root, 'build/server/index.js'))
		return startScholionServer({ database: app.database, build, production: true, importLimits: limits })
	}

	test('a conversion that takes longer than the time limit is stopped; other requests are answered meanwhile', async () => {
		// A file within every count that takes seconds on an idle core (measured: 3 s), against half a second.
		const server = await serverWith({ timeoutMs: 500 })
		try {
			const client = new FormClient(server.url)
			await client.post('/login', { email: 'owner@example.org', password: 'correct horse battery' })
			const before = await storedRows()
			let importAnswered = false
			const importing = client
				.postMultipart(importPath, importForm('slow.html', htmlParagraphs(25_000)))
				.finally(() => (importAnswered = true))
			// The main thread is free while the worker converts: health checks come back before the import does.
			let answeredDuring = 0
			while (!importAnswered) {
				const health = await fetch(`${server.url}/healthz`)
				expect(health.status).toBe(200)
				if (!importAnswered) answeredDuring++
				await new Promise((resolve) => setTimeout(resolve, 50))
			}
			const response = await importing
			const html = (await response.text()).replaceAll('<!-- -->', '')
			expect(response.status).toBe(400)
			expect(html).toContain('“slow.html” took longer than 0.5 seconds to convert, and was stopped.')
			expect(answeredDuring).toBeGreaterThan(0)
			expect(await storedRows()).toEqual(before)
			await expectServing(client, server.url)
		} finally {
			await server.close()
		}
	})

	test('a conversion that needs more memory than the worker has is stopped, and the next import works', async () => {
		const server = await serverWith({ maxMemoryMb: 64 })
		try {
			const client = new FormClient(server.url)
			await client.post('/login', { email: 'owner@example.org', password: 'correct horse battery' })
			const before = await storedRows()
			// 48,000 elements, within the counts; measured to need between 160 and 256 MB.
			const response = await client.postMultipart(importPath, importForm('large.html', htmlParagraphs(12_000)))
			const html = (await response.text()).replaceAll('<!-- -->', '')
			expect(response.status).toBe(400)
			expect(html).toContain('“large.html” needed more memory than 64 MB to convert, and was stopped.')
			expect(await storedRows()).toEqual(before)
			await expectServing(client, server.url)

			// A fresh worker takes the next import.
			const small = await client.postMultipart(importPath, importForm('small.md', '# Small\n\nA short reading.\n'))
			expect(small.status).toBe(302)
		} finally {
			await server.close()
		}
	})
})

describe('real readings still import', { timeout: 90_000 }, () => {
	test('the seed texts repeated to about 1 MB import as one document', async () => {
		const text = readFileSync(path.join(seedDocuments, 'stalin-1924-1953.txt'), 'utf8')
		const source = text.repeat(Math.ceil(1_000_000 / text.length))
		const before = await storedRows()
		const response = await owner.postMultipart(importPath, importForm('stalin-repeated.txt', source))
		expect(response.status).toBe(302)
		const page = await owner.get(response.headers.get('Location')!)
		expect(page.status).toBe(200)
		expect(await page.text()).toContain('Cheka under new name NKVD and new leaders was greatly expanded')
		expect(await storedRows()).toEqual({ documents: before.documents + 1, snapshots: before.snapshots + 1 })
	})
})
