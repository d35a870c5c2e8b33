import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ServerBuild } from '@remix-run/node'
import { format } from 'node:util'
import { count, eq, max } from 'drizzle-orm'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { vi } from 'vitest'
import WebSocket from 'ws'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { DatabaseHandle, Database } from '#db/client.ts'
import { loadDocumentState } from '#db/queries/document-state.ts'
import { documentUpdates, users } from '#db/schema/index.ts'
import { documentFragmentName, yDocToDocument } from '#app/editor/yjs.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import type { CollabServer } from '#server/collab/collab-server.ts'
import { messageAccess, messageAwareness, messageQueryAwareness, messageSaved, messageSync } from '#server/collab/protocol.ts'
import { startScholionServer, type ScholionServer, type ScholionServerOptions } from '#server/http.ts'
import { collabClient, type CollabClient } from './collab-client.ts'
import { createTestDatabase } from './database.ts'
import { FormClient } from './http-client.ts'

/**
 * What the collaboration tests share: the real server with its CollabServer
 * in reach (so a test can see which documents are live), demo logins,
 * stock y-websocket clients that also read Scholion's "saved" and "access"
 * messages, raw sockets for input no stock client would send, and the
 * stored document as a fresh load from the database would see it.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const serverBuild = path.join(root, 'build/server/index.js')

/** The seminar's first demo text: every demo account is a member, in its own role. */
export const seminarDocumentId = demoDocuments[0].id
export const seminarGroupId = demoGroups.seminar.id
/** The editorial board's manuscript (the same demo accounts are members there too). */
export const boardDocumentId = demoDocuments[2].id

export const demoEmails = {
	owner: 'owner@scholion.test',
	moderator: 'moderator@scholion.test',
	reviewer: 'reviewer@scholion.test',
	reader: 'reader@scholion.test',
} as const

export interface CollabApp {
	url: string
	origin: string
	database: DatabaseHandle
	server: ScholionServer
	collab: CollabServer
	close(): Promise<void>
}

/**
 * The real app (production build, port 0) with the demo seeded, like
 * startTestApp but handing back the server itself. `database` may be shared
 * between several servers (the Redis tests); it is closed with the server
 * only when this call created it.
 */
export async function startCollabApp(
	options: Partial<ScholionServerOptions> & { seed?: boolean } = {},
): Promise<CollabApp> {
	if (!existsSync(serverBuild)) {
		throw new Error('No production build: run `npm run build` (npm test does it for you).')
	}
	const build = (await import(serverBuild)) as ServerBuild
	const ownsDatabase = !options.database
	const database = options.database ?? (await createTestDatabase())
	if (options.seed ?? ownsDatabase) await seedDemo(database.db)
	const server = await startScholionServer({
		build,
		clientAssetsDir: path.join(root, 'build/client'),
		production: true,
		...options,
		database,
	})
	return {
		url: server.url,
		origin: server.url,
		database,
		server,
		collab: server.collab,
		async close() {
			await server.close()
			if (ownsDatabase) await database.close()
		},
	}
}

/** Logs a demo account in through the real form; the client holds the session cookie. */
export async function logIn(baseUrl: string, email: string, password = demoPassword): Promise<FormClient> {
	const client = new FormClient(baseUrl)
	const response = await client.post('/login', { email, password })
	if (response.status !== 302) throw new Error(`login of ${email} failed with ${response.status}`)
	return client
}

/** The name and colour an account has in the database: what others must see as its presence. */
export async function accountIdentity(db: Database, email: string): Promise<{ id: string; name: string; color: string }> {
	const [user] = await db.select({ id: users.id, name: users.name, color: users.color }).from(users).where(eq(users.email, email))
	if (!user) throw new Error(`no account ${email}`)
	return user
}

export interface ScholionClient extends CollabClient {
	/** The latest "saved" state vector received (message 100), or null. */
	saved: Map<number, number> | null
	/** Every access message received (message 101): 1 read-only, 0 may write. */
	access: number[]
	/** Whether the server has said it stored everything this client wrote. */
	isSaved(): boolean
	isSynced(): boolean
}

/**
 * A stock WebsocketProvider that asks for Scholion's extensions
 * (`scholion=1`) and reads them with two extra message handlers, as the
 * app's editor does. Without the handlers the stock provider would log
 * "Unable to compute message" for them.
 */
export function scholionClient(
	baseUrl: string,
	documentId: string,
	options: { cookie?: string; origin?: string; params?: Record<string, string>; doc?: Y.Doc } = {},
): ScholionClient {
	const client = collabClient(baseUrl, documentId, { ...options, params: { ...options.params, scholion: '1' } })
	const result: ScholionClient = {
		...client,
		saved: null,
		access: [],
		isSaved() {
			const own = client.doc.clientID
			return (result.saved?.get(own) ?? 0) >= Y.getState(client.doc.store, own)
		},
		isSynced() {
			return client.provider.synced
		},
	}
	client.provider.messageHandlers[messageSaved] = (_encoder, decoder) => {
		result.saved = Y.decodeStateVector(decoding.readVarUint8Array(decoder))
	}
	client.provider.messageHandlers[messageAccess] = (_encoder, decoder) => {
		result.access.push(decoding.readVarUint(decoder))
	}
	return result
}

