import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import { sql } from 'drizzle-orm'
import { JSDOM } from 'jsdom'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { loadDocumentState } from '#db/queries/document-state.ts'
import { createDocument } from '#db/queries/documents.ts'
import { documentUpdates } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { collabClient, type CollabClient } from '#tests/support/collab-client.ts'
import { eventually } from '#tests/support/collab-harness.ts'
import { createTestDatabase } from '#tests/support/database.ts'
import { FormClient } from '#tests/support/http-client.ts'
import { removedContentPlaceholder } from '#app/editor/salvage.ts'
import { documentFragmentName, documentToYUpdate } from '#app/editor/yjs.ts'
import { readJournal } from '#server/collab/journal.ts'
import { importDocument } from '#server/import/index.ts'

// Documents broken before the server checked updates (old data, a bug, a
// journal written by an older version): the broken updates are written
// straight into storage, as nothing a client sends may put them there.

/** One update from a fresh client that puts `build`'s content at the start of the document. */
function brokenUpdate(build: (fragment: Y.XmlFragment) => void): Uint8Array {
	const ydoc = new Y.Doc()
	ydoc.transact(() => build(ydoc.getXmlFragment(documentFragmentName)))
	return Y.encodeStateAsUpdate(ydoc)
}

function element(name: string, children: (Y.XmlElement | Y.XmlText)[], attrs: Record<string, string> = {}) {
	const el = new Y.XmlElement(name)
	for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value)
	el.insert(0, children)
	return el
}

/** The four breakages of issue 12, attack 3, each a stored update of its own. */
const breakages = {
	'an unknown node': brokenUpdate((f) => f.insert(0, [element('script', [new Y.XmlText('alert(1) from the script element')])])),
	'a bad attribute': brokenUpdate((f) => f.insert(0, [element('heading', [new Y.XmlText('Heading with a bad level')], { level: 'x' })])),
	'bare text at the top level': brokenUpdate((f) => f.insert(0, [new Y.XmlText('bare numbat text')])),
	'5,000-deep nesting': brokenUpdate((f) => {
		let parent: Y.XmlFragment | Y.XmlElement = f
		for (let i = 0; i < 5000; i++) {
			const quote = new Y.XmlElement('blockquote')
			parent.insert(0, [quote])
			parent = quote
		}
		parent.insert(0, [element('paragraph', [new Y.XmlText('deep wombat text')])])
	}),
}

const seminar = demoGroups.seminar.id
const stalin = demoDocuments[0].id

let app: TestApp
let brokenId: string
const clients: Record<'owner' | 'moderator' | 'reviewer' | 'reader' | 'outsider', FormClient> = {} as never
const live: CollabClient[] = []

async function login(email: string) {
	const client = new FormClient(app.url)
	expect((await client.post('/login', { email, password: demoPassword })).status).toBe(302)
	return client
}

async function createAnnotation(client: FormClient, documentId: string, quote: string) {
	const anchor = await app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		return anchorFor(copy, quote)
	})
	const response = await client.request(`/documents/${documentId}/annotations`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: app.origin },
		body: JSON.stringify({ intent: 'create', motivation: 'commenting', body: 'Still works.', tags: [], anchor }),
	})
	return { status: response.status, json: (await response.json()) as { error?: string; annotation?: { id: string } } }
}

async function page(client: FormClient, path: string) {
	const response = await client.get(path)
	const html = await response.text()
	return { status: response.status, html, text: new JSDOM(html).window.document.body.textContent ?? '' }
}

