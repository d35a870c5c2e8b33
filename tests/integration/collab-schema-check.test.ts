import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { JSDOM } from 'jsdom'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { documentUpdates } from '#db/schema/index.ts'
import { readJournal } from '#server/collab/journal.ts'
import { closeCodes } from '#server/collab/protocol.ts'
import type { FormClient } from '#tests/support/http-client.ts'
import {
	blockTexts,
	closedWithin,
	demoEmails,
	documentJson,
	eventually,
	fetchLiveDocument,
	logIn,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	startCollabApp,
	storedDocument,
	syncUpdateMessage,
	typeInto,
	updateRowCount,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'

// Updates that are valid Yjs but would leave a document its schema refuses,
// sent by a signed-in writer with a valid session and Origin, as a crafted
// client would: each closes that socket with 4422, and the update is never
// applied to the room, journaled, stored or forwarded. The document page,
// search and export keep working for everyone.

const maxTextLength = 200_000

let app: CollabApp
let journalDir: string
let writer: FormClient
/** Someone editing the same document the whole time. */
let bystander: ScholionClient
let checks = 0
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	journalDir = mkdtempSync(path.join(tmpdir(), 'scholion-schema-check-'))
	app = await startCollabApp({
		collabJournal: path.join(journalDir, 'collab-journal.bin'),
		// The default text limit (5 million characters) takes several 2 MiB frames to reach; a
		// lower one shows the same refusal at a fraction of the cost.
		collab: { groupCommitMs: 20, documentLimits: { maxDepth: 100, maxNodes: 200_000, maxTextLength } },
	})
	writer = await logIn(app.url, demoEmails.reviewer)
	bystander = scholionClient(app.url, seminarDocumentId, { cookie: (await logIn(app.url, demoEmails.owner)).cookieHeader })
	await eventually(() => bystander.isSynced(), 'the bystander to sync')
})
afterEach(() => {
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(async () => {
	bystander?.destroy()
	await app?.close()
	if (journalDir) rmSync(journalDir, { recursive: true, force: true })
})

const room = () => app.collab.rooms.get(seminarDocumentId)!

/** A client's copy of the live document, to make an update from as an editor would. */
function forger(): Y.Doc {
	const doc = new Y.Doc()
	Y.applyUpdate(doc, Y.encodeStateAsUpdate(room().doc))
	return doc
}

function updateOf(doc: Y.Doc, change: (fragment: Y.XmlFragment) => void): Uint8Array {
	let update: Uint8Array | null = null
	doc.once('update', (u: Uint8Array) => (update = u))
	Y.transact(doc, () => change(doc.getXmlFragment(documentFragmentName)))
	if (!update) throw new Error('the change made no update')
	return update
}

const firstParagraph = (fragment: Y.XmlFragment) => {
	const index = fragment.toArray().findIndex((node) => node instanceof Y.XmlElement && node.nodeName === 'paragraph')
	return fragment.get(index) as Y.XmlElement
}
const firstText = (fragment: Y.XmlFragment) => firstParagraph(fragment).get(0) as Y.XmlText

function paragraph(text: string): Y.XmlElement {
	const element = new Y.XmlElement('paragraph')
	element.insert(0, [new Y.XmlText(text)])
	return element
}

/**
 * Sends the update from a writer's socket and checks it was refused with
 * 4422 and left no trace: the room's Y.Doc never changed, no row and no
 * journal record holds it, the bystander never received it; and the
 * document still works for everyone (an edit, its page, search, export).
 */
async function expectRefused(authorDoc: Y.Doc, update: Uint8Array, reason: RegExp) {
	await eventually(() => bystander.isSaved(), 'the bystander’s edits to be stored')
	const rowsBefore = await updateRowCount(app.database.db, seminarDocumentId)
	const liveBefore = documentJson(room().doc)
	let applied = 0
	const count = () => applied++
	room().doc.on('update', count)
	try {
		const socket = rawSocket(app.url, seminarDocumentId, { cookie: writer.cookieHeader })
		await socket.opened
		socket.send(syncUpdateMessage(update))
		const closed = await closedWithin(socket, 5000)
		expect(closed.code).toBe(closeCodes.breaksSchema)
		expect(closed.reason).toMatch(reason)
	} finally {
		room().doc.off('update', count)
	}
	expect(applied, 'changes applied to the room').toBe(0)
	expect(documentJson(room().doc)).toEqual(liveBefore)
	expect(await updateRowCount(app.database.db, seminarDocumentId)).toBe(rowsBefore)

	const author = authorDoc.clientID
	const ownStructs = (u: Uint8Array) => Y.decodeUpdate(u).structs.some((s) => s.id.client === author)
	const journal = readJournal(readFileSync(path.join(journalDir, 'collab-journal.bin')))
	expect(journal.records.filter((record) => ownStructs(record.update))).toEqual([])

	// The bystander edits on: its edit is stored and a fresh client sees exactly its document.
	const marker = `Still editing (${++checks}). `
	typeInto(bystander.doc, 1, 0, marker)
	await eventually(() => bystander.isSaved(), 'the bystander’s edit to be stored', 3000)
	expect(bystander.closes).toEqual([])
	expect(Y.decodeStateVector(Y.encodeStateVector(bystander.doc)).has(author), 'the bystander received it').toBe(false)
	const fresh = await fetchLiveDocument(app.url, seminarDocumentId, writer.cookieHeader, 2000)
	expect(documentJson(fresh)).toEqual(documentJson(bystander.doc))
	const rows = await app.database.db
		.select({ update: documentUpdates.update })
		.from(documentUpdates)
		.where(eq(documentUpdates.documentId, seminarDocumentId))
	expect(rows.filter((row) => ownStructs(row.update))).toEqual([])
	expect(blockTexts(await storedDocument(app.database.db, seminarDocumentId))[1]!.startsWith(marker)).toBe(true)
	await expectPagesWork(marker.trim())
}

/** The document page, search (workspace and public) and an export all answer as before. */
async function expectPagesWork(marker: string) {
	const page = await writer.get(`/documents/${seminarDocumentId}`)
	expect(page.status).toBe(200)
	expect(await page.text()).toContain(marker.replace(/\.$/, ''))
	const search = await writer.get(`/search?q=${encodeURIComponent('editing')}`)
	expect(search.status).toBe(200)
	expect((await fetch(`${app.url}/read/search?q=stalin`)).status).toBe(200)
	const started = await writer.post(`/documents/${seminarDocumentId}/export`, { format: 'markdown' })
	expect(started.status).toBe(302)
	const progressPath = started.headers.get('location')!
	await eventually(async () => {
		const html = await (await writer.get(progressPath)).text()
		const status = new JSDOM(html).window.document.querySelector('[data-status]')?.getAttribute('data-status')
		expect(status).not.toBe('failed')
		return status === 'done'
	}, 'the export to finish', 5000)
}

describe('an update that would break the document is refused with 4422', () => {
	test('an unknown node: <script>', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => fragment.insert(1, [new Y.XmlElement('script')]))
		await expectRefused(doc, update, /unknown node type "script"/)
	})

	test('a heading of level 99', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => {
			const heading = new Y.XmlElement('heading')
			heading.setAttribute('level', 99 as never)
			heading.insert(0, [new Y.XmlText('Level 99')])
			fragment.insert(1, [heading])
		})
		await expectRefused(doc, update, /heading level/)
	})

	test('a heading level that is a string, set on an existing heading', async () => {
		// The bystander adds a heading honestly first (the seminar text may have none).
		bystander.doc.transact(() => {
			const heading = new Y.XmlElement('heading')
			heading.setAttribute('level', 2 as never)
			heading.insert(0, [new Y.XmlText('An honest heading')])
			bystander.doc.getXmlFragment(documentFragmentName).insert(0, [heading])
		})
		await eventually(() => bystander.isSaved(), 'the honest heading to be stored')
		const doc = forger()
		const update = updateOf(doc, (fragment) => (fragment.get(0) as Y.XmlElement).setAttribute('level', '2'))
		await expectRefused(doc, update, /heading level/)
	})

	test('an unknown attribute on a paragraph', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => firstParagraph(fragment).setAttribute('onclick', 'alert(1)'))
		await expectRefused(doc, update, /unknown attribute "onclick"/)
	})

	test('bare text at the top level of the document', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => fragment.insert(0, [new Y.XmlText('bare text')]))
		await expectRefused(doc, update, /text is not allowed here in doc/)
	})

	test('a list item outside a list', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => {
			const item = new Y.XmlElement('list_item')
			item.insert(0, [paragraph('loose item')])
			fragment.insert(1, [item])
		})
		await expectRefused(doc, update, /list_item is not allowed here in doc/)
	})

	test('an empty blockquote', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => fragment.insert(1, [new Y.XmlElement('blockquote')]))
		await expectRefused(doc, update, /blockquote is missing required content/)
	})

	test('5,000 nested blockquotes: refused before anything recurses', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => {
			let parent: Y.XmlElement | Y.XmlFragment = fragment
			for (let i = 0; i < 5000; i++) {
				const quote = new Y.XmlElement('blockquote')
				parent.insert(parent === fragment ? 1 : 0, [quote])
				parent = quote
			}
			parent.insert(0, [paragraph('deep')])
		})
		await expectRefused(doc, update, /nested deeper than 100 levels/)
	})

	test.each([
		['javascript:', 'javascript:alert(document.cookie)'],
		['JavaScript: split by a tab', 'Java\tScript:alert(1)'],
		['protocol-relative //evil.example', '//evil.example/login'],
		['data:', 'data:text/html,<script>alert(1)</script>'],
	])('a link mark to %s', async (_what, href) => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => firstText(fragment).format(0, 4, { link: { href, title: null } }))
		await expectRefused(doc, update, /refused URL|href must be an http\(s\), mailto or same-site URL/)
	})

	test('an oversized document: text past the limit', async () => {
		const doc = forger()
		const update = updateOf(doc, (fragment) => firstText(fragment).insert(0, 'x'.repeat(maxTextLength)))
		await expectRefused(doc, update, new RegExp(`more than ${maxTextLength} characters`))
	})
})

describe('updates that keep the document valid are still applied', () => {
	test('a new paragraph and a safe link, from a crafted client, reach the bystander and the database', async () => {
		const socket = rawSocket(app.url, seminarDocumentId, { cookie: writer.cookieHeader })
		await socket.opened
		const doc = forger()
		socket.send(syncUpdateMessage(updateOf(doc, (fragment) => fragment.insert(1, [paragraph('An honest new paragraph.')]))))
		socket.send(syncUpdateMessage(updateOf(doc, (fragment) => firstText(fragment).format(0, 2, { link: { href: 'https://example.org/' } }))))
		await eventually(() => blockTexts(bystander.doc).includes('An honest new paragraph.'), 'the bystander to receive the paragraph')
		await eventually(
			() => JSON.stringify(documentJson(bystander.doc)).includes('https://example.org/'),
			'the bystander to receive the link',
		)
		await eventually(async () => blockTexts(await storedDocument(app.database.db, seminarDocumentId)).includes('An honest new paragraph.'), 'the paragraph to be stored')
		expect(socket.ws.readyState).toBe(socket.ws.OPEN)
		socket.close()
		await expectPagesWork('honest new paragraph')
	})
})