/** Waits until `test` holds (it may be async), polling; throws with `what` after `timeoutMs`. */
export async function eventually(
	test: () => boolean | Promise<boolean>,
	what: string,
	timeoutMs = 5000,
	intervalMs = 10,
): Promise<void> {
	const start = Date.now()
	while (!(await test())) {
		if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
		await sleep(intervalMs)
	}
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** mulberry32: a tiny seeded PRNG, so that a failing randomized run can be replayed. */
export function mulberry32(seed: number): () => number {
	let state = seed
	return () => {
		state = (state + 0x6d2b79f5) | 0
		let t = Math.imul(state ^ (state >>> 15), 1 | state)
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/**
 * Records what the in-process server logs with console.error (still
 * printing it): the server logs only what went wrong, so a test that
 * expects nothing to go wrong checks that `take()` is empty.
 */
export function recordConsoleErrors(): { take(): string[] } {
	const logged: string[] = []
	const original = console.error.bind(console)
	vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
		logged.push(format(...args))
		original(...args)
	})
	return { take: () => logged.splice(0) }
}

// ——— The document as a reader sees it ———

/** The text of each block (heading, paragraph, ...) of a Yjs document, in order. */
export function blockTexts(doc: Y.Doc): string[] {
	const texts: string[] = []
	yDocToDocument(doc).forEach((node) => texts.push(node.textContent))
	return texts
}

/** The document as ProseMirror JSON: equal JSON means a reader sees the same document. */
export function documentJson(doc: Y.Doc): unknown {
	return yDocToDocument(doc).toJSON()
}

/** Types `text` at `offset` into the block at `index`, as an editor's keystrokes would. */
export function typeInto(doc: Y.Doc, index: number, offset: number, text: string) {
	const block = doc.getXmlFragment(documentFragmentName).get(index)
	if (!(block instanceof Y.XmlElement)) throw new RangeError(`block ${index} is not an element`)
	doc.transact(() => {
		const first = block.get(0)
		const textNode = first instanceof Y.XmlText ? first : new Y.XmlText()
		if (textNode !== first) block.insert(0, [textNode])
		textNode.insert(Math.min(offset, textNode.length), text)
	}, 'test typing')
}

/** Appends a new paragraph holding `text`. */
export function appendParagraph(doc: Y.Doc, text: string) {
	const fragment = doc.getXmlFragment(documentFragmentName)
	doc.transact(() => {
		const paragraph = new Y.XmlElement('paragraph')
		paragraph.insert(0, [new Y.XmlText(text)])
		fragment.insert(fragment.length, [paragraph])
	}, 'test typing')
}

/** The text of the document's first block: where the presence tests put cursors. */
function firstText(doc: Y.Doc): Y.XmlText {
	const block = doc.getXmlFragment(documentFragmentName).get(0)
	const text = block instanceof Y.XmlElement ? block.get(0) : null
	if (!(text instanceof Y.XmlText)) throw new RangeError('the first block holds no text (has the client synced?)')
	return text
}

/** A selection from `anchor` to `head` in the first block's text, as y-prosemirror publishes one (relative positions). */
export function textCursor(doc: Y.Doc, anchor: number, head = anchor): { anchor: Y.RelativePosition; head: Y.RelativePosition } {
	const text = firstText(doc)
	return { anchor: Y.createRelativePositionFromTypeIndex(text, anchor), head: Y.createRelativePositionFromTypeIndex(text, head) }
}

/** Where the head of a published cursor is in `doc`, as an offset in the first block's text; undefined without one. */
export function cursorHead(doc: Y.Doc, state: Record<string, unknown> | undefined): number | undefined {
	const cursor = state?.cursor as { head?: unknown } | null | undefined
	if (!cursor?.head) return undefined
	const position = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(cursor.head), doc)
	return position?.type === firstText(doc) ? position.index : undefined
}

/** The document as a fresh load from the database builds it (snapshot, then the log). */
export async function storedDocument(db: Database, documentId: string): Promise<Y.Doc> {
	const state = await loadDocumentState(db, documentId)
	const doc = new Y.Doc()
	for (const update of state.updates) Y.applyUpdate(doc, update)
	return doc
}

/** How many rows document_updates holds for the document. */
export async function updateRowCount(db: Database, documentId: string): Promise<number> {
	const [row] = await db.select({ n: count() }).from(documentUpdates).where(eq(documentUpdates.documentId, documentId))
	return row?.n ?? 0
}

/** The id of the newest row in document_updates (any document), or 0. */
export async function lastUpdateRowId(db: Database): Promise<number> {
	const [row] = await db.select({ id: max(documentUpdates.id) }).from(documentUpdates)
	return Number(row?.id ?? 0)
}

// ——— Raw sockets, for what no stock client sends ———

