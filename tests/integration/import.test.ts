import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { addMember } from '#db/queries/groups.ts'
import { documentSnapshots, documents, users } from '#db/schema/index.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

const seedDocuments = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../seeds/documents')

let app: TestApp
let owner: FormClient
let reviewer: FormClient
let groupId: string
let importPath: string

beforeAll(async () => {
	app = await startTestApp()
	owner = await signUp(app.url, { email: 'owner@example.org', name: 'Oona Owner' })
	reviewer = await signUp(app.url, { email: 'reviewer@example.org', name: 'Rui Reviewer' })
	const created = await owner.post('/groups/new', { name: 'Import seminar', kind: 'seminar', description: '' })
	expect(created.status).toBe(302)
	groupId = created.headers.get('Location')!.replace('/groups/', '')
	importPath = `/groups/${groupId}/import`
	const [reviewerRow] = await app.database.db.select().from(users).where(eq(users.email, 'reviewer@example.org'))
	await addMember(app.database.db, groupId, reviewerRow!.id, 'reviewer')
})
afterAll(() => app?.close())

/** The import form as a browser without JavaScript submits it: every field present, empty ones empty. */
function importForm(fields: { file?: { bytes: Uint8Array | string; name: string }; paste?: string; format?: string; title?: string }) {
	const form = new FormData()
	form.set('title', fields.title ?? '')
	const file = fields.file
	// A copy, so that the Blob holds a plain ArrayBuffer whatever backed the bytes.
	const bytes = typeof file?.bytes === 'string' ? file.bytes : new Uint8Array(file?.bytes ?? [])
	form.set('file', new Blob([bytes], { type: 'application/octet-stream' }), file?.name ?? '')
	form.set('paste', fields.paste ?? '')
	form.set('format', fields.format ?? 'txt')
	return form
}

/** The page's HTML without the empty comments React puts between adjacent text nodes. */
async function body(response: Response) {
	return (await response.text()).replaceAll('<!-- -->', '')
}

async function storedRows() {
	const [docs] = await app.database.db.select({ n: count() }).from(documents)
	const [snapshots] = await app.database.db.select({ n: count() }).from(documentSnapshots)
	return { documents: docs!.n, snapshots: snapshots!.n }
}

async function importedPage(response: Response) {
	expect(response.status, response.status === 302 ? '' : await body(response)).toBe(302)
	const location = response.headers.get('Location')!
	expect(location).toMatch(/^\/documents\/[0-9a-f-]{36}$/)
	const documentPage = await owner.get(location)
	expect(documentPage.status).toBe(200)
	return { location, html: await body(documentPage) }
}

describe('importing the seed texts through the form', () => {
	test.each([
		{ file: 'on-stalin-parisar-2007.txt', text: 'परिसर' },
		{ file: 'stalin-1924-1953.txt', text: 'Cheka under new name NKVD and new leaders was greatly expanded' },
	])('$file opens as a document showing its text', async ({ file, text }) => {
		const bytes = readFileSync(path.join(seedDocuments, file))
		const before = await storedRows()
		const response = await owner.postMultipart(importPath, importForm({ file: { bytes, name: file } }))
		const { location, html } = await importedPage(response)
		expect(html).toContain(text)
		expect(html).toContain(`imported from ${file}`)
		expect(await storedRows()).toEqual({ documents: before.documents + 1, snapshots: before.snapshots + 1 })
		expect(await body(await owner.get(`/groups/${groupId}`))).toContain(`href="${location}"`)
	})
})

describe('pasting text', () => {
	test('Markdown keeps its headings, one level down under the page title, and its lists', async () => {
		const markdown = '# Reading notes\n\nWhat the source claims.\n\n## Claims\n\n- first claim\n- second claim\n'
		const { html } = await importedPage(await owner.postMultipart(importPath, importForm({ paste: markdown, format: 'md' })))
		expect(html).toContain('<h1 id="document-title">Reading notes</h1>')
		expect(html).toContain('<h2>Reading notes</h2>')
		expect(html).toContain('<h3>Claims</h3>')
		expect(html).toMatch(/<li>(<p>)?first claim(<\/p>)?<\/li>/)
		expect(html).toMatch(/<li>(<p>)?second claim(<\/p>)?<\/li>/)
		expect(html).toContain('pasted text')
		expect(html).not.toContain('# Reading notes')
	})

	test('a title typed in the form wins over the first heading', async () => {
		const { html } = await importedPage(
			await owner.postMultipart(importPath, importForm({ paste: '# Heading\n\nBody.', format: 'md', title: 'My own title' })),
		)
		expect(html).toContain('<h1 id="document-title">My own title</h1>')
	})
})

describe('who may import', () => {
	test('a reviewer gets 403 on the import page and cannot post to it', async () => {
		const importPage = await reviewer.get(importPath)
		expect(importPage.status).toBe(403)
		expect(await body(importPage)).toContain('You do not have permission to do that in this group.')

		const before = await storedRows()
		const posted = await reviewer.postMultipart(importPath, importForm({ paste: 'A reviewer’s text.', format: 'txt' }))
		expect(posted.status).toBe(403)
		expect(await storedRows()).toEqual(before)
	})
})

