import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import type { DocumentLimits } from '#app/editor/document-check.ts'
import type { StoredDocumentState } from '#db/queries/document-state.ts'
import { checkAwarenessState } from './awareness-check.ts'
import { RefusedEdits } from './refused-edits.ts'
import { Connection, framed } from './connection.ts'
import {
	closeCodes,
	messageAccess,
	messageAnnotations,
	messageAuth,
	messageAwareness,
	messageQueryAwareness,
	messageSaved,
	messageSync,
} from './protocol.ts'
import type { UpdateLog } from './update-log.ts'
import { UpdateCheck } from './update-check.ts'

/** Transaction origins, so observers can tell where a change came from (and avoid echo loops). */
export const loadOrigin = Symbol('load from database')
export const remoteOrigin = Symbol('another server process')
/** A change the server makes itself (a repair), sent to everyone like a client's edit. */
export const serverOrigin = Symbol('the server')

export interface RoomOptions {
	/** Window in which awareness changes are gathered into one frame per client. */
	awarenessFlushMs: number
	/**
	 * Frames per second a room may send out for its edits, over all its clients.
	 * While forwarding each edit at once stays under it, it is; past it, the edits
	 * of a short interval go to each client as one merged update, the interval
	 * chosen so that the room stays under it.
	 */
	fanoutFramesPerSecond: number
	/** What a client's update may not take the document past (app/editor/document-check.ts). */
	documentLimits?: DocumentLimits
}

export interface RoomHooks {
	log: UpdateLog
	/**
	 * Writes an update to the local journal; true once it is there, so that the
	 * update may be forwarded before its database commit. Absent, or false,
	 * and updates are forwarded only once committed.
	 */
	journal?: (documentId: string, update: Uint8Array) => boolean
	/** Sends a change made here to the other server processes (Redis); absent when running alone. */
	publish?: (room: DocumentRoom, kind: 'update' | 'awareness', payload: Uint8Array) => void
	/** Called when the last local connection leaves. */
	onEmpty: (room: DocumentRoom) => void
	/** Called after a change made through a socket of this process (not loads, not relays). */
	onLocalChange?: (room: DocumentRoom) => void
}

/**
 * One live document: its Y.Doc, its awareness, and the sockets editing it
 * in this process. Nothing is answered before the stored state has loaded;
 * every change a client makes is applied, written to the journal and forwarded
 * to the other clients, logged for group commit and, once committed,
 * acknowledged to those that asked.
 */
export class DocumentRoom {
	readonly doc = new Y.Doc()
	readonly awareness = new awarenessProtocol.Awareness(this.doc)
	readonly connections = new Set<Connection>()
	/** Updates logged since the last compaction (from the stored tail at load). */
	tailLength = 0
	loaded = false
	private readonly ready: Promise<void>
	private waiting: [Connection, Uint8Array][] = []
	private changedAwareness = new Set<number>()
	/** Which user each awareness client id belongs to. */
	private readonly awarenessOwners = new Map<number, string>()
	private awarenessTimer: NodeJS.Timeout | null = null
	/** What readers sent and the room refused, so that it is never applied later. */
	private readonly refusedEdits = new RefusedEdits()
	/** Update messages applied, not journaled and not yet committed, with the connection each came from. */
	private unsent: [Uint8Array, unknown][] = []
	/** Journaled updates waiting to go out together, with the connection each came from. */
	private outgoing: [Uint8Array, unknown][] = []
	private outgoingTimer: NodeJS.Timeout | null = null
	private lastSentAt = -Infinity
	private readonly updateRate = new RateMeter()
	/**
	 * The whole document as one update, kept while the document is unchanged:
	 * what every client opening it fresh is sent. A long document's state takes
	 * tens of ms to encode; a seminar opening it at once pays that once, and a
	 * document just loaded from its snapshot not at all.
	 */
	private wholeState: Uint8Array | null = null
	destroyed = false
	/** Whether a client's update keeps the document within its schema; asked before it is applied. */
	private readonly updateCheck: UpdateCheck

