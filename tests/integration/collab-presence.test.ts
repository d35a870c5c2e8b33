import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { messageAwareness } from '#server/collab/protocol.ts'
import { collabClient, type CollabClient } from '#tests/support/collab-client.ts'
import {
	accountIdentity,
	awarenessMessage,
	blockTexts,
	cursorHead,
	demoEmails,
	describeMessage,
	eventually,
	logIn,
	queryAwarenessMessage,
	rawSocket,
	recordConsoleErrors,
	seminarDocumentId,
	sleep,
	startCollabApp,
	textCursor,
	typeInto,
	type CollabApp,
	type RawSocket,
} from '#tests/support/collab-harness.ts'

// Presence: who else is in the document and where their cursor is. The
// name and colour others see are the account's, whatever a client claims;
// a connection speaks only for its own client; and a room full of moving
// cursors costs each client a few frames per window, not one per move.

const awarenessFlushMs = 50

let app: CollabApp
let ownerCookie: string
let reviewerCookie: string
let readerCookie: string
let owner: { id: string; name: string; color: string }
let reviewer: { id: string; name: string; color: string }
const clients: CollabClient[] = []
const sockets: RawSocket[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	app = await startCollabApp({ collab: { awarenessFlushMs } })
	ownerCookie = (await logIn(app.url, demoEmails.owner)).cookieHeader
	reviewerCookie = (await logIn(app.url, demoEmails.reviewer)).cookieHeader
	readerCookie = (await logIn(app.url, demoEmails.reader)).cookieHeader
	owner = await accountIdentity(app.database.db, demoEmails.owner)
	reviewer = await accountIdentity(app.database.db, demoEmails.reviewer)
})
afterEach(async () => {
	for (const client of clients.splice(0)) client.destroy()
	for (const socket of sockets.splice(0)) socket.close()
	// Let the server forget the departed before the next test counts anyone.
	await eventually(() => (app.collab.rooms.get(seminarDocumentId)?.awareness.getStates().size ?? 0) === 0, 'presence to empty')
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(() => app?.close())

/**
 * A stock client that, like the editor on mount, publishes a presence field
 * at once: y-protocols ignores a client's initial clock-0 state, so a client
 * that never sets a field is never shown to anyone.
 */
function open(cookie: string) {
	const client = collabClient(app.url, seminarDocumentId, { cookie })
	client.provider.awareness.setLocalStateField('cursor', null)
	clients.push(client)
	return client
}

/** Sends a frame, then waits until the server has handled it (its answer to a later query) and one flush window. */
async function sendAndSettle(socket: RawSocket, frame: Uint8Array) {
	socket.send(frame)
	const before = socket.messages.length
	socket.send(queryAwarenessMessage())
	await socket.next((m) => socket.messages.indexOf(m) >= before && describeMessage(m).type === messageAwareness, 'the query answer')
	await sleep(awarenessFlushMs * 3)
}

function stateOf(observer: CollabClient, clientId: number) {
	return observer.provider.awareness.getStates().get(clientId) as Record<string, unknown> | undefined
}

describe('presence', () => {
	test('shows the account’s verified name and colour, not the one a client claims, with its cursor', async () => {
		const a = open(ownerCookie)
		const b = open(reviewerCookie)
		await eventually(() => a.provider.synced && b.provider.synced, 'both to sync')
		a.provider.awareness.setLocalStateField('user', { name: 'Mallory', color: '#000000' })
		a.provider.awareness.setLocalStateField('cursor', textCursor(a.doc, 12, 17))
		await eventually(() => cursorHead(b.doc, stateOf(b, a.doc.clientID)) === 17, 'B to see A’s cursor')
		const seen = stateOf(b, a.doc.clientID)!
		expect(seen.user).toEqual({ id: owner.id, name: owner.name, color: owner.color })
		expect(seen.cursor).toEqual(JSON.parse(JSON.stringify(textCursor(b.doc, 12, 17))))
		expect(JSON.stringify(b.provider.awareness.getStates().get(a.doc.clientID))).not.toContain('Mallory')
		// And A appears to nobody under a name it chose, not even after a second try.
		a.provider.awareness.setLocalStateField('user', { name: 'Irena Novak (admin)', color: owner.color })
		a.provider.awareness.setLocalStateField('cursor', textCursor(a.doc, 1))
		await eventually(() => cursorHead(b.doc, stateOf(b, a.doc.clientID)) === 1, 'B to see A move')
		expect(stateOf(b, a.doc.clientID)!.user).toEqual({ id: owner.id, name: owner.name, color: owner.color })
	})

	test('leaves with the client: others stop seeing it when its socket closes', async () => {
		const a = open(ownerCookie)
		const b = open(reviewerCookie)
		await eventually(() => stateOf(b, a.doc.clientID) !== undefined, 'B to see A')
		a.destroy()
		clients.splice(clients.indexOf(a), 1)
		await eventually(() => stateOf(b, a.doc.clientID) === undefined, 'A to leave B’s view', 2000)
	})
})

describe('a connection publishing presence for another client’s id', () => {
	/** A separate Awareness whose document carries the victim's client id, as a forger would build it. */
	function forgedAwareness(victimId: number, state: Record<string, unknown> | null, clock: number): Uint8Array {
		const doc = new Y.Doc()
		doc.clientID = victimId
		const forged = new awarenessProtocol.Awareness(doc)
		forged.setLocalState(state)
		// Far ahead of the victim's own clock, so only the server's check can stop it.
		forged.meta.set(victimId, { clock, lastUpdated: Date.now() })
		const update = awarenessProtocol.encodeAwarenessUpdate(forged, [victimId])
		forged.destroy()
		doc.destroy()
		return update
	}

	async function victimWithObserver() {
		const victim = open(ownerCookie)
		const observer = open(reviewerCookie)
		await eventually(() => victim.provider.synced && observer.provider.synced, 'both to sync')
		victim.provider.awareness.setLocalStateField('cursor', textCursor(victim.doc, 3))
		await eventually(() => cursorHead(observer.doc, stateOf(observer, victim.doc.clientID)) === 3, 'the observer to see the victim')
		const attacker = rawSocket(app.url, seminarDocumentId, { cookie: readerCookie })
		sockets.push(attacker)
		await attacker.opened
		return { victim, observer, attacker }
	}

	const victimState = (victim: CollabClient) => ({
		user: { id: owner.id, name: owner.name, color: owner.color },
		cursor: JSON.parse(JSON.stringify(textCursor(victim.doc, 3))),
	})

	test('as its first presence message cannot change the victim’s state', async () => {
		const { victim, observer, attacker } = await victimWithObserver()
		await sendAndSettle(attacker, awarenessMessage(forgedAwareness(victim.doc.clientID, { cursor: textCursor(victim.doc, 9) }, 1000)))
		expect(stateOf(observer, victim.doc.clientID)).toEqual(victimState(victim))
	})

	test('after speaking for itself cannot change or remove the victim’s state', async () => {
		const { victim, observer, attacker } = await victimWithObserver()
		const own = new awarenessProtocol.Awareness(new Y.Doc())
		own.setLocalStateField('cursor', textCursor(victim.doc, 5))
		await sendAndSettle(attacker, awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(own, [own.clientID])))
		await eventually(() => stateOf(observer, own.clientID) !== undefined, 'the attacker’s own presence to show')
		expect((stateOf(observer, own.clientID)!.user as { name: string }).name).toBe('Jonas Berg')

		await sendAndSettle(attacker, awarenessMessage(forgedAwareness(victim.doc.clientID, { cursor: textCursor(victim.doc, 9) }, 1000)))
		expect(stateOf(observer, victim.doc.clientID)).toEqual(victimState(victim))
		await sendAndSettle(attacker, awarenessMessage(forgedAwareness(victim.doc.clientID, null, 2000)))
		expect(stateOf(observer, victim.doc.clientID)).toEqual(victimState(victim))
		own.destroy()
	})

	test('as a removal cannot make the victim disappear', async () => {
		const { victim, observer, attacker } = await victimWithObserver()
		await sendAndSettle(attacker, awarenessMessage(forgedAwareness(victim.doc.clientID, null, 1000)))
		expect(stateOf(observer, victim.doc.clientID)).toEqual(victimState(victim))
		// The victim's next move still shows.
		victim.provider.awareness.setLocalStateField('cursor', textCursor(victim.doc, 4))
		await eventually(() => cursorHead(observer.doc, stateOf(observer, victim.doc.clientID)) === 4, 'the victim’s move')
	})

	test('while the victim reconnects cannot take over the victim’s presence', async () => {
		// The victim's connection drops (a train tunnel); its client id is
		// still the same when it comes back. Someone who saw that id must not
		// be able to claim it in between and speak for the victim afterwards.
		const { victim, observer, attacker } = await victimWithObserver()
		victim.provider.disconnect()
		await eventually(() => stateOf(observer, victim.doc.clientID) === undefined, 'the victim to drop out')
		await sendAndSettle(attacker, awarenessMessage(forgedAwareness(victim.doc.clientID, { cursor: textCursor(victim.doc, 9) }, 1000)))
		victim.provider.connect()
		await eventually(() => victim.provider.synced, 'the victim to reconnect')
		victim.provider.awareness.setLocalStateField('cursor', textCursor(victim.doc, 6))
		await eventually(
			() => cursorHead(observer.doc, stateOf(observer, victim.doc.clientID)) === 6,
			'the victim’s own presence to show again',
			2000,
		).catch(() => {})
		expect(stateOf(observer, victim.doc.clientID)).toEqual({
			user: { id: owner.id, name: owner.name, color: owner.color },
			cursor: JSON.parse(JSON.stringify(textCursor(victim.doc, 6))),
		})
	})
})

describe('a malformed awareness state from a reader', () => {
	// Attack: a reader publishes a cursor that is not a pair of relative
	// positions; every peer's yCursorPlugin would throw decoding it, and their
	// editors would not open. The server forwards no such state.
	const malformed: [string, Record<string, unknown>][] = [
		['ProseMirror positions as numbers', { cursor: { anchor: 12, head: 17 } }],
		['a string', { cursor: 'here' }],
		['no head', { cursor: { anchor: { type: null, tname: 'prosemirror', item: null, assoc: 0 } } }],
		['an id of strings', { cursor: { anchor: { item: { client: 'a', clock: 'b' } }, head: { item: { client: 'a', clock: 'b' } } } }],
		['a user that is a string', { user: 'Mallory', cursor: null }],
		['a field the editor never publishes', { cursor: null, html: '<img src=x onerror=alert(1)>' }],
	]

	test('is never forwarded; the socket stays open and its next good state is', async () => {
		const observer = open(reviewerCookie)
		await eventually(() => observer.provider.synced, 'the observer to sync')
		const attacker = rawSocket(app.url, seminarDocumentId, { cookie: readerCookie })
		sockets.push(attacker)
		await attacker.opened
		const own = new awarenessProtocol.Awareness(new Y.Doc())
		const seen: unknown[] = []
		observer.provider.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
			if ([...added, ...updated].includes(own.clientID)) seen.push(observer.provider.awareness.getStates().get(own.clientID))
		})
		for (const [, state] of malformed) {
			own.setLocalState(state)
			await sendAndSettle(attacker, awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(own, [own.clientID])))
		}
		expect(seen).toEqual([])
		expect(app.collab.rooms.get(seminarDocumentId)!.awareness.getStates().has(own.clientID)).toBe(false)
		// The same socket's next well-formed state goes out as usual, so the check above could have failed.
		own.setLocalState({ cursor: textCursor(observer.doc, 7) })
		attacker.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(own, [own.clientID])))
		await eventually(() => cursorHead(observer.doc, stateOf(observer, own.clientID)) === 7, 'the good state to arrive')
		expect(seen).toHaveLength(1)
		// And the document still syncs for everyone.
		const writer = open(ownerCookie)
		await eventually(() => writer.provider.synced, 'a writer to sync')
		typeInto(writer.doc, 0, 0, 'Still editable. ')
		await eventually(() => blockTexts(observer.doc)[0]!.startsWith('Still editable. '), 'the edit to reach the observer')
		own.destroy()
	})

	test('with a cursor into text the server does not have goes out without the cursor', async () => {
		const observer = open(reviewerCookie)
		await eventually(() => observer.provider.synced, 'the observer to sync')
		const attacker = rawSocket(app.url, seminarDocumentId, { cookie: readerCookie })
		sockets.push(attacker)
		await attacker.opened
		const elsewhere = new Y.Doc()
		const own = new awarenessProtocol.Awareness(elsewhere)
		const text = new Y.XmlText('never sent')
		elsewhere.getXmlFragment('prosemirror').insert(0, [text])
		const position = Y.createRelativePositionFromTypeIndex(text, 3)
		own.setLocalState({ cursor: { anchor: position, head: position } })
		attacker.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(own, [own.clientID])))
		await eventually(() => stateOf(observer, own.clientID) !== undefined, 'the reader’s presence to show')
		expect(stateOf(observer, own.clientID)!.cursor).toBeNull()
		own.destroy()
		elsewhere.destroy()
	})
})

