import { eq } from 'drizzle-orm'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentUpdates } from '#db/schema/index.ts'
import { closeCodes } from '#server/collab/protocol.ts'
import {
	accountIdentity,
	blockTexts,
	demoEmails,
	eventually,
	logIn,
	rawSocket,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	seminarGroupId,
	sleep,
	startCollabApp,
	storedDocument,
	syncUpdateMessage,
	typeInto,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import type { FormClient } from '#tests/support/http-client.ts'

// Attack 10 of issue 12: a reader's edits typed while read-only were applied
// once the reader was promoted (the server asked the promoted client for
// what it had). Now what was refused stays refused: a client holding refused
// changes is told to start over (4409) and writes nothing more from that
// Y.Doc; a fresh client of the same person writes normally.

let app: CollabApp
let owner: FormClient
let reviewer: FormClient
let reader: FormClient
let readerId: string
const clients: ScholionClient[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	app = await startCollabApp()
	owner = await logIn(app.url, demoEmails.owner)
	reviewer = await logIn(app.url, demoEmails.reviewer)
	reader = await logIn(app.url, demoEmails.reader)
	readerId = (await accountIdentity(app.database.db, demoEmails.reader)).id
})
afterEach(async () => {
	for (const client of clients.splice(0)) client.destroy()
	await setReaderRole('reader')
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

/** How many stored update rows hold content written by this Yjs client. */
async function rowsWrittenBy(clientId: number) {
	const rows = await app.database.db
		.select({ update: documentUpdates.update })
		.from(documentUpdates)
		.where(eq(documentUpdates.documentId, seminarDocumentId))
	return rows.filter((row) => Y.decodeUpdate(row.update).structs.some((struct) => struct.id.client === clientId)).length
}

/** Deletes the first `length` characters of the block at `index`, as a backspace would. */
function deleteFrom(doc: Y.Doc, index: number, length: number) {
	const block = doc.getXmlFragment('prosemirror').get(index) as Y.XmlElement
	doc.transact(() => (block.get(0) as Y.XmlText).delete(0, length), 'test typing')
}

/** A writer and a reader's client, both synced, the reader told it is read-only. */
async function writerAndReader() {
	const writer = open(reviewer)
	const member = open(reader)
	await eventually(() => writer.isSynced() && member.isSynced() && member.access.length === 1, 'both clients to sync')
	expect(member.access).toEqual([1])
	return { writer, member }
}

/** Waits until the writer's own edit is stored: everything the server received before it has been handled. */
async function writerMarks(writer: ScholionClient, index: number, mark: string) {
	typeInto(writer.doc, index, 0, mark)
	await eventually(() => writer.isSaved(), 'the writer’s edit to be stored')
}

describe('a reader’s changes refused while read-only', () => {
	test('are not applied on promotion: the client is told to start over, and a fresh client of the same person writes', async () => {
		const { writer, member } = await writerAndReader()
		const firstWords = blockTexts(writer.doc)[3]!.slice(0, 12)
		typeInto(member.doc, 1, 0, 'REFUSED INSERTION ')
		deleteFrom(member.doc, 3, 12)
		await writerMarks(writer, 2, 'Before promotion. ')

		await setReaderRole('reviewer')
		await eventually(() => member.closes.length > 0, 'the reader’s socket to be told to start over', 2000)
		expect(member.closes[0]!.code).toBe(closeCodes.refusedEdits)
		// A stock client takes 44xx as final: it does not come back to send the refused changes again.
		await sleep(300)
		expect(member.provider.wsconnected || member.provider.wsconnecting).toBe(false)
		// The stock client still shows its own refused text: the server cannot take it out of that Y.Doc.
		expect(blockTexts(member.doc)[1]).toMatch(/^REFUSED INSERTION /)

		await writerMarks(writer, 2, 'After promotion. ')
		const stored = blockTexts(await storedDocument(app.database.db, seminarDocumentId))
		for (const texts of [blockTexts(writer.doc), blockTexts(app.collab.rooms.get(seminarDocumentId)!.doc), stored]) {
			expect(texts.join('\n')).not.toContain('REFUSED INSERTION')
			expect(texts[3]!.startsWith(firstWords)).toBe(true)
		}
		expect(await rowsWrittenBy(member.doc.clientID)).toBe(0)

		// Opening again (a new Y.Doc, as a reload does): the server's text, and edits that reach everyone.
		const fresh = open(reader)
		await eventually(() => fresh.isSynced() && fresh.access.length === 1, 'the fresh client to sync')
		expect(fresh.access).toEqual([0])
		expect(blockTexts(fresh.doc)).toEqual(blockTexts(writer.doc))
		typeInto(fresh.doc, 4, 0, 'Typed after promotion. ')
		await eventually(() => blockTexts(writer.doc)[4]!.startsWith('Typed after promotion. '), 'the new edit to reach the writer', 3000)
		await eventually(() => fresh.isSaved(), 'the new edit to be stored', 3000)
		expect(await rowsWrittenBy(fresh.doc.clientID)).toBeGreaterThan(0)
		expect(fresh.closes).toEqual([])
	})

	test('are not applied when the client reconnects after its promotion and sends them in its sync step 2', async () => {
		const { writer, member } = await writerAndReader()
		typeInto(member.doc, 1, 0, 'REFUSED BEFORE RECONNECT ')
		await writerMarks(writer, 2, 'Mark. ')
		member.provider.disconnect()
		await setReaderRole('reviewer')
		member.provider.connect()
		await eventually(() => member.closes.some((close) => close.code === closeCodes.refusedEdits), 'the reconnected client to be told to start over', 3000)
		await writerMarks(writer, 2, 'Mark again. ')
		expect(blockTexts(writer.doc).join('\n')).not.toContain('REFUSED BEFORE RECONNECT')
		expect(blockTexts(await storedDocument(app.database.db, seminarDocumentId)).join('\n')).not.toContain('REFUSED BEFORE RECONNECT')
		expect(await rowsWrittenBy(member.doc.clientID)).toBe(0)
	})

	test('deletions only: not applied on promotion either', async () => {
		const { writer, member } = await writerAndReader()
		const before = blockTexts(writer.doc)[5]!
		deleteFrom(member.doc, 5, 10)
		await writerMarks(writer, 2, 'Mark. ')
		await setReaderRole('reviewer')
		await eventually(() => member.closes.length > 0, 'the reader’s socket to be told to start over', 2000)
		expect(member.closes[0]!.code).toBe(closeCodes.refusedEdits)
		await writerMarks(writer, 2, 'Mark again. ')
		expect(blockTexts(writer.doc)[5]).toBe(before)
		expect(blockTexts(await storedDocument(app.database.db, seminarDocumentId))[5]).toBe(before)
	})

	test('a reader who changed nothing is promoted and writes at once, on the same socket', async () => {
		const { writer, member } = await writerAndReader()
		await setReaderRole('reviewer')
		await eventually(() => member.access.length === 2, 'the access message', 1000)
		typeInto(member.doc, 4, 0, 'Promoted without a refusal. ')
		await eventually(() => blockTexts(writer.doc)[4]!.startsWith('Promoted without a refusal. '), 'the edit to reach the writer', 3000)
		await eventually(() => member.isSaved(), 'the edit to be stored', 3000)
		expect(member.closes).toEqual([])
	})

	test('naming a writer’s client id in a refused update does not get the writer refused', async () => {
		const { writer } = await writerAndReader()
		// A crafted update with content "by" the writer's client id, far past its clock, sent by the reader.
		const forged = new Y.Doc()
		forged.clientID = writer.doc.clientID
		forged.getXmlFragment('prosemirror').insert(0, [new Y.XmlText('forged')])
		const attacker = rawSocket(app.url, seminarDocumentId, { cookie: reader.cookieHeader })
		await attacker.opened
		attacker.send(syncUpdateMessage(Y.encodeStateAsUpdate(forged)))
		await writerMarks(writer, 2, 'The writer still writes. ')
		await setReaderRole('reviewer')
		typeInto(writer.doc, 3, 0, 'And again. ')
		await eventually(() => writer.isSaved(), 'the writer’s edit after the attempt to be stored')
		expect(blockTexts(await storedDocument(app.database.db, seminarDocumentId))[3]).toMatch(/^And again\. /)
		expect(writer.closes).toEqual([])
		attacker.close()
		forged.destroy()
	})
})
