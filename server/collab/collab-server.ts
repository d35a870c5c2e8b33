import { copyFileSync, existsSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import * as Y from 'yjs'
import type { Database } from '#db/client.ts'
import { isUuid } from '#db/ids.ts'
import { findSessionUser } from '#db/queries/accounts.ts'
import { compactDocumentLog, loadDocumentState, replayDocumentUpdates } from '#db/queries/document-state.ts'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { defaultDocumentLimits, type DocumentLimits } from '#app/editor/document-check.ts'
import { can, type Actor, type GroupKind } from '#app/policy/permissions.ts'
import { seesRealNames, type IdentityMode } from '#app/policy/identity.ts'
import { visibleTo, type AnnotationEvent, type AnnotationFactsEvent } from '#app/annotations/types.ts'
import type { Role } from '#app/policy/permissions.ts'
import { annotationFrame, showAnnotation } from '../identity/annotation-views.ts'
import { presenceIdentity } from '../identity/presence.ts'
import { isDamaged, type DocumentDamage } from '#app/editor/salvage.ts'
import { contentReplacementSteps, readYDoc } from '#app/editor/yjs.ts'
import { appOriginOf, crossOriginRefusal } from '../origin.ts'
import { hashToken, sessionTokenFrom } from '../session-cookie.ts'
import { Connection, type CollabUser, type PresenceUser } from './connection.ts'
import { closeCodes, extensionParam } from './protocol.ts'
import { UpdateJournal } from './journal.ts'
import type { RedisBridge } from './redis-bridge.ts'
import { DocumentRoom } from './room.ts'
import { UpdateLog } from './update-log.ts'

export interface CollabOptions {
	/** URL prefix of the endpoint; the document id follows it. Default `/collab`. */
	path: string
	/** Largest frame accepted, in bytes; a larger one closes the socket with 1009. Default 2 MiB. */
	maxFrameBytes: number
	/** Sustained messages per second per connection. Default 200. */
	messagesPerSecond: number
	/** Messages a connection may send at once before the rate applies. Default 400. */
	messageBurst: number
	/**
	 * Group-commit window for document updates, in ms; 0 writes at once and gathers
	 * what arrives while a write is in flight. Default 'auto': 0 without a journal,
	 * where updates reach the other clients only after their commit and the window
	 * is part of every edit's latency; 50 with one, where only "saved" waits for it
	 * and fewer, larger transactions leave more of the machine to everything else.
	 */
	groupCommitMs: number | 'auto'
	/** Fold the update log into the snapshot after this many updates, once the document is idle. Default 500. */
	compactAfterUpdates: number
	/**
	 * How long a document must go without updates before it is compacted, in ms. Compaction
	 * holds the event loop for tens of ms (the embedded database runs on the main thread),
	 * so it waits for a pause in typing; at ten times compactAfterUpdates it runs regardless,
	 * to bound load times. Default 1,000.
	 */
	compactWhenIdleMs: number
	/** Keep a document in memory this long after its last connection leaves, in ms. Default 10,000. */
	unloadAfterMs: number
	/** Awareness changes are coalesced into one frame per client per window, in ms. Default 50. */
	awarenessFlushMs: number
	/** A room's budget of outgoing edit frames per second, over all its clients (see RoomOptions). Default 12,000. */
	fanoutFramesPerSecond: number
	/** Ping interval; a socket that misses a pong is dropped. Default 30,000 ms. */
	pingIntervalMs: number
	/** What a client's update may not take a document past: depth, nodes, characters. Default defaultDocumentLimits. */
	documentLimits: DocumentLimits
	/** The configured public origin, if any (else the Host header decides). */
	publicOrigin?: string
}

export const defaultCollabOptions: CollabOptions = {
	path: '/collab',
	maxFrameBytes: 2 * 1024 * 1024,
	messagesPerSecond: 200,
	messageBurst: 400,
	groupCommitMs: 'auto',
	compactAfterUpdates: 500,
	compactWhenIdleMs: 1000,
	unloadAfterMs: 10_000,
	awarenessFlushMs: 50,
	fanoutFramesPerSecond: 12_000,
	pingIntervalMs: 30_000,
	documentLimits: defaultDocumentLimits,
}

/** The group-commit window with a journal ('auto'), in ms. */
const journaledGroupCommitMs = 50

/** What the rest of the app tells the collaboration server when access changes. */
export interface AccessNotifier {
	/** A member's role changed or they left or were removed: re-check their open sockets. */
	accessChanged(groupId: string, userId: string): void
	/** A session ended (log-out): close its sockets. */
	sessionEnded(tokenHash: string): void
	/** A group's identity mode changed: re-publish presence under the new rule and have open editors reload annotations. */
	identityModeChanged(groupId: string): void
}

type Admission =
	| {
			ok: true
			user: CollabUser
			tokenHash: string
			documentId: string
			groupId: string
			canWrite: boolean
			role: Role | null
			presence: PresenceUser
	  }
	| { ok: false; code: number; reason: string }

/**
 * The y-websocket-compatible sync endpoint on the app's own HTTP server.
 * Admits sockets by session cookie, Origin and the permission table; keeps
 * one DocumentRoom per live document; persists through an UpdateLog; and,
 * given a RedisBridge, shares live documents with other processes.
 */
export class CollabServer implements AccessNotifier {
	readonly options: CollabOptions
	readonly rooms = new Map<string, DocumentRoom>()
	readonly log: UpdateLog
	private readonly wss: WebSocketServer
	private readonly unloadTimers = new Map<string, NodeJS.Timeout>()
	private readonly compacting = new Set<string>()
	private readonly compactTimers = new Map<string, NodeJS.Timeout>()
	private readonly pingTimer: NodeJS.Timeout
	private readonly alive = new WeakSet<WebSocket>()
	private bridge: RedisBridge | null = null
	/** Each document's annotation events still being shown to its viewers, in order. */
	private readonly deliveries = new Map<string, Promise<void>>()
	private journal: UpdateJournal | null = null
	private closing = false
	/** Told after each change a local socket makes to a document (the anchor placer listens). */
	documentChanged: ((documentId: string) => void) | null = null

	constructor(
		private readonly db: Database,
		options: Partial<CollabOptions> = {},
	) {
		this.options = { ...defaultCollabOptions, ...options }
		this.wss = new WebSocketServer({ noServer: true, maxPayload: this.options.maxFrameBytes })
		this.log = new UpdateLog(db, {
			groupCommitMs: this.options.groupCommitMs === 'auto' ? 0 : this.options.groupCommitMs,
			onCommitted: (documentId) => this.maybeCompact(documentId),
			checkpoint: () => this.journal?.checkpoint() ?? 0,
			onCommittedThrough: (checkpoint) => this.journal?.committedThrough(checkpoint),
		})
		this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs)
		this.pingTimer.unref()
	}

	/**
	 * Stores what a killed process left in the journal at `path`, then journals
	 * every update there from now on, so that edits reach the other clients
	 * without waiting for their commit. Call before the first socket is
	 * admitted. `owner` names the database, written in the journal's header (a journal
	 * from elsewhere gives this database nothing: its document ids are not here). Returns the documents it recovered updates of.
	 */
	async useJournal(path: string, owner: string): Promise<string[]> {
		const { journal, recovered } = await UpdateJournal.open(path, owner, async (records, writtenFor) => {
			const others = writtenFor.filter((name) => name !== owner)
			// Documents are told apart by random ids, so only this database's own documents take any of it.
			if (others.length > 0) console.warn(`[collab] ${path} was written for ${others.join(', ')}; replaying what belongs to ${owner}`)
			const { stored, failed } = await replayDocumentUpdates(this.db, records)
			console.log(`[collab] stored ${stored} updates left in the journal by the previous process`)
			if (failed.length > 0) keepUnreplayed(path, failed)
		})
		this.journal = journal
		if (this.options.groupCommitMs === 'auto') this.log.groupCommitMs = journaledGroupCommitMs
		return [...new Set(recovered.map((record) => record.documentId))]
	}

	/** Shares live documents through Redis from now on. */
	useBridge(bridge: RedisBridge) {
		this.bridge = bridge
	}

	/**
	 * Takes an HTTP upgrade if it is for this endpoint; returns false to let others have it.
	 * Nothing a client sends here may throw out of it: an upgrade runs outside Express, so an
	 * exception would end the process. A URL that cannot be read is refused with 400 before
	 * any work; everything later ends this one socket.
	 */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		// Node removes its own error listener from an upgraded socket, and ws adds its own only once
		// admission is decided: until then, a reset ends this socket and nothing else.
		socket.on('error', () => socket.destroy())
		const target = upgradeTarget(req.url, this.options.path)
		if (target === null) return false
		if (!target.ok) {
			refuseHandshake(socket, 400, target.reason)
			return true
		}
		const { documentId, wantsExtensions } = target
		this.admit(req, documentId)
			.then((admission) => {
				this.wss.handleUpgrade(req, socket, head, (ws) => {
					try {
						// The handshake completes either way so that the client sees a close code it can act on.
						if (!admission.ok || this.closing) {
							ws.close(admission.ok ? closeCodes.goingAway : admission.code, admission.ok ? 'Server shutting down' : admission.reason)
							return
						}
						this.attach(ws, admission, wantsExtensions)
					} catch (error) {
						console.error('[collab] opening a socket failed:', error)
						ws.terminate()
					}
				})
			})
			.catch((error) => {
				console.error('[collab] admission failed:', error)
				socket.destroy()
			})
		return true
	}

	accessChanged(groupId: string, userId: string) {
		void this.recheckAccess(groupId, userId)
		this.bridge?.publishAccess({ type: 'member', groupId, userId })
	}

	identityModeChanged(groupId: string) {
		void this.applyIdentityMode(groupId)
		this.bridge?.publishAccess({ type: 'identity', groupId })
	}

	/**
	 * Applies a group's identity mode to this process's open documents: every
	 * connection's presence is stamped anew (names become pseudonyms, or back),
	 * and every editor is told to read its annotations again.
	 */
	async applyIdentityMode(groupId: string) {
		const affected = this.connectionsWhere((c) => c.groupId === groupId)
		if (affected.length === 0) return
		const group = await findGroup(this.db, groupId)
		if (!group) return
		for (const [room, connection] of affected) {
			connection.presence = await presenceIdentity(this.db, {
				user: connection.user,
				mode: group.identityMode,
				groupKind: group.kind,
				documentId: room.documentId,
			})
			room.restampPresence(connection)
		}
		for (const room of new Set(affected.map(([room]) => room))) {
			for (const connection of room.connections) room.sendAnnotationEvent(connection, { kind: 'reload' })
		}
	}

	sessionEnded(tokenHash: string) {
		this.closeSession(tokenHash)
		this.bridge?.publishAccess({ type: 'session', tokenHash })
	}

	/** Applies an access change announced by another process. */
	async recheckAccess(groupId: string, userId: string) {
		const affected = this.connectionsWhere((c) => c.user.id === userId && c.groupId === groupId)
		if (affected.length === 0) return
		const group = await findGroup(this.db, groupId)
		const role = group ? await findRole(this.db, groupId, userId) : null
		const actor: Actor = { userId, role }
		for (const [room, connection] of affected) {
			if (!group || !can(actor, 'document.read', { groupKind: group.kind })) {
				connection.close(closeCodes.forbidden, 'You no longer have access to this document.')
				continue
			}
			// Their lens follows their role (a moderator sees names, a reviewer may not): annotations are read again if it changed.
			if (connection.role !== role) {
				const lensChanged = seesRealNames(group.identityMode, connection.role) !== seesRealNames(group.identityMode, role)
				connection.role = role
				if (lensChanged) room.sendAnnotationEvent(connection, { kind: 'reload' })
			}
			const canWrite = can(actor, 'document.edit', { groupKind: group.kind })
			if (canWrite !== connection.canWrite) {
				connection.canWrite = canWrite
				room.sendAccess(connection)
				if (canWrite) room.startWriting(connection)
			}
		}
	}

	closeSession(tokenHash: string) {
		for (const [, connection] of this.connectionsWhere((c) => c.sessionTokenHash === tokenHash)) {
			connection.close(closeCodes.unauthorized, 'Your session has ended. Log in again.')
		}
	}

	/** The room of a live document in this process, loading it if needed. */
	room(documentId: string): DocumentRoom {
		const timer = this.unloadTimers.get(documentId)
		if (timer) {
			clearTimeout(timer)
			this.unloadTimers.delete(documentId)
		}
		let room = this.rooms.get(documentId)
		if (room) return room
		const bridge = this.bridge
		room = new DocumentRoom(
			documentId,
			async () => {
				// Subscribe before reading, so nothing published in between is missed.
				if (bridge) await bridge.subscribe(documentId)
				return loadDocumentState(this.db, documentId)
			},
			{
				awarenessFlushMs: this.options.awarenessFlushMs,
				fanoutFramesPerSecond: this.options.fanoutFramesPerSecond,
				documentLimits: this.options.documentLimits,
			},
			{
				log: this.log,
				journal: (id, update) => this.journal?.append(id, update) ?? false,
				publish: bridge ? (r, kind, payload) => bridge.publish(r.documentId, kind, payload) : undefined,
				onEmpty: (r) => this.scheduleUnload(r),
				onLocalChange: (r) => this.documentChanged?.(r.documentId),
			},
		)
		this.rooms.set(documentId, room)
		const loading = room
		room.whenLoaded().then(
			() => bridge?.requestState(loading),
			(error) => {
				console.error(`[collab] loading document ${documentId} failed:`, error)
				for (const connection of loading.connections) connection.close(1011, 'The document could not be loaded.')
				this.rooms.delete(documentId)
				loading.destroy()
			},
		)
		return room
	}

	/**
	 * Runs `use` with a document loaded in this process (loading it if
	 * needed), and lets it unload afterwards if nobody has it open.
	 */
	async withDocument<T>(documentId: string, use: (room: DocumentRoom) => T | Promise<T>): Promise<T> {
		const room = this.room(documentId)
		try {
			await room.whenLoaded()
			return await use(room)
		} finally {
			if (room.connections.size === 0 && this.rooms.get(documentId) === room) this.scheduleUnload(room)
		}
	}

	/**
	 * Replaces a document damaged in storage with what can be read of it (see
	 * app/editor/salvage.ts), as the server's own edit of the live document:
	 * open editors receive it, and it is journaled and stored like any edit.
	 * Returns what was wrong, or null when the document is not damaged.
	 */
	async repairDocument(documentId: string): Promise<DocumentDamage | null> {
		const repair = await this.withDocument(documentId, (room) => {
			const { doc, damage } = readYDoc(room.doc)
			if (!isDamaged(damage)) return null
			const steps = contentReplacementSteps(room.doc, doc)
			room.applyServerChanges(steps)
			return { damage, steps: steps.length }
		})
		if (!repair) return null
		// Stored before the answer: the page the repairer is sent back to reads the stored document.
		await this.log.flushed()
		if (repair.steps > 1) {
			// A deep tree deleted in slices must not be loaded back in one transaction (a room's load), which
			// would collect it all at once, recursively: fold the slices into the snapshot now, one by one.
			this.compacting.add(documentId)
			try {
				const { folded } = await compactDocumentLog(this.db, documentId, mergeUpdates)
				const room = this.rooms.get(documentId)
				if (room) room.tailLength = Math.max(0, room.tailLength - folded)
			} finally {
				this.compacting.delete(documentId)
			}
		}
		return repair.damage
	}

	/** Sends an annotation event to everyone viewing the document, here and in other processes. */
	publishAnnotationEvent(documentId: string, event: AnnotationFactsEvent) {
		this.deliverAnnotationEvent(documentId, event)
		this.bridge?.publishJSON(documentId, event)
	}

	/**
	 * Delivers an annotation event to this process's sockets, each getting only
	 * what its user may see, through their own lens (an annotation's author and
	 * the people its body mentions as that viewer may know them). Shown in
	 * order per document: showing waits for the database (pseudonyms).
	 */
	deliverAnnotationEvent(documentId: string, event: AnnotationFactsEvent) {
		const previous = this.deliveries.get(documentId) ?? Promise.resolve()
		const next = previous
			.then(() => this.deliverNow(documentId, event))
			.catch((error) => console.error(`[collab] delivering an annotation event on ${documentId} failed:`, error))
		this.deliveries.set(documentId, next)
		void next.then(() => {
			if (this.deliveries.get(documentId) === next) this.deliveries.delete(documentId)
		})
	}

	/** Waits until every annotation event so far has been sent (tests). */
	async annotationEventsDelivered(documentId: string) {
		await this.deliveries.get(documentId)
	}

	private async deliverNow(documentId: string, event: AnnotationFactsEvent) {
		const room = this.rooms.get(documentId)
		if (!room || room.connections.size === 0) return
		let mode: IdentityMode = 'named'
		if (event.kind === 'annotation') {
			const groupId = [...room.connections][0]!.groupId
			mode = (await findGroup(this.db, groupId))?.identityMode ?? 'anonymous'
		}
		for (const connection of [...room.connections]) {
			const viewer = connection.user.id
			if (event.kind === 'annotation') {
				if (!visibleTo(event.annotation, viewer)) {
					room.sendAnnotationEvent(connection, { kind: 'annotation-removed', id: event.annotation.id })
					continue
				}
				const frame = await annotationFrame(this.db, {
					viewer: { userId: viewer, role: connection.role },
					mode,
					documentId,
					facts: [event.annotation],
				})
				room.sendAnnotationEvent(connection, { kind: 'annotation', annotation: showAnnotation(event.annotation, frame) })
			} else if (event.kind === 'anchors') {
				const anchors = event.anchors.filter((a) => a.visibleTo === undefined || a.visibleTo === viewer)
				if (anchors.length > 0) room.sendAnnotationEvent(connection, { kind: 'anchors', anchors: anchors.map(({ id, anchor }) => ({ id, anchor })) })
			} else {
				room.sendAnnotationEvent(connection, event)
			}
		}
	}

	/** Stops accepting, closes every socket, writes what is queued and forgets the documents. */
	async close() {
		this.closing = true
		clearInterval(this.pingTimer)
		for (const timer of [...this.unloadTimers.values(), ...this.compactTimers.values()]) clearTimeout(timer)
		this.unloadTimers.clear()
		this.compactTimers.clear()
		for (const room of this.rooms.values()) {
			for (const connection of room.connections) connection.close(closeCodes.goingAway, 'Server shutting down')
		}
		await this.log.flushed()
		this.journal?.close()
		this.journal = null
		for (const room of this.rooms.values()) room.destroy()
		this.rooms.clear()
		this.wss.close()
		await this.bridge?.close()
	}

	private async admit(req: IncomingMessage, documentId: string): Promise<Admission> {
		const refusal = crossOriginRefusal(req, appOriginOf(req, this.options.publicOrigin), true)
		if (refusal) return { ok: false, code: closeCodes.forbidden, reason: 'Origin not allowed.' }
		const token = await sessionTokenFrom(req.headers.cookie)
		if (!token) return { ok: false, code: closeCodes.unauthorized, reason: 'Log in to open documents.' }
		const tokenHash = hashToken(token)
		// The lookups run two at a time: opening a document waits for two round trips, not four.
		const [user, document] = await Promise.all([
			findSessionUser(this.db, tokenHash),
			isUuid(documentId) ? findDocument(this.db, documentId) : null,
		])
		if (!user) return { ok: false, code: closeCodes.unauthorized, reason: 'Your session has ended. Log in again.' }
		// A document that does not exist and one the user may not see are refused alike.
		const forbidden: Admission = { ok: false, code: closeCodes.forbidden, reason: 'No access to this document.' }
		if (!document) return forbidden
		const [group, role] = await Promise.all([findGroup(this.db, document.groupId), findRole(this.db, document.groupId, user.id)])
		if (!group) return forbidden
		const actor: Actor = { userId: user.id, role }
		const target = { groupKind: group.kind as GroupKind }
		if (!can(actor, 'document.read', target)) return forbidden
		const verified = { id: user.id, name: user.name, color: user.color }
		return {
			ok: true,
			user: verified,
			tokenHash,
			documentId,
			groupId: group.id,
			canWrite: can(actor, 'document.edit', target),
			role,
			presence: await presenceIdentity(this.db, { user: verified, mode: group.identityMode, groupKind: group.kind, documentId }),
		}
	}

	private attach(ws: WebSocket, admission: Extract<Admission, { ok: true }>, wantsExtensions: boolean) {
		const connection = new Connection(
			ws,
			admission.user,
			admission.tokenHash,
			admission.groupId,
			admission.role,
			admission.presence,
			admission.canWrite,
			wantsExtensions,
			{ messagesPerSecond: this.options.messagesPerSecond, messageBurst: this.options.messageBurst },
		)
		const room = this.room(admission.documentId)
		this.alive.add(ws)
		ws.on('pong', () => this.alive.add(ws))
		// Each handler below runs inside ws's frame parser, where an exception escapes to the
		// process: whatever one message does wrong ends that socket only, logged once.
		const failed = (what: string, error: unknown) => {
			console.error(`[collab] ${what} failed on document ${admission.documentId}:`, error)
			try {
				connection.close(closeCodes.serverError, 'The server could not handle that message.')
			} catch {
				ws.terminate()
			}
		}
		ws.on('message', (data, isBinary) => {
			try {
				if (!isBinary) {
					connection.close(closeCodes.badMessage, 'Text frames are not part of the protocol.')
					return
				}
				const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
				room.receive(connection, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
			} catch (error) {
				failed('handling a message', error)
			}
		})
		ws.on('close', () => {
			connection.closed = true
			try {
				room.remove(connection)
			} catch (error) {
				console.error(`[collab] removing a socket from document ${admission.documentId} failed:`, error)
			}
		})
		// ws has already closed the socket with the matching code (1002, 1007, 1009); this is the client's fault.
		ws.on('error', (error) => console.error('[collab] socket error:', error.message))
		try {
			room.add(connection)
		} catch (error) {
			failed('greeting a socket', error)
		}
	}

	private connectionsWhere(test: (c: Connection) => boolean): [DocumentRoom, Connection][] {
		const found: [DocumentRoom, Connection][] = []
		for (const room of this.rooms.values()) {
			for (const connection of room.connections) if (test(connection)) found.push([room, connection])
		}
		return found
	}

	private scheduleUnload(room: DocumentRoom) {
		if (this.unloadTimers.has(room.documentId)) return
		const timer = setTimeout(async () => {
			this.unloadTimers.delete(room.documentId)
			if (room.connections.size > 0 || this.rooms.get(room.documentId) !== room) return
			await this.log.flushed()
			// Someone may have opened the document while the log was being written.
			if (room.connections.size > 0 || this.rooms.get(room.documentId) !== room) return
			this.rooms.delete(room.documentId)
			await this.bridge?.unsubscribe(room.documentId)
			room.destroy()
		}, this.options.unloadAfterMs)
		timer.unref()
		this.unloadTimers.set(room.documentId, timer)
	}

	private maybeCompact(documentId: string) {
		const room = this.rooms.get(documentId)
		if (!room || room.tailLength < this.options.compactAfterUpdates || this.compacting.has(documentId)) return
		const pending = this.compactTimers.get(documentId)
		if (pending) clearTimeout(pending)
		this.compactTimers.delete(documentId)
		if (room.tailLength < this.options.compactAfterUpdates * 10) {
			const timer = setTimeout(() => {
				this.compactTimers.delete(documentId)
				this.compact(documentId)
			}, this.options.compactWhenIdleMs)
			timer.unref()
			this.compactTimers.set(documentId, timer)
			return
		}
		this.compact(documentId)
	}

	private compact(documentId: string) {
		const room = this.rooms.get(documentId)
		if (!room || this.compacting.has(documentId)) return
		this.compacting.add(documentId)
		compactDocumentLog(this.db, documentId, mergeUpdates)
			.then(({ folded }) => {
				room.tailLength = Math.max(0, room.tailLength - folded)
			})
			.catch((error) => console.error(`[collab] compacting document ${documentId} failed:`, error))
			.finally(() => this.compacting.delete(documentId))
	}

	private ping() {
		for (const ws of this.wss.clients) {
			if (!this.alive.has(ws)) {
				ws.terminate()
				continue
			}
			this.alive.delete(ws)
			ws.ping()
		}
	}
}

