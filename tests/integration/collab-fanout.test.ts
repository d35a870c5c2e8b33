import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
	blockTexts,
	demoEmails,
	describeMessage,
	documentJson,
	eventually,
	isSyncStep2,
	logIn,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	sleep,
	startCollabApp,
	syncStep1Message,
	typeInto,
	type CollabApp,
	type RawSocket,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'

// With a journal, an edit reaches the other people in the document without
// waiting for the database; in a busy room, the edits of a short interval go
// to each of them as one frame. Both servers here write to the database only
// every 1.5 s, so anything seen sooner was not waiting for it.

let journaled: CollabApp
let busy: CollabApp
let cookies: { owner: string; reviewer: string; busyOwner: string; busyReviewer: string }
const clients: ScholionClient[] = []
const sockets: RawSocket[] = []
const serverErrors = recordConsoleErrors()
const dir = mkdtempSync(path.join(tmpdir(), 'scholion-fanout-'))

beforeAll(async () => {
	;[journaled, busy] = await Promise.all([
		startCollabApp({ collabJournal: path.join(dir, 'a.bin'), collab: { groupCommitMs: 1500 } }),
		// A budget of 4 frames a second: two readers and a typist are over it after a couple of keys,
		// and then get one frame every half second (clients − 1 over the budget).
		startCollabApp({ collabJournal: path.join(dir, 'b.bin'), collab: { groupCommitMs: 1500, fanoutFramesPerSecond: 4 } }),
	])
	const [owner, reviewer, busyOwner, busyReviewer] = await Promise.all([
		logIn(journaled.url, demoEmails.owner),
		logIn(journaled.url, demoEmails.reviewer),
		logIn(busy.url, demoEmails.owner),
		logIn(busy.url, demoEmails.reviewer),
	])
	cookies = {
		owner: owner.cookieHeader,
		reviewer: reviewer.cookieHeader,
		busyOwner: busyOwner.cookieHeader,
		busyReviewer: busyReviewer.cookieHeader,
	}
})
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy()
	for (const socket of sockets.splice(0)) socket.close()
	expect(serverErrors.take(), 'errors the servers logged').toEqual([])
})
afterAll(async () => {
	await Promise.all([journaled?.close(), busy?.close()])
	rmSync(dir, { recursive: true, force: true })
})

function open(server: CollabApp, cookie: string) {
	const client = scholionClient(server.url, seminarDocumentId, { cookie })
	clients.push(client)
	return client
}

/** A reader on a bare socket, counting the update frames it is sent and applying them to its own copy. */
async function countingReader(server: CollabApp, cookie: string) {
	const socket = rawSocket(server.url, seminarDocumentId, { cookie })
	sockets.push(socket)
	await socket.opened
	const doc = new Y.Doc()
	socket.send(syncStep1Message(doc))
	Y.applyUpdate(doc, describeMessage(await socket.next(isSyncStep2, 'the document')).payload)
	const from = socket.messages.length
	return {
		doc,
		updateFrames() {
			const updates = socket.messages.slice(from).map(describeMessage).filter((m) => m.type === 0 && m.step === 2)
			for (const update of updates) Y.applyUpdate(doc, update.payload)
			return updates.length
		},
	}
}

describe('with a journal', () => {
	test('another user sees an edit at once, and "saved" follows once the database has it', async () => {
		const author = open(journaled, cookies.owner)
		const reader = open(journaled, cookies.reviewer)
		await eventually(() => author.isSynced() && reader.isSynced(), 'both to sync')
		const typedAt = performance.now()
		typeInto(author.doc, 1, 0, 'Seen before stored. ')
		await eventually(() => blockTexts(reader.doc)[1]!.startsWith('Seen before stored. '), 'the reader to see the edit', 1000)
		expect(performance.now() - typedAt).toBeLessThan(1000)
		expect(author.isSaved()).toBe(false)
		await eventually(() => author.isSaved(), 'the edit to be saved', 5000)
		expect(documentJson(reader.doc)).toEqual(documentJson(author.doc))
	})
})

describe('a busy room', () => {
	test('sends a burst of keystrokes to each reader in a few merged frames, and everyone ends with the same text', async () => {
		const author = open(busy, cookies.busyOwner)
		await eventually(() => author.isSynced(), 'the author to sync')
		const readers = await Promise.all([countingReader(busy, cookies.busyReviewer), countingReader(busy, cookies.busyReviewer)])
		for (let i = 0; i < 60; i++) {
			typeInto(author.doc, 2, 0, `k${i} `)
			await sleep(5)
		}
		await eventually(
			() => readers.every((r) => (r.updateFrames(), JSON.stringify(documentJson(r.doc)) === JSON.stringify(documentJson(author.doc)))),
			'the readers to have every keystroke',
			5000,
		)
		for (const reader of readers) {
			const frames = reader.updateFrames()
			expect(frames).toBeGreaterThan(0)
			expect(frames).toBeLessThanOrEqual(10)
		}
	})

	test('an edit after a quiet spell is sent at once, not held for company', async () => {
		const author = open(busy, cookies.busyOwner)
		const reader = open(busy, cookies.busyReviewer)
		await eventually(() => author.isSynced() && reader.isSynced(), 'both to sync')
		// Long enough for the burst of the test before to be forgotten; a held edit would wait 250 ms here.
		await sleep(4000)
		const typedAt = performance.now()
		typeInto(author.doc, 3, 0, 'After a pause. ')
		await eventually(() => blockTexts(reader.doc)[3]!.startsWith('After a pause. '), 'the reader to see the edit', 1000)
		expect(performance.now() - typedAt).toBeLessThan(200)
	})
})