	constructor(
		readonly documentId: string,
		load: () => Promise<StoredDocumentState>,
		private readonly options: RoomOptions,
		private readonly hooks: RoomHooks,
	) {
		// The server takes part in no document: it has no presence of its own.
		this.awareness.setLocalState(null)
		this.updateCheck = new UpdateCheck(this.doc, options.documentLimits)
		this.doc.on('update', this.onDocumentUpdate)
		this.awareness.on('update', this.onAwarenessUpdate)
		this.ready = load().then((state) => {
			this.tailLength = state.tailLength
			// One stored update (the snapshot, after compaction) is the whole document already:
			// clients that opened it with nothing get it before the server applies it, so that
			// their decoding and the server's run side by side rather than one after the other.
			const whole = state.updates.length === 1 ? state.updates[0]! : null
			// The server's own step 1 still comes first, as y-websocket servers send it: its
			// state vector read off the stored update, which costs far less than applying it.
			const answered = new Set<Connection>()
			if (whole && this.waiting.some(([, data]) => isFreshSyncRequest(data))) {
				const step1 = syncStep1Message(Y.encodeStateVectorFromUpdate(whole))
				this.waiting = this.waiting.filter(([connection, data]) => {
					if (!isFreshSyncRequest(data)) return true
					if (!answered.has(connection)) connection.send(step1)
					answered.add(connection)
					connection.send(syncStep2Message(whole))
					return false
				})
			}
			Y.transact(
				this.doc,
				() => {
					for (const update of state.updates) Y.applyUpdate(this.doc, update)
				},
				loadOrigin,
			)
			this.wholeState = whole
			this.loaded = true
			const waiting = this.waiting
			this.waiting = []
			for (const connection of this.connections) this.greet(connection, !answered.has(connection))
			for (const [connection, data] of waiting) this.receive(connection, data)
		})
	}

	/** Resolves once the stored state is in memory; rejects if it could not be read. */
	whenLoaded(): Promise<void> {
		return this.ready
	}

	add(connection: Connection) {
		this.connections.add(connection)
		if (this.loaded) this.greet(connection)
	}

	remove(connection: Connection) {
		if (!this.connections.delete(connection)) return
		if (connection.awarenessClientId !== null && this.awareness.states.has(connection.awarenessClientId)) {
			awarenessProtocol.removeAwarenessStates(this.awareness, [connection.awarenessClientId], connection)
		}
		if (this.connections.size === 0) this.hooks.onEmpty(this)
	}

	/** Handles one frame from a client. Malformed input closes that socket only. */
	receive(connection: Connection, data: Uint8Array) {
		if (connection.closed) return
		if (!connection.limiter.take()) {
			connection.close(closeCodes.tooManyMessages, 'Too many messages: slow down and reconnect.')
			return
		}
		if (!this.loaded) {
			// The server answers no sync before the document has loaded.
			this.waiting.push([connection, data])
			return
		}
		try {
			this.dispatch(connection, data)
		} catch (error) {
			const detail = error instanceof Error ? error.message : String(error)
			connection.close(closeCodes.badMessage, `Malformed message: ${detail}`)
		}
	}

	/**
	 * A reader on this socket may now write. What they changed while they could
	 * not was refused and stays refused (issue 12, attack 10): the server never
	 * asks for it. A client holding such changes cannot write anything more from
	 * that Y.Doc (see RefusedEdits), so it is told to start over; a client that
	 * changed nothing simply goes on, its next edits applied as anyone's.
	 */
	startWriting(connection: Connection) {
		if (connection.hasRefusedEdits || this.refusedEdits.isRefused(connection.awarenessClientId, connection.user.id)) {
			connection.close(closeCodes.refusedEdits, startOverReason)
		}
	}

	/** Tells one client whether it may write (Scholion extension). */
	sendAccess(connection: Connection) {
		if (!connection.wantsExtensions) return
		const encoder = encoding.createEncoder()
		encoding.writeVarUint(encoder, messageAccess)
		encoding.writeVarUint(encoder, connection.readOnly ? 1 : 0)
		connection.send(encoding.toUint8Array(encoder))
	}