/** Where an upgrade is headed: null if not this endpoint, else its document id, or why it cannot be read. */
type UpgradeTarget = { ok: true; documentId: string; wantsExtensions: boolean } | { ok: false; reason: string }

function upgradeTarget(requestUrl: string | undefined, prefix: string): UpgradeTarget | null {
	let url: URL
	try {
		url = new URL(requestUrl ?? '/', 'http://localhost')
	} catch {
		// Such as `//` (no host) or `http://[`: not a path this endpoint serves.
		return null
	}
	if (!url.pathname.startsWith(`${prefix}/`)) return null
	let documentId: string
	try {
		documentId = decodeURIComponent(url.pathname.slice(prefix.length + 1))
	} catch {
		return { ok: false, reason: 'The document id in the URL is not valid percent-encoding.' }
	}
	return { ok: true, documentId, wantsExtensions: url.searchParams.get(extensionParam) === '1' }
}

/** Answers an upgrade with an HTTP error instead of a WebSocket, as ws does for a bad handshake. */
function refuseHandshake(socket: Duplex, status: number, reason: string) {
	if (socket.writable) {
		const body = `${reason}\n`
		socket.write(
			`HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Error'}\r\nConnection: close\r\n` +
				`Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
		)
	}
	socket.destroy()
}

/**
 * Folds stored updates into one through a Y.Doc rather than Y.mergeUpdates:
 * applying drops deleted content (garbage collection), and mergeUpdates is
 * the path that loops forever on crafted input (yjs issue #687). Every row
 * stored was applied successfully once, but the stored log is not trusted
 * more than it must be.
 */
function mergeUpdates(updates: Uint8Array[]): Uint8Array {
	const doc = new Y.Doc()
	for (const update of updates) Y.applyUpdate(doc, update)
	const state = Y.encodeStateAsUpdate(doc)
	doc.destroy()
	return state
}

/**
 * The start goes on when some documents' updates could not be stored (each
 * failure is that document's alone); the journal files, about to be started
 * afresh, are copied aside first so that nothing in them is lost.
 */
function keepUnreplayed(path: string, failed: { documentId: string; rows: unknown[]; error: unknown }[]) {
	const stamp = new Date().toISOString().replace(/[:.]/g, '-')
	const copies: string[] = []
	for (const file of [`${path}.sealed`, path]) {
		if (!existsSync(file)) continue
		const copy = `${file}.unreplayed-${stamp}`
		copyFileSync(file, copy)
		copies.push(copy)
	}
	for (const { documentId, rows, error } of failed) {
		console.error(`[collab] ${rows.length} journaled updates of document ${documentId} could not be stored; kept in ${copies.join(' and ')}:`, error)
	}
}
