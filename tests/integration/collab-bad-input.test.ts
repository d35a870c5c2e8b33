import { eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentUpdates } from '#db/schema/index.ts'
import { closeCodes, messageAccess, messageSaved } from '#server/collab/protocol.ts'
import {
	blockTexts,
	closedWithin,
	demoEmails,
	documentJson,
	eventually,
	fetchLiveDocument,
	logIn,
	queryAwarenessMessage,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	sleep,
	startCollabApp,
	storedDocument,
	syncStep1Message,
	syncUpdateMessage,
	typeInto,
	updateRowCount,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import { createProcessDatabase, freePort, startServerProcess, type ProcessDatabase, type ServerProcess } from '#tests/support/server-process.ts'

// Input no honest client sends, from a signed-in member with a valid
// session and Origin: each closes that one socket with a code saying why,
// stores nothing, and leaves everyone else editing as before.

const maxFrameBytes = 64 * 1024
const groupCommitMs = 20

let app: CollabApp
let cookie: string
/** Someone editing the same document the whole time. */
let bystander: ScholionClient
let checks = 0
const serverErrors = recordConsoleErrors()

// The real server process for the #687 test below starts now, alongside the in-process tests.
let processServer: Promise<{ database: ProcessDatabase; server: ServerProcess }>

beforeAll(async () => {
	processServer = (async () => {
		const database = await createProcessDatabase()
		return { database, server: await startServerProcess({ port: await freePort(), database, timeoutMs: 60_000 }) }
	})()
	processServer.catch(() => {})
	app = await startCollabApp({ collab: { maxFrameBytes, messagesPerSecond: 50, messageBurst: 50, groupCommitMs } })
	cookie = (await logIn(app.url, demoEmails.reviewer)).cookieHeader
	bystander = scholionClient(app.url, seminarDocumentId, { cookie: (await logIn(app.url, demoEmails.owner)).cookieHeader })
	await eventually(() => bystander.isSynced(), 'the bystander to sync')
})
afterEach(() => {
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(async () => {
	bystander?.destroy()
	await app?.close()
	const started = await processServer?.catch(() => null)
	await started?.server.kill()
	await started?.database.remove()
})

interface Before {
	rows: number
	stored: unknown
}

async function snapshot(): Promise<Before> {
	await eventually(() => bystander.isSaved(), 'the bystander’s edits to be stored')
	return {
		rows: await updateRowCount(app.database.db, seminarDocumentId),
		stored: documentJson(await storedDocument(app.database.db, seminarDocumentId)),
	}
}

/**
 * Nothing was stored, the bystander kept its socket, and the document
 * still works: the bystander's next edit is stored, and a fresh client
 * gets exactly what the bystander has.
 */
async function expectDocumentIntact(before: Before) {
	await sleep(groupCommitMs * 5)
	expect(await updateRowCount(app.database.db, seminarDocumentId), 'rows stored by the bad socket').toBe(before.rows)
	expect(documentJson(await storedDocument(app.database.db, seminarDocumentId))).toEqual(before.stored)
	expect(bystander.closes).toEqual([])
	expect(bystander.provider.wsconnected).toBe(true)

	const marker = `Still editing (${++checks}). `
	typeInto(bystander.doc, 1, 0, marker)
	await eventually(() => bystander.isSaved(), 'the bystander’s edit to be stored', 2000)
	const fresh = await fetchLiveDocument(app.url, seminarDocumentId, cookie, 1000)
	expect(documentJson(fresh)).toEqual(documentJson(bystander.doc))
	expect(blockTexts(await storedDocument(app.database.db, seminarDocumentId))[1]!.startsWith(marker)).toBe(true)
}

async function sendAndExpectClose(payload: Uint8Array | string, code: number) {
	const before = await snapshot()
	const socket = rawSocket(app.url, seminarDocumentId, { cookie })
	await socket.opened
	socket.send(payload)
	expect((await closedWithin(socket, 2000)).code).toBe(code)
	await expectDocumentIntact(before)
	return socket
}

describe('a socket is closed, and the document unharmed, when it sends', () => {
	test('a frame larger than maxFrameBytes: 1009', async () => {
		const oversized = syncUpdateMessage(new Uint8Array(maxFrameBytes))
		expect(oversized.length).toBeGreaterThan(maxFrameBytes)
		await sendAndExpectClose(oversized, 1009)
		// ws reports the refused frame as a socket error, which the server logs; nothing else may be logged.
		expect(serverErrors.take().map((line) => line.split('\n')[0])).toEqual(['[collab] socket error: Max payload size exceeded'])
	})

	test('a text frame: 4400', async () => {
		await sendAndExpectClose('{"type":"sync"}', closeCodes.badMessage)
	})

	test.each([
		{ what: 'an empty frame', bytes: [] },
		{ what: 'a varint that never ends', bytes: [0xde, 0xad, 0xbe, 0xef] },
		{ what: 'a sync message with no step', bytes: [0] },
		{ what: 'a sync step that does not exist', bytes: [0, 7, 0] },
		{ what: 'a sync update whose length runs past the frame', bytes: [0, 2, 200, 1, 2, 3] },
		{ what: 'an awareness update that is not JSON', bytes: [1, 6, 1, 1, 1, 2, 123, 120] },
		{ what: 'an awareness update cut short', bytes: [1, 3, 1, 200, 1] },
	])('garbage bytes ($what): 4400', async ({ bytes }) => {
		await sendAndExpectClose(Uint8Array.from(bytes), closeCodes.badMessage)
	})

	test.each([
		{ what: 'a type no one defines', type: 5 },
		{ what: 'a large type', type: 12345 },
		{ what: 'the server-only "saved" type', type: messageSaved },
		{ what: 'the server-only "access" type', type: messageAccess },
	])('an unknown message type ($what): 4400', async ({ type }) => {
		const bytes: number[] = []
		for (let rest = type; ; rest >>>= 7) {
			if (rest < 0x80) {
				bytes.push(rest)
				break
			}
			bytes.push(0x80 | (rest & 0x7f))
		}
		await sendAndExpectClose(Uint8Array.from([...bytes, 0, 0]), closeCodes.badMessage)
	})

	test('a sync update that is not a Yjs update at all: 4400, nothing stored', async () => {
		await sendAndExpectClose(syncUpdateMessage(Uint8Array.from([1, 2, 3])), closeCodes.badMessage)
	})

	test('a sync update that fails to apply halfway (its delete set cut off): 4400, and none of it stored or shown', async () => {
		// Built on the live document, as a client would, so its insertions fit;
		// only the last byte (the empty delete set) is missing, so applying it
		// throws after the insertion has been read.
		const forger = new Y.Doc()
		Y.applyUpdate(forger, Y.encodeStateAsUpdate(bystander.doc))
		let update: Uint8Array | null = null
		forger.on('update', (u: Uint8Array) => (update = u))
		typeInto(forger, 1, 0, 'INJECTED BY A FAILING UPDATE ')
		expect(update).not.toBeNull()
		const truncated = update!.subarray(0, update!.length - 1)
		expect(() => Y.applyUpdate(new Y.Doc(), truncated)).toThrow()

		await sendAndExpectClose(syncUpdateMessage(truncated), closeCodes.badMessage)
		expect(blockTexts(bystander.doc).join('\n')).not.toContain('INJECTED')
		const rows = await app.database.db
			.select({ update: documentUpdates.update })
			.from(documentUpdates)
			.where(eq(documentUpdates.documentId, seminarDocumentId))
		expect(rows.filter((row) => Y.decodeUpdate(row.update).structs.some((s) => s.id.client === forger.clientID))).toEqual([])
	})

	test('500 messages at once, over a limit of 50 per second with a burst of 50: 4529 (retryable)', async () => {
		const before = await snapshot()
		const socket = rawSocket(app.url, seminarDocumentId, { cookie })
		await socket.opened
		for (let i = 0; i < 500; i++) socket.send(i % 2 ? queryAwarenessMessage() : syncStep1Message(new Y.Doc()))
		expect((await closedWithin(socket, 2000)).code).toBe(closeCodes.tooManyMessages)
		await expectDocumentIntact(before)
	})
})

describe('the crafted update of yjs issue #687', () => {
	// Sent to the real server process: should it ever loop forever on this
	// input, the test can still kill it and fail instead of hanging the run.
	const crafted = Uint8Array.from([
		228, 156, 16, 0, 5, 255, 255, 5, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 237, 0, 0, 0, 1, 1, 0, 254, 184, 194, 233, 173, 135, 217,
		18, 0, 0, 1, 1, 255, 237, 246,
	])
	let database: ProcessDatabase
	let server: ServerProcess

	beforeAll(async () => {
		;({ database, server } = await processServer)
	}, 90_000)

	test('closes the socket, stores nothing, and the server keeps answering', async () => {
		const processCookie = (await logIn(server.url, demoEmails.reviewer)).cookieHeader
		const before = await fetchLiveDocument(server.url, seminarDocumentId, processCookie)

		const attacker = rawSocket(server.url, seminarDocumentId, { cookie: processCookie })
		await attacker.opened
		attacker.send(syncUpdateMessage(crafted))
		expect((await closedWithin(attacker, 2000)).code).toBe(closeCodes.badMessage)

		// Another client is answered promptly: the process did not hang.
		const started = performance.now()
		const after = await fetchLiveDocument(server.url, seminarDocumentId, processCookie, 1000)
		expect(performance.now() - started).toBeLessThan(1000)
		expect(documentJson(after)).toEqual(documentJson(before))

		// And it still stores edits: one honest edit, then a clean stop.
		const writer = scholionClient(server.url, seminarDocumentId, { cookie: processCookie })
		try {
			await eventually(() => writer.isSynced(), 'an honest client to sync')
			typeInto(writer.doc, 1, 0, 'After the crafted update. ')
			await eventually(() => writer.isSaved(), 'the honest edit to be stored')
		} finally {
			writer.destroy()
		}
		expect(await server.stop()).toBe(0)

		const stored = await database.open()
		try {
			const rows = await stored.db
				.select({ update: documentUpdates.update })
				.from(documentUpdates)
				.where(eq(documentUpdates.documentId, seminarDocumentId))
			expect(rows.map((row) => Buffer.from(row.update).equals(Buffer.from(crafted)))).not.toContain(true)
			const document = await storedDocument(stored.db, seminarDocumentId)
			expect(blockTexts(document)[1]).toMatch(/^After the crafted update\. /)
			expect(blockTexts(document).slice(2)).toEqual(blockTexts(before).slice(2))
		} finally {
			await stored.close()
		}
	}, 60_000)
})