	/** Sends a JSON payload of message type 102 to one client that asked for extensions. */
	sendAnnotationEvent(connection: Connection, event: unknown) {
		if (!connection.wantsExtensions) return
		const encoder = encoding.createEncoder()
		encoding.writeVarUint(encoder, messageAnnotations)
		encoding.writeVarString(encoder, JSON.stringify(event))
		connection.send(encoding.toUint8Array(encoder))
	}

	/** Applies a change relayed from another server process. */
	applyRemote(kind: 'update' | 'awareness', payload: Uint8Array) {
		if (kind === 'update') Y.applyUpdate(this.doc, payload, remoteOrigin)
		else awarenessProtocol.applyAwarenessUpdate(this.awareness, payload, remoteOrigin)
	}

	/**
	 * Applies changes the server makes itself, each in its own transaction:
	 * journaled, stored and forwarded to every client here like an edit, and
	 * published to the other processes.
	 */
	applyServerChanges(changes: readonly (() => void)[]) {
		for (const change of changes) {
			let update: Uint8Array | null = null
			const capture = (u: Uint8Array, origin: unknown) => {
				if (origin === serverOrigin) update = u
			}
			this.doc.on('update', capture)
			try {
				Y.transact(this.doc, change, serverOrigin)
			} finally {
				this.doc.off('update', capture)
			}
			if (update) this.hooks.publish?.(this, 'update', update)
		}
		this.hooks.onLocalChange?.(this)
	}