describe('many cursors moving at once', () => {
	test('cost each client a few frames per flush window, not one per move', async () => {
		const n = 20
		const moves = 10
		const room = Array.from({ length: n }, (_, i) => open([ownerCookie, reviewerCookie, readerCookie][i % 3]!))
		await eventually(
			() => room.every((c) => c.provider.synced && c.provider.awareness.getStates().size === n),
			'everyone to see everyone',
			10_000,
		)
		await sleep(awarenessFlushMs * 3)
		const frames = room.map(() => 0)
		room.forEach((client, i) => {
			const handle = client.provider.messageHandlers[messageAwareness]!
			client.provider.messageHandlers[messageAwareness] = (...args) => {
				frames[i]!++
				handle(...args)
			}
		})

		const started = performance.now()
		for (let move = 1; move <= moves; move++) {
			for (const client of room) client.provider.awareness.setLocalStateField('cursor', textCursor(client.doc, move))
			await sleep(5)
		}
		await eventually(
			() =>
				room.every((observer) =>
					room.every((c) => cursorHead(observer.doc, stateOf(observer, c.doc.clientID)) === moves),
				),
			'every client to see every final cursor',
			10_000,
		)
		const elapsed = performance.now() - started
		await sleep(awarenessFlushMs * 3)

		const allowed = Math.ceil(elapsed / awarenessFlushMs) + 3
		expect(Math.max(...frames), `frames per client (${frames.join(', ')}) in ${Math.round(elapsed)} ms`).toBeLessThanOrEqual(allowed)
		expect(Math.max(...frames)).toBeLessThan((n * moves) / 4)
		expect(Math.min(...frames)).toBeGreaterThan(0)
	})
})