describe('refused imports store nothing and say why on the page', () => {
	const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0])
	const latin1 = new Uint8Array([...new TextEncoder().encode('Caf'), 0xe9, ...new TextEncoder().encode(' au lait, 1924.')])
	const refusals = [
		{ problem: 'an empty file', form: { file: { bytes: '', name: 'empty.txt' } }, message: '“empty.txt” is empty.' },
		{
			problem: 'a file of blank space',
			form: { file: { bytes: ' \n\t\n   \n', name: 'blank.txt' } },
			message: '“blank.txt” contains only blank space; there is no text to import.',
		},
		{
			problem: 'a whitespace-only paste',
			form: { paste: '   \n\t \n ' },
			message: 'Choose a file to upload, or paste the text of the document.',
		},
		{
			problem: 'an image renamed to .txt',
			form: { file: { bytes: png, name: 'figure.txt' } },
			message: '“figure.txt” looks like a binary file (an image, a PDF or a word-processor file), not text.',
		},
		{
			problem: 'a file that is not UTF-8',
			form: { file: { bytes: latin1, name: 'latin1.txt' } },
			message: '“latin1.txt” is not UTF-8 text.',
		},
		{
			problem: 'a PDF',
			form: { file: { bytes: '%PDF-1.4\nsome text', name: 'paper.pdf' } },
			message: 'Scholion imports .txt, .md and .html files; “paper.pdf” is none of these.',
		},
		{
			problem: 'both a file and a paste',
			form: { file: { bytes: 'File text.', name: 'notes.txt' }, paste: 'Pasted words kept.', title: 'Typed title kept' },
			message: 'Choose a file or paste text, not both.',
		},
	]
	test.each(refusals)('$problem: 400 with a message', async ({ form, message }) => {
		const before = await storedRows()
		const response = await owner.postMultipart(importPath, importForm(form))
		expect(response.status).toBe(400)
		const html = await body(response)
		expect(html).toContain(message)
		expect(html).toContain('role="alert"')
		if (form.paste?.trim()) expect(html).toContain(form.paste)
		if (form.title) expect(html).toContain(`value="${form.title}"`)
		expect(await storedRows()).toEqual(before)
	})

	const fiftyMegabytes = 50 * 1024 * 1024
	const tooLarge = 'That is too large to import: the limit is 5 MB.'

	test('a 50 MB upload is refused with 413 and a message naming the limit', async () => {
		const before = await storedRows()
		const bytes = new Uint8Array(fiftyMegabytes).fill(0x61)
		const response = await owner.postMultipart(importPath, importForm({ file: { bytes, name: 'huge.txt' } }))
		expect(response.status).toBe(413)
		expect(await body(response)).toContain(tooLarge)
		expect(await storedRows()).toEqual(before)
	})

	test('a 50 MB upload streamed without Content-Length is cut off at the limit, not buffered whole', async () => {
		const before = await storedRows()
		const boundary = '----scholion-test-boundary'
		const encoder = new TextEncoder()
		const head = encoder.encode(
			`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\nContent-Type: text/plain\r\n\r\n`,
		)
		const tail = encoder.encode(`\r\n--${boundary}--\r\n`)
		const chunk = new Uint8Array(1024 * 1024).fill(0x61)
		let sent = 0
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(head)
			},
			pull(controller) {
				if (sent >= fiftyMegabytes) {
					controller.enqueue(tail)
					controller.close()
					return
				}
				sent += chunk.byteLength
				controller.enqueue(chunk)
			},
		})
		const response = await owner.request(importPath, {
			method: 'POST',
			headers: { Origin: app.origin, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body: stream,
			duplex: 'half',
		} as RequestInit & { headers: Record<string, string> })
		expect(response.status).toBe(413)
		expect(await body(response)).toContain(tooLarge)
		expect(await storedRows()).toEqual(before)
	})

	test('many parts that are each under the limit are refused once together they pass it', async () => {
		const before = await storedRows()
		const boundary = '----scholion-test-parts'
		const encoder = new TextEncoder()
		const part = new Uint8Array(4 * 1024 * 1024).fill(0x62)
		let index = 0
		const stream = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (index === 10) {
					controller.enqueue(
						encoder.encode(
							`--${boundary}\r\nContent-Disposition: form-data; name="paste"\r\n\r\nsmall paste\r\n--${boundary}--\r\n`,
						),
					)
					controller.close()
					return
				}
				controller.enqueue(
					encoder.encode(
						`--${boundary}\r\nContent-Disposition: form-data; name="junk${index}"; filename="junk${index}.txt"\r\n\r\n`,
					),
				)
				controller.enqueue(part)
				controller.enqueue(encoder.encode('\r\n'))
				index++
			},
		})
		const response = await owner.request(importPath, {
			method: 'POST',
			headers: { Origin: app.origin, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body: stream,
			duplex: 'half',
		} as RequestInit & { headers: Record<string, string> })
		expect(response.status).toBe(413)
		expect(await body(response)).toContain(tooLarge)
		expect(await storedRows()).toEqual(before)
	})
})