/** Starts a group export through its form and follows it until the file is ready. */
async function exportGroup(client: FormClient, format: string) {
	const started = await client.post(`/groups/${seminar}/export`, { format })
	expect(started.status).toBe(302)
	const progressPath = started.headers.get('location')!
	await eventually(async () => {
		const status = new JSDOM(await (await client.get(progressPath)).text()).window.document
			.querySelector('[data-status]')
			?.getAttribute('data-status')
		expect(status).not.toBe('failed')
		return status === 'done'
	}, 'the group export to finish', 20_000, 50)
	const document = new JSDOM(await (await client.get(progressPath)).text()).window.document
	const file = await client.get(document.querySelector('a[download]')!.getAttribute('href')!)
	return { status: file.status, text: await file.text() }
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
	const imported = importDocument({ bytes: Buffer.from('An intact paragraph about a quokka.\n'), filename: 'broken.txt' })
	if (!imported.ok) throw new Error(imported.error)
	const document = await createDocument(app.database.db, {
		groupId: seminar,
		title: 'A document broken in storage',
		sourceFormat: 'txt',
		sourceName: 'broken.txt',
		wordCount: 6,
		createdBy: owner.id,
		state: documentToYUpdate(imported.doc),
	})
	brokenId = document.id
	await app.database.db.insert(documentUpdates).values(Object.values(breakages).map((update) => ({ documentId: brokenId, update })))
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) clients[role] = await login(`${role}@scholion.test`)
	clients.outsider = new FormClient(app.url)
	const signup = await clients.outsider.post('/signup', { email: 'outsider@example.org', name: 'Out Sider', password: 'long-enough-secret' })
	expect(signup.status).toBe(302)
}, 60_000)
afterAll(async () => {
	for (const client of live) client.destroy()
	await app?.close()
})

