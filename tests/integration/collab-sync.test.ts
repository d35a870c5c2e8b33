import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { demoDocuments } from '#seeds/demo.ts'
import { importDocument } from '#server/import/index.ts'
import { collabClient, type CollabClient } from '#tests/support/collab-client.ts'
import {
	blockTexts,
	boardDocumentId,
	demoEmails,
	describeMessage,
	documentJson,
	eventually,
	isSyncStep2,
	logIn,
	rawSocket,
	recordConsoleErrors,
	seminarDocumentId,
	startCollabApp,
	storedDocument,
	syncStep1Message,
	typeInto,
	type CollabApp,
} from '#tests/support/collab-harness.ts'

// Stock y-websocket clients against the real server: what two people
// opening the same seminar text see, and what someone arriving later sees.

let app: CollabApp
let cookie: string
const clients: CollabClient[] = []
const serverErrors = recordConsoleErrors()

/** The seed text's blocks as the importer makes them, independent of anything stored. */
function seedBlocks(file: string): string[] {
	const result = importDocument({ bytes: readFileSync(fileURLToPath(new URL(`../../seeds/documents/${file}`, import.meta.url))), filename: file })
	if (!result.ok) throw new Error(result.error)
	const texts: string[] = []
	result.doc.forEach((node) => texts.push(node.textContent))
	return texts
}
const stalinBlocks = seedBlocks('stalin-1924-1953.txt')

beforeAll(async () => {
	app = await startCollabApp()
	cookie = (await logIn(app.url, demoEmails.reviewer)).cookieHeader
})
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy()
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(() => app?.close())

function open(documentId: string) {
	const client = collabClient(app.url, documentId, { cookie })
	clients.push(client)
	return client
}

describe('two people opening the seminar text', () => {
	test('both receive the seed text, paragraph for paragraph', async () => {
		const [a, b] = [open(seminarDocumentId), open(seminarDocumentId)]
		await eventually(() => a.provider.synced && b.provider.synced, 'both clients to sync')
		expect(stalinBlocks.length).toBeGreaterThan(10)
		expect(stalinBlocks[0]).toBe('STALIN 1924 – 1953')
		expect(blockTexts(a.doc)).toEqual(stalinBlocks)
		expect(blockTexts(b.doc)).toEqual(stalinBlocks)
		expect(a.closes).toEqual([])
	})

	test('a sentence typed by one appears in the other’s copy', async () => {
		const [a, b] = [open(seminarDocumentId), open(seminarDocumentId)]
		await eventually(() => a.provider.synced && b.provider.synced, 'both clients to sync')
		typeInto(a.doc, 1, 0, 'Which archive? ')
		await eventually(() => blockTexts(b.doc)[1]!.startsWith('Which archive? '), 'the edit to reach the second client')
		typeInto(b.doc, 2, 0, 'Source needed. ')
		await eventually(() => blockTexts(a.doc)[2]!.startsWith('Source needed. '), 'the reply to reach the first client')
		expect(documentJson(a.doc)).toEqual(documentJson(b.doc))
	})

	test('someone who opens the document later receives every earlier edit', async () => {
		const first = open(seminarDocumentId)
		await eventually(() => first.provider.synced, 'the first client to sync')
		typeInto(first.doc, 3, 0, '[late-joiner check] ')
		first.destroy()
		clients.splice(clients.indexOf(first), 1)

		const late = open(seminarDocumentId)
		await eventually(() => late.provider.synced, 'the late client to sync')
		await eventually(() => blockTexts(late.doc)[3]!.startsWith('[late-joiner check] '), 'the late client to see the edit')
		expect(blockTexts(late.doc)[1]).toMatch(/^Which archive\? /)
		expect(blockTexts(late.doc)[2]).toMatch(/^Source needed\. /)
	})
})

describe('a document nobody has open yet', () => {
	test('is answered only once loaded: the first reply carries its stored state and the full text', async () => {
		// The board's manuscript has not been opened in this server. The socket
		// says "I have nothing" the moment it opens, while the server is still
		// reading the document; its replies must already carry everything stored.
		expect(app.collab.rooms.has(boardDocumentId)).toBe(false)
		const stored = await storedDocument(app.database.db, boardDocumentId)
		const sockets = Array.from({ length: 3 }, () => rawSocket(app.url, boardDocumentId, { cookie }))
		await Promise.all(
			sockets.map(async (socket) => {
				await socket.opened
				socket.send(syncStep1Message(new Y.Doc()))
			}),
		)
		for (const socket of sockets) {
			const step2 = await socket.next(isSyncStep2, 'the answer to sync step 1')
			const syncMessages = socket.messages.filter((m) => describeMessage(m).type === 0)
			// The server's own step 1 (its state vector) comes first, and it is the stored one.
			const greeting = describeMessage(syncMessages[0]!)
			expect(greeting.step).toBe(0)
			expect(Y.decodeStateVector(greeting.payload)).toEqual(Y.decodeStateVector(Y.encodeStateVector(stored)))
			const received = new Y.Doc()
			Y.applyUpdate(received, describeMessage(step2).payload)
			expect(blockTexts(received)).toEqual(stalinBlocks)
			expect(documentJson(received)).toEqual(documentJson(stored))
			socket.close()
		}
	})

	test('a stock client opening it is synced with exactly what is stored', async () => {
		const parisar = demoDocuments[1].id
		expect(app.collab.rooms.has(parisar)).toBe(false)
		const stored = await storedDocument(app.database.db, parisar)
		expect(blockTexts(stored)).toEqual(seedBlocks('on-stalin-parisar-2007.txt'))
		const fresh = open(parisar)
		await eventually(() => fresh.provider.synced, 'the fresh client to sync')
		expect(documentJson(fresh.doc)).toEqual(documentJson(stored))
	})
})
