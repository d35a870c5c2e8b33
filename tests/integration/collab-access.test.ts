import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentUpdates } from '#db/schema/index.ts'
import { closeCodes } from '#server/collab/protocol.ts'
import { randomToken, sessionCookie } from '#server/session-cookie.ts'
import {
	accountIdentity,
	blockTexts,
	closedWithin,
	demoEmails,
	eventually,
	logIn,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	seminarGroupId,
	startCollabApp,
	typeInto,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import { type FormClient, signUp } from '#tests/support/http-client.ts'

// Who may open a document's socket, and what each may do once in. The
// seminar's demo members: the owner manages roles through the real members
// form; the reader is promoted, demoted and finally removed along the way.

let app: CollabApp
let owner: FormClient
let reviewer: FormClient
let reader: FormClient
let outsider: FormClient
let readerId: string
const clients: ScholionClient[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	app = await startCollabApp()
	owner = await logIn(app.url, demoEmails.owner)
	reviewer = await logIn(app.url, demoEmails.reviewer)
	reader = await logIn(app.url, demoEmails.reader)
	outsider = await signUp(app.url, { email: 'outsider@example.org', name: 'Otto Outsider' })
	readerId = (await accountIdentity(app.database.db, demoEmails.reader)).id
})
afterEach(() => {
	for (const client of clients.splice(0)) client.destroy()
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(() => app?.close())

function open(session: FormClient) {
	const client = scholionClient(app.url, seminarDocumentId, { cookie: session.cookieHeader })
	clients.push(client)
	return client
}

/** Changes the reader's role through the owner's members form, as the owner would. */
async function setReaderRole(role: 'reader' | 'reviewer') {
	const response = await owner.post(`/groups/${seminarGroupId}/members`, { intent: 'role', userId: readerId, role })
	expect(response.status).toBe(200)
}

/** Whether any stored update row holds content written by this Yjs client. */
async function rowsWrittenBy(clientId: number) {
	const rows = await app.database.db
		.select({ update: documentUpdates.update })
		.from(documentUpdates)
		.where(eq(documentUpdates.documentId, seminarDocumentId))
	return rows.filter((row) => Y.decodeUpdate(row.update).structs.some((struct) => struct.id.client === clientId)).length
}

describe('opening a document’s socket is refused', () => {
	test('without a session cookie: 4401', async () => {
		const socket = rawSocket(app.url, seminarDocumentId)
		expect((await closedWithin(socket, 2000)).code).toBe(closeCodes.unauthorized)
	})

	test('with a session that does not exist: 4401', async () => {
		const forged = await sessionCookie.serialize(randomToken())
		const socket = rawSocket(app.url, seminarDocumentId, { cookie: forged.split(';')[0] })
		expect((await closedWithin(socket, 2000)).code).toBe(closeCodes.unauthorized)
	})

	test('to a signed-in user who is not a member of the seminar: 4403', async () => {
		const socket = rawSocket(app.url, seminarDocumentId, { cookie: outsider.cookieHeader })
		expect((await closedWithin(socket, 2000)).code).toBe(closeCodes.forbidden)
	})

	test.each([
		{ what: 'a document that does not exist', id: randomUUID() },
		{ what: 'an id that is not a uuid', id: 'not-a-uuid' },
		{ what: 'a near-miss of a real id', id: '5c1ed0c0-0000-4000-8000-00000000000z' },
		{ what: 'a path escape', id: '..%2F..%2Fetc%2Fpasswd' },
		{ what: 'an SQL fragment', id: "1'%20or%20'1'='1" },
	])('for $what, with the same 4403 as a document one may not see', async ({ id }) => {
		const socket = rawSocket(app.url, id, { cookie: owner.cookieHeader })
		const closed = await closedWithin(socket, 2000)
		expect(closed.code).toBe(closeCodes.forbidden)
		const hidden = await closedWithin(rawSocket(app.url, seminarDocumentId, { cookie: outsider.cookieHeader }), 2000)
		expect(closed.reason).toBe(hidden.reason)
	})

	test.each([
		{ what: 'another site’s Origin', origin: 'https://evil.example' },
		{ what: 'a look-alike Origin on another port', origin: 'http://127.0.0.1:1' },
		{ what: 'no Origin at all', origin: null },
	])('from $what, even with a valid session: 4403', async ({ origin }) => {
		const socket = rawSocket(app.url, seminarDocumentId, { cookie: owner.cookieHeader, origin })
		expect((await closedWithin(socket, 2000)).code).toBe(closeCodes.forbidden)
	})
})

describe('a reader', () => {
	test('is told the document is read-only, and what they type reaches nobody and is not stored', async () => {
		const writer = open(reviewer)
		const readOnly = open(reader)
		await eventually(() => writer.isSynced() && readOnly.isSynced(), 'both clients to sync')
		expect(readOnly.access).toEqual([1])
		expect(writer.access).toEqual([0])

		typeInto(readOnly.doc, 1, 0, 'READER WAS HERE ')
		// The writer's own edit, acknowledged as stored, comes after the reader's on the wire.
		typeInto(writer.doc, 2, 0, 'Reviewer note. ')
		await eventually(() => writer.isSaved(), 'the writer’s edit to be acknowledged as stored')
		await eventually(() => blockTexts(readOnly.doc)[2]!.startsWith('Reviewer note. '), 'the reader to receive the edit')

		expect(blockTexts(writer.doc).join('\n')).not.toContain('READER WAS HERE')
		expect(await rowsWrittenBy(readOnly.doc.clientID)).toBe(0)
		expect(await rowsWrittenBy(writer.doc.clientID)).toBeGreaterThan(0)
		expect(readOnly.closes).toEqual([])
	})

	test('promoted to reviewer through the members form may write within a second', async () => {
		const writer = open(reviewer)
		const promoted = open(reader)
		await eventually(() => writer.isSynced() && promoted.isSynced() && promoted.access.length === 1, 'both clients to sync')
		try {
			await setReaderRole('reviewer')
			await eventually(() => promoted.access.length === 2, 'the access message on the open socket', 1000)
			expect(promoted.access).toEqual([1, 0])

			typeInto(promoted.doc, 4, 0, 'Promoted reader’s note. ')
			await eventually(() => blockTexts(writer.doc)[4]!.startsWith('Promoted reader’s note. '), 'the edit to reach the writer')
			await eventually(() => promoted.isSaved(), 'the edit to be stored')
			expect(await rowsWrittenBy(promoted.doc.clientID)).toBeGreaterThan(0)
		} finally {
			await setReaderRole('reader')
		}
		await eventually(() => promoted.access.length === 3, 'the demotion to reach the socket', 1000)
		expect(promoted.access).toEqual([1, 0, 1])
	})
})

describe('an open socket loses access', () => {
	test('within a second when the member is removed from the group (4403)', async () => {
		const removed = open(reader)
		await eventually(() => removed.isSynced(), 'the reader to sync')
		try {
			const response = await owner.post(`/groups/${seminarGroupId}/members`, { intent: 'remove', userId: readerId })
			expect(response.status).toBe(200)
			await eventually(() => removed.closes.length > 0, 'the socket to close', 1000)
			expect(removed.closes[0]!.code).toBe(closeCodes.forbidden)
			// The stock client takes 44xx as final and does not knock again.
			await new Promise((resolve) => setTimeout(resolve, 300))
			expect(removed.provider.wsconnected || removed.provider.wsconnecting).toBe(false)
		} finally {
			// Back in the group for whatever runs next, through an invite as a new member would.
			const invite = await owner.post(`/groups/${seminarGroupId}/members`, { intent: 'invite', role: 'reader', days: '1' })
			const token = /\/invite\/([A-Za-z0-9_-]+)/.exec(await invite.text())?.[1]
			expect(token).toBeDefined()
			expect((await reader.post(`/invite/${token}`, {})).status).toBe(302)
		}
	})

	test('within a second when that session logs out (4401), while the same person’s other session stays', async () => {
		const secondSession = await logIn(app.url, demoEmails.reviewer)
		const loggingOut = open(secondSession)
		const staying = open(reviewer)
		await eventually(() => loggingOut.isSynced() && staying.isSynced(), 'both sessions to sync')
		const response = await secondSession.post('/logout', {})
		expect(response.status).toBe(302)
		await eventually(() => loggingOut.closes.length > 0, 'the logged-out session’s socket to close', 1000)
		expect(loggingOut.closes[0]!.code).toBe(closeCodes.unauthorized)
		await new Promise((resolve) => setTimeout(resolve, 200))
		expect(staying.closes).toEqual([])
		expect(staying.provider.wsconnected).toBe(true)
	})
})
