import { and, countDistinct, eq, gt } from 'drizzle-orm'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentSnapshots, documentUpdates } from '#db/schema/index.ts'
import {
	blockTexts,
	boardDocumentId,
	demoEmails,
	describeMessage,
	documentJson,
	eventually,
	isSyncStep2,
	lastUpdateRowId,
	logIn,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	sleep,
	startCollabApp,
	storedDocument,
	syncStep1Message,
	typeInto,
	updateRowCount,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'

// What is typed is stored, and the server says so only once it is: the
// "saved" message (100) is the promise behind "All changes saved". Two
// servers: one with the default settings, one that compacts and unloads
// eagerly so that those paths run within a test's time.

let app: CollabApp
let eager: CollabApp
let cookie: string
let eagerCookie: string
const clients: ScholionClient[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	;[app, eager] = await Promise.all([startCollabApp(), startCollabApp({ collab: { compactAfterUpdates: 20, unloadAfterMs: 50 } })])
	cookie = (await logIn(app.url, demoEmails.reviewer)).cookieHeader
	eagerCookie = (await logIn(eager.url, demoEmails.reviewer)).cookieHeader
})
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy()
	expect(serverErrors.take(), 'errors the servers logged').toEqual([])
})
afterAll(() => Promise.all([app?.close(), eager?.close()]))

function open(server: CollabApp, documentId: string) {
	const client = scholionClient(server.url, documentId, { cookie: server === app ? cookie : eagerCookie })
	clients.push(client)
	return client
}

function leave(client: ScholionClient) {
	client.destroy()
	clients.splice(clients.indexOf(client), 1)
}

async function throughUpdateId(server: CollabApp, documentId: string) {
	const [row] = await server.database.db
		.select({ through: documentSnapshots.throughUpdateId })
		.from(documentSnapshots)
		.where(eq(documentSnapshots.documentId, documentId))
	return row?.through ?? null
}

describe('an edit', () => {
	test('is in the database by the time the server says it is saved', async () => {
		const client = open(app, seminarDocumentId)
		await eventually(() => client.isSynced(), 'the client to sync')
		typeInto(client.doc, 1, 0, 'Stored before acknowledged. ')
		await eventually(() => client.isSaved(), 'the "saved" message to cover the edit')
		// No waiting here: "saved" must already be true of the database.
		const stored = await storedDocument(app.database.db, seminarDocumentId)
		expect(blockTexts(stored)[1]).toMatch(/^Stored before acknowledged\. /)
		expect(documentJson(stored)).toEqual(documentJson(client.doc))
	})

	test('a client that reconnects is told at once that everything it wrote is stored', async () => {
		const client = open(app, seminarDocumentId)
		await eventually(() => client.isSynced(), 'the client to sync')
		typeInto(client.doc, 2, 0, 'Saved across a reconnect. ')
		await eventually(() => client.isSaved(), 'the edit to be saved')
		client.provider.disconnect()
		client.saved = null
		client.provider.connect()
		await eventually(() => client.isSynced() && client.isSaved(), 'the reconnected client to hear "saved"', 2000)
	})
})

describe('group commit', () => {
	test('stores 50 rapid updates from 5 clients in far fewer transactions, and acknowledges all', async () => {
		const writers = Array.from({ length: 5 }, () => open(app, boardDocumentId))
		await eventually(() => writers.every((w) => w.isSynced()), 'the writers to sync')
		const before = await lastUpdateRowId(app.database.db)
		writers.forEach((writer, w) => {
			for (let i = 0; i < 10; i++) typeInto(writer.doc, 1 + w, 0, `w${w}u${i} `)
		})
		await eventually(() => writers.every((w) => w.isSaved()), 'all 50 updates to be acknowledged', 5000)
		const expected = JSON.stringify(documentJson(writers[0]!.doc))
		await eventually(() => writers.every((w) => JSON.stringify(documentJson(w.doc)) === expected), 'the writers to converge')

		const newRows = and(eq(documentUpdates.documentId, boardDocumentId), gt(documentUpdates.id, before))
		const rows = await app.database.db.select({ id: documentUpdates.id }).from(documentUpdates).where(newRows)
		expect(rows).toHaveLength(50)
		// Rows written in one transaction share its timestamp (now() is the transaction's start).
		const [{ transactions } = { transactions: 0 }] = await app.database.db
			.select({ transactions: countDistinct(documentUpdates.createdAt) })
			.from(documentUpdates)
			.where(newRows)
		expect(transactions).toBeGreaterThan(0)
		expect(transactions).toBeLessThanOrEqual(10)

		const stored = await storedDocument(app.database.db, boardDocumentId)
		for (let w = 0; w < 5; w++) {
			for (let i = 0; i < 10; i++) expect(blockTexts(stored)[1 + w]).toContain(`w${w}u${i} `)
		}
		expect(documentJson(stored)).toEqual(documentJson(writers[0]!.doc))
	})
})