	/** The local connections' awareness states, for a process that just loaded this document. */
	localAwareness(): Uint8Array | null {
		const ids = [...this.connections]
			.map((c) => c.awarenessClientId)
			.filter((id): id is number => id !== null && this.awareness.meta.has(id))
		return ids.length > 0 ? awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids) : null
	}

	destroy() {
		if (this.destroyed) return
		this.destroyed = true
		if (this.awarenessTimer) clearTimeout(this.awarenessTimer)
		if (this.outgoingTimer) clearTimeout(this.outgoingTimer)
		this.doc.off('update', this.onDocumentUpdate)
		this.updateCheck.destroy()
		this.awareness.off('update', this.onAwarenessUpdate)
		this.awareness.destroy()
		this.doc.destroy()
	}

	/** The server's opening messages to a client: sync step 1 (unless already sent), awareness, access, "saved". */
	private greet(connection: Connection, withSyncStep1 = true) {
		if (withSyncStep1) connection.send(syncStep1Message(Y.encodeStateVector(this.doc)))
		const states = this.awareness.getStates()
		if (states.size > 0) {
			connection.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()])))
		}
		this.sendAccess(connection)
		// A client back from a restart or an outage learns at once what is already stored.
		if (connection.wantsExtensions && this.hooks.log.isSettled(this.documentId)) {
			connection.send(savedMessage(Y.encodeStateVector(this.doc)))
		}
	}

	private dispatch(connection: Connection, data: Uint8Array) {
		const decoder = decoding.createDecoder(data)
		const type = decoding.readVarUint(decoder)
		switch (type) {
			case messageSync: {
				const step = decoding.readVarUint(decoder)
				if (step === syncProtocol.messageYjsSyncStep1) {
					const stateVector = decoding.readVarUint8Array(decoder)
					connection.send(
						syncStep2Message(
							isEmptyStateVector(stateVector)
								? (this.wholeState ??= Y.encodeStateAsUpdate(this.doc))
								: Y.encodeStateAsUpdate(this.doc, stateVector),
						),
					)
				} else if (step === syncProtocol.messageYjsSyncStep2 || step === syncProtocol.messageYjsUpdate) {
					const update = decoding.readVarUint8Array(decoder)
					// A reader's changes are dropped: never applied, stored or broadcast; nor, later, what builds on them.
					if (this.refuses(connection, update)) return
					// Decode the whole update first: applyUpdate integrates new text before it reads
					// the delete set, so a truncated update would otherwise be half applied, and
					// broadcast and stored, before it throws.
					const decoded = Y.decodeUpdate(update)
					// Nor may it leave a document that the schema refuses: such an update is never
					// applied, so nothing journals, stores or forwards it.
					const problem = this.updateCheck.problem(update, decoded)
					if (problem !== null) {
						connection.close(closeCodes.breaksSchema, `Update refused: ${problem}`)
						return
					}
					Y.applyUpdate(this.doc, update, connection)
				} else {
					throw new Error(`unknown sync step ${step}`)
				}
				return
			}
			case messageAwareness:
				this.receiveAwareness(connection, decoding.readVarUint8Array(decoder))
				return
			case messageQueryAwareness:
				connection.send(
					awarenessMessage(
						awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
					),
				)
				return
			case messageAuth:
				// Permissions are decided at the upgrade; a client has nothing to say here.
				return
			default:
				throw new Error(`unknown message type ${type}`)
		}
	}

	/**
	 * Awareness from a client, checked and rewritten: a connection speaks only
	 * for its own client id (bound by its first awareness message, and not one
	 * another socket holds), its state passes checkAwarenessState (fields,
	 * sizes, a cursor inside this document), and its `user` field is replaced
	 * by the server-verified name and colour.
	 */
	private receiveAwareness(connection: Connection, update: Uint8Array) {
		const decoder = decoding.createDecoder(update)
		const count = decoding.readVarUint(decoder)
		const accepted: [number, number, unknown][] = []
		for (let i = 0; i < count; i++) {
			const clientId = decoding.readVarUint(decoder)
			const clock = decoding.readVarUint(decoder)
			const json = decoding.readVarString(decoder)
			if (connection.awarenessClientId === null) {
				// An id once used by someone stays theirs while the document is loaded, so a
				// dropped connection's id cannot be picked up by another account.
				const owner = this.awarenessOwners.get(clientId)
				if (clientId === this.doc.clientID || (owner !== undefined && owner !== connection.user.id)) continue
				// The same person reconnecting while their old socket lingers: the new socket takes
				// the id over, and the old one's close no longer removes their presence.
				for (const other of this.connections) {
					if (other !== connection && other.awarenessClientId === clientId) other.awarenessClientId = null
				}
				connection.awarenessClientId = clientId
				this.awarenessOwners.set(clientId, connection.user.id)
			}
			if (clientId !== connection.awarenessClientId) continue
			// A state that fails the check is not forwarded, and the socket stays open: the
			// others keep the sender's last good state, and a stock client is not cut off
			// for good (y-websocket stops reconnecting on 4400) over a field it merely got wrong.
			const checked = checkAwarenessState(json, this.doc)
			if (!checked.ok) continue
			accepted.push([clientId, clock, checked.state && { ...checked.state, user: { ...connection.presence } }])
		}
		if (accepted.length === 0) return
		const encoder = encoding.createEncoder()
		encoding.writeVarUint(encoder, accepted.length)
		for (const [clientId, clock, state] of accepted) {
			encoding.writeVarUint(encoder, clientId)
			encoding.writeVarUint(encoder, clock)
			encoding.writeVarString(encoder, JSON.stringify(state))
		}
		awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), connection)
	}

	/**
	 * Publishes the connection's presence again under its current `presence`
	 * (after the group's identity mode changed), as a newer state of its
	 * client: everyone, the client itself and other processes take it.
	 */
	restampPresence(connection: Connection) {
		const clientId = connection.awarenessClientId
		if (clientId === null) return
		const state = this.awareness.states.get(clientId)
		const meta = this.awareness.meta.get(clientId)
		if (!state || !meta) return
		const encoder = encoding.createEncoder()
		encoding.writeVarUint(encoder, 1)
		encoding.writeVarUint(encoder, clientId)
		encoding.writeVarUint(encoder, meta.clock + 1)
		encoding.writeVarString(encoder, JSON.stringify({ ...state, user: { ...connection.presence } }))
		awarenessProtocol.applyAwarenessUpdate(this.awareness, encoding.toUint8Array(encoder), connection)
	}

	/**
	 * Whether an update is refused: any from a reader (remembered, so that it
	 * stays refused), and any from a writer's client that had changes refused
	 * before, which closes that socket with 4409.
	 */
	private refuses(connection: Connection, update: Uint8Array): boolean {
		const sender = { userId: connection.user.id, awarenessClientId: connection.awarenessClientId }
		if (connection.readOnly) {
			if (this.refusedEdits.refuse(update, this.doc, sender)) connection.hasRefusedEdits = true
			return true
		}
		if (!connection.hasRefusedEdits && !this.refusedEdits.buildsOnRefused(update, sender)) return false
		connection.close(closeCodes.refusedEdits, startOverReason)
		return true
	}

	private onDocumentUpdate = (update: Uint8Array, origin: unknown) => {
		this.wholeState = null
		if (origin === loadOrigin) return
		// A peer never sees an edit that the death of this process could take
		// away (if its author is gone too): it is in the journal first, or, with
		// no journal to write to, it waits for its commit.
		if (this.hooks.journal?.(this.documentId, update)) this.sendOut(update, origin)
		else this.unsent.push([updateMessage(update), origin])
		// Every process logs what it applies, including changes relayed from
		// others: if the process a client wrote to dies before its commit, the
		// edit is still stored by any process that saw it (rows are idempotent).
		this.tailLength++
		this.hooks.log.append(this.documentId, update, () => {
			// Cut with the batch: everything applied so far is in it or in an earlier one.
			const stateVector = Y.encodeStateVector(this.doc)
			const committed = this.unsent
			this.unsent = []
			return () => {
				if (committed.length > 0) this.forward(committed)
				this.acknowledge(stateVector)
			}
		})
		if (origin instanceof Connection) {
			this.hooks.publish?.(this, 'update', update)
			this.hooks.onLocalChange?.(this)
		}
	}

	private onAwarenessUpdate = (
		changes: { added: number[]; updated: number[]; removed: number[] },
		origin: unknown,
	) => {
		const ids = [...changes.added, ...changes.updated, ...changes.removed]
		for (const id of ids) this.changedAwareness.add(id)
		// Coalesce: however many clients move their cursors within the window,
		// each socket gets one frame, so N clients cost N frames, not N².
		this.awarenessTimer ??= setTimeout(this.flushAwareness, this.options.awarenessFlushMs)
		if (origin instanceof Connection && this.hooks.publish) {
			this.hooks.publish(this, 'awareness', awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids))
		}
	}

	private flushAwareness = () => {
		this.awarenessTimer = null
		if (this.destroyed || this.changedAwareness.size === 0) return
		const ids = [...this.changedAwareness]
		this.changedAwareness.clear()
		const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids))
		for (const connection of this.connections) connection.send(message)
	}

	/** Forwards a journaled update now, or with the others of its interval when the room is busy (see fanoutFramesPerSecond). */
	private sendOut(update: Uint8Array, origin: unknown) {
		const now = performance.now()
		this.updateRate.record(now)
		this.outgoing.push([update, origin])
		if (this.outgoingTimer) return
		const wait = this.lastSentAt + this.fanoutIntervalMs() - now
		if (wait <= 0) this.flushOutgoing()
		else this.outgoingTimer = setTimeout(this.flushOutgoing, wait)
	}

	/**
	 * 0 while sending every update at once keeps the room under its frame
	 * budget; else the shortest gap between two frames to one client that does.
	 * A big room's clients then each get a few larger frames a second instead
	 * of every keystroke, and the server's cost stays bounded by the budget.
	 */
	private fanoutIntervalMs(): number {
		const peers = this.connections.size - 1
		const budget = this.options.fanoutFramesPerSecond
		if (peers <= 0 || this.updateRate.perSecond * peers <= budget) return 0
		return (peers * 1000) / budget
	}

	private flushOutgoing = () => {
		this.outgoingTimer = null
		this.lastSentAt = performance.now()
		const batch = this.outgoing
		this.outgoing = []
		if (this.destroyed || batch.length === 0) return
		if (batch.length === 1) {
			this.forward([[updateMessage(batch[0]![0]), batch[0]![1]]])
			return
		}
		// One update for the whole interval. Its authors get it too unless there is
		// only one (Yjs skips what a client already has), which saves a merge per author.
		// Y.mergeUpdates loops forever on some crafted input (yjs#687), but never sees any
		// here: these are the updates this Y.Doc encoded itself from what it integrated.
		const merged = framed(updateMessage(Y.mergeUpdates(batch.map(([update]) => update))))
		const origins = new Set(batch.map(([, origin]) => origin))
		const author = origins.size === 1 ? batch[0]![1] : undefined
		for (const connection of this.connections) if (connection !== author) connection.sendFramed(merged)
	}

	/** Sends updates to every connection but their author's. */
	private forward(updates: [Uint8Array, unknown][]) {
		if (this.destroyed) return
		const messages = updates.map(([message, origin]) => [framed(message), origin] as const)
		for (const connection of this.connections) {
			for (const [message, origin] of messages) if (connection !== origin) connection.sendFramed(message)
		}
	}

	/** "Everything up to this state vector is stored", to the clients that asked. */
	private acknowledge(stateVector: Uint8Array) {
		if (this.destroyed) return
		const message = savedMessage(stateVector)
		for (const connection of this.connections) if (connection.wantsExtensions) connection.send(message)
	}
}