export interface RawSocket {
	ws: WebSocket
	/** Every binary message received, in order. */
	messages: Uint8Array[]
	opened: Promise<void>
	/** Resolves with the close code and reason, whoever closed. */
	closed: Promise<{ code: number; reason: string }>
	send(data: Uint8Array | string): void
	/** Resolves with the first message (already received or still to come) that `test` accepts. */
	next(test: (message: Uint8Array) => boolean, what: string, timeoutMs?: number): Promise<Uint8Array>
	close(): void
}

/** A plain `ws` socket to /collab/:documentId with a browser's headers (cookie, Origin). */
export function rawSocket(
	baseUrl: string,
	documentId: string,
	options: { cookie?: string; origin?: string | null; params?: Record<string, string> } = {},
): RawSocket {
	const headers: Record<string, string> = {}
	const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin
	if (origin !== null) headers.Origin = origin
	if (options.cookie) headers.Cookie = options.cookie
	const query = new URLSearchParams(options.params ?? {}).toString()
	const url = `${baseUrl.replace(/^http/, 'ws')}/collab/${documentId}${query ? `?${query}` : ''}`
	const ws = new WebSocket(url, { headers })
	const messages: Uint8Array[] = []
	const listeners = new Set<() => void>()
	ws.on('message', (data, isBinary) => {
		if (!isBinary) return
		const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
		messages.push(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
		for (const listener of listeners) listener()
	})
	// A refused or broken socket reports an error before it closes; the close code is what tests read.
	ws.on('error', () => {})
	const opened = new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve())
		ws.once('close', (code) => reject(new Error(`socket closed with ${code} before it opened`)))
	})
	opened.catch(() => {})
	const closed = new Promise<{ code: number; reason: string }>((resolve) => {
		ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
	})
	return {
		ws,
		messages,
		opened,
		closed,
		send(data) {
			ws.send(data, { binary: typeof data !== 'string' })
		},
		next(test, what, timeoutMs = 5000) {
			return new Promise((resolve, reject) => {
				let seen = 0
				const check = () => {
					for (; seen < messages.length; seen++) {
						const message = messages[seen]!
						if (test(message)) {
							listeners.delete(check)
							clearTimeout(timer)
							resolve(message)
							return
						}
					}
				}
				const timer = setTimeout(() => {
					listeners.delete(check)
					reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
				}, timeoutMs)
				listeners.add(check)
				check()
			})
		},
		close() {
			ws.close()
		},
	}
}

/** Resolves with the close code, or rejects after `timeoutMs`: "closed within a second" is a claim with a bound. */
export function closedWithin(socket: RawSocket, timeoutMs: number): Promise<{ code: number; reason: string }> {
	return Promise.race([
		socket.closed,
		sleep(timeoutMs).then(() => {
			throw new Error(`the socket was still open after ${timeoutMs} ms`)
		}),
	])
}

// ——— Protocol messages ———

/** varUint 0, varUint 0, state vector: "this is what I have". */
export function syncStep1Message(doc: Y.Doc): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageSync)
	syncProtocol.writeSyncStep1(encoder, doc)
	return encoding.toUint8Array(encoder)
}

/** varUint 0, varUint 2, update: a change, as a provider sends one. */
export function syncUpdateMessage(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageSync)
	syncProtocol.writeUpdate(encoder, update)
	return encoding.toUint8Array(encoder)
}

export function awarenessMessage(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageAwareness)
	encoding.writeVarUint8Array(encoder, update)
	return encoding.toUint8Array(encoder)
}

export function queryAwarenessMessage(): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageQueryAwareness)
	return encoding.toUint8Array(encoder)
}

/** The message type and, for sync messages, the step (0 step 1, 1 step 2, 2 update). */
export function describeMessage(message: Uint8Array): { type: number; step?: number; payload: Uint8Array } {
	const decoder = decoding.createDecoder(message)
	const type = decoding.readVarUint(decoder)
	if (type === messageSync) {
		const step = decoding.readVarUint(decoder)
		return { type, step, payload: decoding.readVarUint8Array(decoder) }
	}
	if (type === messageAccess) {
		return { type, payload: Uint8Array.of(decoding.readVarUint(decoder)) }
	}
	if (type === messageAwareness || type === messageSaved) {
		return { type, payload: decoding.readVarUint8Array(decoder) }
	}
	return { type, payload: message.subarray(decoder.pos) }
}

export const isSyncStep2 = (message: Uint8Array) => {
	const { type, step } = describeMessage(message)
	return type === messageSync && step === syncProtocol.messageYjsSyncStep2
}

/** Opens a raw socket, says "I have nothing", and resolves with the document it is sent back. */
export async function fetchLiveDocument(
	baseUrl: string,
	documentId: string,
	cookie: string,
	timeoutMs = 5000,
): Promise<Y.Doc> {
	const socket = rawSocket(baseUrl, documentId, { cookie })
	try {
		await socket.opened
		socket.send(syncStep1Message(new Y.Doc()))
		const step2 = await socket.next(isSyncStep2, 'the sync step 2 answering an empty state vector', timeoutMs)
		const doc = new Y.Doc()
		Y.applyUpdate(doc, describeMessage(step2).payload)
		return doc
	} finally {
		socket.close()
	}
}