describe('compaction', () => {
	test('folds the log into the snapshot as it grows, and a fresh load still has every edit', async () => {
		const documentId = seminarDocumentId
		expect(await throughUpdateId(eager, documentId)).toBe(0)
		const writer = open(eager, documentId)
		await eventually(() => writer.isSynced(), 'the writer to sync')
		for (let i = 0; i < 100; i++) {
			typeInto(writer.doc, 1 + (i % 5), 0, `c${i} `)
			if (i % 10 === 9) await sleep(30)
		}
		await eventually(() => writer.isSaved(), 'the 100 updates to be stored')
		await eventually(
			async () => (await updateRowCount(eager.database.db, documentId)) < 40 && ((await throughUpdateId(eager, documentId)) ?? 0) > 0,
			'the log to be folded into the snapshot',
		)
		const expected = documentJson(writer.doc)
		leave(writer)
		await eventually(() => !eager.collab.rooms.has(documentId), 'the document to unload')

		expect(documentJson(await storedDocument(eager.database.db, documentId))).toEqual(expected)
		const fresh = open(eager, documentId)
		await eventually(() => fresh.isSynced(), 'a fresh client to sync from the database')
		expect(documentJson(fresh.doc)).toEqual(expected)
		for (let i = 0; i < 100; i++) expect(blockTexts(fresh.doc)[1 + (i % 5)]).toContain(`c${i} `)
	})
})

describe('unloading', () => {
	test('forgets a document shortly after its last client leaves, after storing what was typed last', async () => {
		const documentId = boardDocumentId
		const writer = open(eager, documentId)
		await eventually(() => writer.isSynced(), 'the writer to sync')
		// Typed and gone before the group commit could have run.
		typeInto(writer.doc, 1, 0, 'Last words before leaving. ')
		const expected = documentJson(writer.doc)
		await eventually(() => (eager.collab.rooms.get(documentId)?.tailLength ?? 0) > 0, 'the server to receive the edit')
		leave(writer)
		await eventually(() => !eager.collab.rooms.has(documentId), 'the document to unload', 2000)

		const again = open(eager, documentId)
		await eventually(() => again.isSynced(), 'the reopened document to sync')
		expect(documentJson(again.doc)).toEqual(expected)
		expect(blockTexts(again.doc)[1]).toMatch(/^Last words before leaving\. /)
	})

	test('1,000 open-and-close cycles leave no live document, socket or connection behind', async () => {
		const documentId = boardDocumentId
		await eventually(() => !eager.collab.rooms.has(documentId), 'a quiet start')
		const rowsBefore = await updateRowCount(eager.database.db, documentId)
		const expected = documentJson(await storedDocument(eager.database.db, documentId))
		const openConnections = () =>
			new Promise<number>((resolve, reject) => eager.server.httpServer.getConnections((error, n) => (error ? reject(error) : resolve(n))))
		const connectionsBefore = await openConnections()
		const gc = (globalThis as { gc?: () => void }).gc
		let heapBefore = 0
		for (let cycle = 0; cycle < 1000; cycle++) {
			if (cycle === 100 && gc) {
				gc()
				heapBefore = process.memoryUsage().heapUsed
			}
			const socket = rawSocket(eager.url, documentId, { cookie: eagerCookie })
			await socket.opened
			socket.send(syncStep1Message(new Y.Doc()))
			const step2 = await socket.next(isSyncStep2, `the document in cycle ${cycle}`)
			if (cycle % 100 === 0) {
				const received = new Y.Doc()
				Y.applyUpdate(received, describeMessage(step2).payload)
				expect(documentJson(received), `the document in cycle ${cycle}`).toEqual(expected)
			}
			socket.close()
			await socket.closed
			// Now and then let it unload, so that loading and unloading cycle too.
			if (cycle % 50 === 49) await eventually(() => !eager.collab.rooms.has(documentId), `the unload after cycle ${cycle}`)
		}
		await eventually(() => eager.collab.rooms.size === 0, 'every document to unload', 2000)
		// Sockets of earlier page requests may still be kept alive; none of the 1,000 may be.
		await eventually(async () => (await openConnections()) <= connectionsBefore, 'the sockets of the cycles to close', 2000)
		expect(await updateRowCount(eager.database.db, documentId)).toBe(rowsBefore)
		if (gc) {
			gc()
			// Memory figures belong in a benchmark; this only catches a leak per cycle.
			expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(20 * 1024 * 1024)
		}
	}, 60_000)
})