describe('a document broken in storage (unknown node, bad attribute, bare text, 5,000-deep nesting)', () => {
	test('its page answers 200 with what can be read, the damage marked and a notice; only stewards get the repair button', async () => {
		const owner = await page(clients.owner, `/documents/${brokenId}`)
		expect(owner.status).toBe(200)
		expect(owner.text).toContain('Part of this document is damaged')
		expect(owner.text).toContain(removedContentPlaceholder)
		for (const kept of ['An intact paragraph about a quokka.', 'alert(1) from the script element', 'Heading with a bad level', 'bare numbat text', 'deep wombat text']) {
			expect(owner.text).toContain(kept)
		}
		// The unknown element's text is text, never markup.
		expect(owner.html).not.toMatch(/<script[^>]*>alert/)
		expect(owner.html).toContain('Repair this document')

		const reader = await page(clients.reader, `/documents/${brokenId}`)
		expect(reader.status).toBe(200)
		expect(reader.text).toContain('Part of this document is damaged')
		expect(reader.html).not.toContain('Repair this document')
	})

	test('every other page, search, export, annotating and freezing elsewhere still work', async () => {
		for (const documentId of [stalin, demoDocuments[1].id]) {
			const other = await page(clients.reader, `/documents/${documentId}`)
			expect(other.status).toBe(200)
			expect(other.text).not.toContain('Part of this document is damaged')
		}
		const search = await page(clients.reader, '/search?q=numbat')
		expect(search.status).toBe(200)
		// The damaged document is searched by what can be read of it.
		expect(new JSDOM(search.html).window.document.querySelector(`a[href="/documents/${brokenId}"]`)).not.toBeNull()
		const others = await page(clients.reader, '/search?q=Stalin')
		expect(others.status).toBe(200)
		expect(others.text).not.toContain('No results')
		const anonymous = await fetch(`${app.url}/read/search?q=Stalin`)
		expect(anonymous.status).toBe(200)

		const created = await createAnnotation(clients.reviewer, stalin, 'open debate in the Party ceased')
		expect(created.status).toBe(200)

		const csv = await exportGroup(clients.reviewer, 'csv')
		expect(csv.status).toBe(200)
		expect(csv.text).toContain('open debate in the Party ceased')

		// Freezing goes through its preview: the confirmation carries the previewed text's hash.
		const preview = await clients.moderator.get(`/documents/${stalin}/editions/new`)
		expect(preview.status).toBe(200)
		const contentHash = /name="contentHash" value="(sha256:[0-9a-f]{64})"/.exec(await preview.text())![1]!
		const frozen = await clients.moderator.post(`/documents/${stalin}/editions/new`, { intent: 'confirm', contentHash })
		expect(frozen.status).toBe(200)
		expect(await frozen.text()).toContain('Edition 1')
	})

	test('annotating or freezing the damaged document itself is refused with a clear message', async () => {
		const frozen = await clients.moderator.get(`/documents/${brokenId}/editions/new`)
		expect(frozen.status).toBe(409)
		expect(await frozen.text()).toContain('This document is damaged and must be repaired first')
		const anchor = await app.server.collab.withDocument(stalin, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			return anchorFor(copy, 'open debate in the Party ceased')
		})
		const refused = await clients.reviewer.request(`/documents/${brokenId}/annotations`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Origin: app.origin },
			body: JSON.stringify({ intent: 'create', motivation: 'commenting', body: 'x', tags: [], anchor }),
		})
		expect(refused.status).toBe(409)
		expect(((await refused.json()) as { error: string }).error).toContain('This document is damaged')
	})

	test('only its group’s owners and moderators may repair it: 404 to whoever cannot see it, 403 to other members', async () => {
		expect((await clients.outsider.post(`/documents/${brokenId}`, { intent: 'repair' })).status).toBe(404)
		expect((await clients.reader.post(`/documents/${brokenId}`, { intent: 'repair' })).status).toBe(403)
		expect((await clients.reviewer.post(`/documents/${brokenId}`, { intent: 'repair' })).status).toBe(403)
		// Nothing changed.
		expect((await page(clients.owner, `/documents/${brokenId}`)).text).toContain('Part of this document is damaged')
	})

	test('the owner repairs it: open editors get the repair, the page is clean, and it can be annotated again', async () => {
		const editor = collabClient(app.url, brokenId, { cookie: clients.moderator.cookieHeader })
		live.push(editor)
		await eventually(() => editor.provider.synced, 'the open editor to sync', 10_000)

		const repaired = await clients.owner.post(`/documents/${brokenId}`, { intent: 'repair' })
		expect(repaired.status).toBe(302)
		expect(repaired.headers.get('location')).toBe(`/documents/${brokenId}`)

		const after = await page(clients.reader, `/documents/${brokenId}`)
		expect(after.status).toBe(200)
		expect(after.text).not.toContain('Part of this document is damaged')
		for (const kept of ['An intact paragraph about a quokka.', 'alert(1) from the script element', 'bare numbat text', 'deep wombat text']) {
			expect(after.text).toContain(kept)
		}
		// The open editor holds the repaired document too: the server's and its texts agree.
		const serverText = await app.server.collab.withDocument(brokenId, (room) => room.doc.getXmlFragment(documentFragmentName).toString())
		await eventually(() => editor.doc.getXmlFragment(documentFragmentName).toString() === serverText, 'the open editor to get the repair', 10_000)
		expect(serverText).not.toContain('<script')

		// What is stored loads as a room loads it (every update in one transaction) without overflowing the stack.
		const { updates } = await loadDocumentState(app.database.db, brokenId)
		const reloaded = new Y.Doc()
		expect(() => Y.transact(reloaded, () => updates.forEach((update) => Y.applyUpdate(reloaded, update)))).not.toThrow()
		expect(reloaded.getXmlFragment(documentFragmentName).toString()).toBe(serverText)

		const created = await createAnnotation(clients.reviewer, brokenId, 'bare numbat text')
		expect(created.status).toBe(200)
		// Repairing again finds nothing to do.
		expect((await clients.owner.post(`/documents/${brokenId}`, { intent: 'repair' })).status).toBe(302)
	})
})