/** Events per second, decaying over about a second: cheap enough to run on every update. */
class RateMeter {
	private value = 0
	private at = 0

	record(now: number) {
		this.value = this.value * Math.exp((this.at - now) / rateWindowMs) + 1000 / rateWindowMs
		this.at = now
	}

	get perSecond(): number {
		return this.value * Math.exp((this.at - performance.now()) / rateWindowMs)
	}
}

const rateWindowMs = 1000

const startOverReason = 'Changes made while you could not edit were refused. Reload the document to edit it.'

/** A state vector of no entries, one byte: the client has nothing yet. */
function isEmptyStateVector(stateVector: Uint8Array): boolean {
	return stateVector.length === 1 && stateVector[0] === 0
}

/** Whether a frame is sync step 1 from a client that has nothing yet. */
function isFreshSyncRequest(data: Uint8Array): boolean {
	try {
		const decoder = decoding.createDecoder(data)
		return (
			decoding.readVarUint(decoder) === messageSync &&
			decoding.readVarUint(decoder) === syncProtocol.messageYjsSyncStep1 &&
			isEmptyStateVector(decoding.readVarUint8Array(decoder))
		)
	} catch {
		// Malformed: left for dispatch, which closes the socket with the reason.
		return false
	}
}

/** A sync message: step 1 with a state vector, step 2 (the answer to a step 1) or a plain update with an update. */
function syncMessage(step: number, payload: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageSync)
	encoding.writeVarUint(encoder, step)
	encoding.writeVarUint8Array(encoder, payload)
	return encoding.toUint8Array(encoder)
}

const syncStep1Message = (stateVector: Uint8Array) => syncMessage(syncProtocol.messageYjsSyncStep1, stateVector)

const syncStep2Message = (update: Uint8Array) => syncMessage(syncProtocol.messageYjsSyncStep2, update)
const updateMessage = (update: Uint8Array) => syncMessage(syncProtocol.messageYjsUpdate, update)

function savedMessage(stateVector: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageSaved)
	encoding.writeVarUint8Array(encoder, stateVector)
	return encoding.toUint8Array(encoder)
}

function awarenessMessage(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder()
	encoding.writeVarUint(encoder, messageAwareness)
	encoding.writeVarUint8Array(encoder, update)
	return encoding.toUint8Array(encoder)
}
