import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { DatabaseHandle } from '#db/client.ts'
import { seedDemo } from '#seeds/demo.ts'
import { closeCodes } from '#server/collab/protocol.ts'
import {
	accountIdentity,
	blockTexts,
	cursorHead,
	demoEmails,
	documentJson,
	eventually,
	logIn,
	recordConsoleErrors,
	scholionClient,
	seminarGroupId,
	startCollabApp,
	storedDocument,
	textCursor,
	typeInto,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import { createTestDatabase } from '#tests/support/database.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import type { AnnotationEvent, AnnotationView } from '#app/annotations/types.ts'
import type { FormClient } from '#tests/support/http-client.ts'

// Two server processes behind one load balancer share live documents
// through Redis: whichever one a person's socket lands on, they see the
// same document, the same people, and the same access decisions.

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function redisReachable(): Promise<boolean> {
	const probe = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
	probe.on('error', () => {})
	try {
		await probe.connect()
		return (await probe.ping()) === 'PONG'
	} catch {
		return false
	} finally {
		probe.disconnect()
	}
}

// Under CI Redis is part of the machine: its absence is a failure, not a skip.
const reachable = await redisReachable()
const skip = !reachable && process.env.CI !== 'true'

let database: DatabaseHandle
let a: CollabApp
let b: CollabApp
/** Per server, the owner's and reader's sessions (a session works on both: one database). */
let ownerOnA: FormClient
let readerCookie: string
let ownerCookie: string
let readerId: string
const clients: ScholionClient[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	if (skip) return
	if (!reachable) throw new Error(`Redis at ${redisUrl} is unreachable, and under CI these tests must run.`)
	database = await createTestDatabase()
	await seedDemo(database.db)
	// A's group commit is slow on purpose, so that what B's clients see of A's edits came through Redis.
	;[a, b] = await Promise.all([
		startCollabApp({ database, redisUrl, collab: { groupCommitMs: 1000 } }),
		startCollabApp({ database, redisUrl }),
	])
	ownerOnA = await logIn(a.url, demoEmails.owner)
	ownerCookie = ownerOnA.cookieHeader
	readerCookie = (await logIn(b.url, demoEmails.reader)).cookieHeader
	readerId = (await accountIdentity(database.db, demoEmails.reader)).id
})
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy()
	expect(serverErrors.take(), 'errors the servers logged').toEqual([])
})
afterAll(async () => {
	await Promise.all([a?.close(), b?.close()])
	await database?.close()
})

/** A client that, like the editor on mount, publishes a presence field at once. */
function open(server: CollabApp, documentId: string, cookie = ownerCookie, options: { presence?: boolean } = {}) {
	const client = scholionClient(server.url, documentId, { cookie })
	if (options.presence ?? true) client.provider.awareness.setLocalStateField('cursor', null)
	clients.push(client)
	return client
}

/** A new document in the seminar, imported through the real form: no other test's channel is on it. */
async function importDocument(title: string): Promise<string> {
	const form = new FormData()
	form.set('title', title)
	form.set('paste', 'First paragraph of the shared text.\n\nSecond paragraph, to be annotated.\n\nThird paragraph.')
	form.set('format', 'txt')
	const response = await ownerOnA.postMultipart(`/groups/${seminarGroupId}/import`, form)
	expect(response.status).toBe(302)
	return /\/documents\/([0-9a-f-]{36})$/.exec(response.headers.get('Location') ?? '')![1]!
}