/** A collaboration journal file as server/collab/journal.ts writes it, holding `records`. */
function journalFile(owner: string, records: { documentId: string; update: Uint8Array }[]): Buffer {
	const ownerBytes = Buffer.from(owner)
	const ownerLength = Buffer.alloc(4)
	ownerLength.writeUInt32LE(ownerBytes.length)
	const parts = [Buffer.from('SCHOLION-JOURNAL-1\n'), ownerLength, ownerBytes]
	for (const { documentId, update } of records) {
		const payload = Buffer.concat([Buffer.from(documentId.replaceAll('-', ''), 'hex'), update])
		const header = Buffer.alloc(8)
		header.writeUInt32LE(payload.length, 0)
		header.writeUInt32LE(crc32(payload), 4)
		parts.push(header, payload)
	}
	return Buffer.concat(parts)
}

describe('a journal left by a killed process holding updates the schema refuses', () => {
	test('the next start comes up, stores them (kept for a repair), and serves the document and search', async () => {
		const database = await createTestDatabase()
		await seedDemo(database.db)
		const target = demoDocuments[1].id
		const folder = mkdtempSync(path.join(tmpdir(), 'scholion-broken-journal-'))
		const journal = path.join(folder, 'collab-journal.bin')
		writeFileSync(journal, journalFile(database.location, Object.values(breakages).map((update) => ({ documentId: target, update }))))
		// The same start as server/main.ts's: replay the journal, re-index what it recovered, then listen.
		const restarted = await startTestApp({ database, collabJournal: journal })
		try {
			const stored = (await database.db.execute(sql`select count(*)::int as n from document_updates where document_id = ${target}`)) as unknown as { rows: { n: number }[] }
			expect(Number(stored.rows[0]!.n)).toBe(Object.keys(breakages).length)
			const reader = new FormClient(restarted.url)
			expect((await reader.post('/login', { email: 'reader@scholion.test', password: demoPassword })).status).toBe(302)
			const damaged = await reader.get(`/documents/${target}`)
			expect(damaged.status).toBe(200)
			expect(await damaged.text()).toContain('Part of this document is damaged')
			expect((await reader.get(`/documents/${stalin}`)).status).toBe(200)
			const search = await reader.get('/search?q=numbat')
			expect(search.status).toBe(200)
			expect(new JSDOM(await search.text()).window.document.querySelector(`a[href="/documents/${target}"]`)).not.toBeNull()
			expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200)
		} finally {
			await restarted.close()
			rmSync(folder, { recursive: true, force: true })
		}
	})
})

describe('a journal whose updates for one document cannot be stored', () => {
	test('the start goes on, the other documents get theirs, and the journal is kept aside with what failed', async () => {
		const database = await createTestDatabase()
		await seedDemo(database.db)
		const [refusing, accepting] = [demoDocuments[1].id, stalin]
		// Stands for anything that makes one document's rows fail (a constraint, a full tablespace, a bug).
		await database.db.execute(sql.raw(`create function refuse_update() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`))
		await database.db.execute(
			sql.raw(`create trigger refuse_update before insert on document_updates for each row when (new.document_id = '${refusing}') execute function refuse_update()`),
		)
		const folder = mkdtempSync(path.join(tmpdir(), 'scholion-unreplayed-journal-'))
		const journal = path.join(folder, 'collab-journal.bin')
		const update = breakages['bare text at the top level']
		writeFileSync(journal, journalFile(database.location, [{ documentId: refusing, update }, { documentId: accepting, update }]))
		const restarted = await startTestApp({ database, collabJournal: journal })
		try {
			const counts = (await database.db.execute(
				sql`select document_id as id, count(*)::int as n from document_updates group by document_id`,
			)) as unknown as { rows: { id: string; n: number }[] }
			expect(counts.rows.map((row) => [row.id, Number(row.n)])).toEqual([[accepting, 1]])
			const kept = readdirSync(folder).filter((name) => name.startsWith('collab-journal.bin.unreplayed-'))
			expect(kept).toHaveLength(1)
			const { records } = readJournal(readFileSync(path.join(folder, kept[0]!)))
			expect(records.map((record) => record.documentId)).toContain(refusing)
			expect((await fetch(`${restarted.url}/healthz`)).status).toBe(200)
		} finally {
			await restarted.close()
			rmSync(folder, { recursive: true, force: true })
		}
	})
})