describe.skipIf(skip)('two servers sharing live documents through Redis', () => {
	test('edits made on either server reach clients on the other', async () => {
		const documentId = await importDocument('Shared both ways')
		const onA = open(a, documentId)
		const onB = open(b, documentId)
		await eventually(() => onA.isSynced() && onB.isSynced(), 'both clients to sync')
		typeInto(onA.doc, 0, 0, 'From A. ')
		await eventually(() => blockTexts(onB.doc)[0]!.startsWith('From A. '), 'A’s edit to reach B')
		typeInto(onB.doc, 1, 0, 'From B. ')
		await eventually(() => blockTexts(onA.doc)[1]!.startsWith('From B. '), 'B’s edit to reach A')
		await eventually(() => onA.isSaved() && onB.isSaved(), 'both edits to be stored', 5000)
		expect(documentJson(onA.doc)).toEqual(documentJson(onB.doc))
		expect(documentJson(await storedDocument(database.db, documentId))).toEqual(documentJson(onA.doc))
	})

	test('presence crosses servers, with the verified name', async () => {
		const documentId = await importDocument('Shared presence')
		const owner = await accountIdentity(database.db, demoEmails.owner)
		const onA = open(a, documentId)
		const onB = open(b, documentId, readerCookie)
		await eventually(() => onA.isSynced() && onB.isSynced(), 'both clients to sync')
		onA.provider.awareness.setLocalStateField('user', { name: 'Mallory', color: '#000000' })
		onA.provider.awareness.setLocalStateField('cursor', textCursor(onA.doc, 4, 9))
		const seenOnB = () => onB.provider.awareness.getStates().get(onA.doc.clientID) as Record<string, unknown> | undefined
		await eventually(() => cursorHead(onB.doc, seenOnB()) === 9, 'A’s cursor to show on B')
		expect(seenOnB()!.user).toEqual({ id: owner.id, name: owner.name, color: owner.color })
		onA.destroy()
		clients.splice(clients.indexOf(onA), 1)
		await eventually(() => seenOnB() === undefined, 'A to leave B’s view', 2000)
	})

	test('a client joining server B sees who is already present on A without waiting for them to move', async () => {
		// One person on A has a plain y-websocket client that never publishes
		// a presence field (its initial clock-0 state is not an update); the
		// other has a cursor. Someone opening the document on B must see the latter.
		const documentId = await importDocument('Presence before joining')
		const silent = open(a, documentId, ownerCookie, { presence: false })
		const present = open(a, documentId, readerCookie)
		await eventually(() => present.isSynced(), 'the reader on A to sync')
		present.provider.awareness.setLocalStateField('cursor', textCursor(present.doc, 2))
		await eventually(
			() => silent.isSynced() && present.isSynced() && silent.provider.awareness.getStates().has(present.doc.clientID),
			'the clients on A to sync and see each other',
		)
		expect(b.collab.rooms.has(documentId)).toBe(false)
		const newcomer = open(b, documentId)
		await eventually(() => newcomer.isSynced(), 'the newcomer on B to sync')
		await eventually(
			() => newcomer.provider.awareness.getStates().has(present.doc.clientID),
			'the newcomer on B to see the person present on A',
			2000,
		)
	})

	test('a client joining server B after edits on A sees them, before A has stored them', async () => {
		const documentId = await importDocument('Joined late on B')
		const onA = open(a, documentId)
		await eventually(() => onA.isSynced(), 'A’s client to sync')
		typeInto(onA.doc, 2, 0, 'Written on A just now. ')
		expect(b.collab.rooms.has(documentId)).toBe(false)
		expect(blockTexts(await storedDocument(database.db, documentId)).join('\n')).not.toContain('Written on A')
		const late = open(b, documentId, readerCookie)
		await eventually(() => blockTexts(late.doc)[2]?.startsWith('Written on A just now. ') ?? false, 'the late client on B to see A’s edit')
		expect(documentJson(late.doc)).toEqual(documentJson(onA.doc))
	})

	test('a role change made on A reaches the member’s socket on B within a second', async () => {
		const documentId = await importDocument('Access across servers')
		const readerOnB = open(b, documentId, readerCookie)
		const ownerOnB = open(b, documentId)
		await eventually(() => readerOnB.isSynced() && readerOnB.access.length === 1 && ownerOnB.isSynced(), 'the clients on B to sync')
		expect(readerOnB.access).toEqual([1])
		try {
			const response = await ownerOnA.post(`/groups/${seminarGroupId}/members`, { intent: 'role', userId: readerId, role: 'reviewer' })
			expect(response.status).toBe(200)
			await eventually(() => readerOnB.access.length === 2, 'the access message on B', 1000)
			expect(readerOnB.access).toEqual([1, 0])
			typeInto(readerOnB.doc, 0, 0, 'Now a reviewer. ')
			await eventually(() => blockTexts(ownerOnB.doc)[0]!.startsWith('Now a reviewer. '), 'the promoted member’s edit')
		} finally {
			await ownerOnA.post(`/groups/${seminarGroupId}/members`, { intent: 'role', userId: readerId, role: 'reader' })
		}
	})

	test('an annotation made through A reaches a viewer on B live; a draft reaches only its author', async () => {
		const documentId = await importDocument('Annotations across servers')
		const onA = open(a, documentId)
		const readerOnB = open(b, documentId, readerCookie)
		const events: AnnotationEvent[] = []
		readerOnB.provider.messageHandlers[102] = (_encoder, decoder) => {
			events.push(JSON.parse(decoding.readVarString(decoder)) as AnnotationEvent)
		}
		onA.provider.messageHandlers[102] = () => {}
		await eventually(() => onA.isSynced() && readerOnB.isSynced(), 'both clients to sync')
		const send = async (body: unknown) => {
			const response = await ownerOnA.request(`/documents/${documentId}/annotations`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Origin: new URL(a.url).origin },
				body: JSON.stringify(body),
			})
			expect(response.status).toBe(200)
			return ((await response.json()) as { annotation: AnnotationView }).annotation
		}
		const draft = await send({ intent: 'create', body: 'not yet', status: 'draft', anchor: anchorFor(onA.doc, 'First paragraph') })
		const shared = await send({ intent: 'create', body: 'Which source?', anchor: anchorFor(onA.doc, 'to be annotated') })
		await eventually(
			() => events.some((e) => e.kind === 'annotation' && e.annotation.id === shared.id),
			'the shared annotation to reach the reader on B',
		)
		expect(events.some((e) => e.kind === 'annotation' && e.annotation.id === draft.id)).toBe(false)
	})

	test('logging out on A closes that session’s socket on B within a second', async () => {
		const documentId = await importDocument('Logout across servers')
		const session = await logIn(a.url, demoEmails.reviewer)
		const onB = open(b, documentId, session.cookieHeader)
		await eventually(() => onB.isSynced(), 'the client on B to sync')
		expect((await session.post('/logout', {})).status).toBe(302)
		await eventually(() => onB.closes.length > 0, 'the socket on B to close', 1000)
		expect(onB.closes[0]!.code).toBe(closeCodes.unauthorized)
	})
})
