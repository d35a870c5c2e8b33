import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import * as Y from 'yjs'
import type { AnnotationFactsEvent } from '#app/annotations/types.ts'
import type { CollabServer } from './collab-server.ts'
import type { DocumentRoom } from './room.ts'

/** What travels on a document's channel. */
const kinds = { update: 0, awareness: 1, stateRequest: 2, annotations: 3 } as const
type Kind = keyof typeof kinds

const accessChannel = 'scholion:access'
const documentChannel = (documentId: string) => `scholion:doc:${documentId}`

export type AccessMessage =
	| { type: 'member'; groupId: string; userId: string }
	| { type: 'session'; tokenHash: string }
	| { type: 'identity'; groupId: string }

/**
 * Shares live documents between server processes through Redis pub/sub.
 * Each message is [sender id (36 bytes)][kind (1 byte)][payload], so a
 * process ignores its own. A process that loads a document asks the others
 * for what it lacks (stateRequest with its state vector); they answer with
 * the difference as an ordinary update, plus their clients' awareness.
 */
export class RedisBridge {
	readonly processId = randomUUID()
	private readonly pub: Redis
	private readonly sub: Redis

	constructor(
		url: string,
		private readonly collab: CollabServer,
	) {
		this.pub = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: null })
		this.sub = this.pub.duplicate()
		for (const client of [this.pub, this.sub]) {
			client.on('error', (error) => console.error('[redis]', error.message))
		}
		this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message))
	}

	async start() {
		await this.sub.subscribe(accessChannel)
	}

	async subscribe(documentId: string) {
		await this.sub.subscribe(documentChannel(documentId))
	}

	async unsubscribe(documentId: string) {
		await this.sub.unsubscribe(documentChannel(documentId))
	}

	publish(documentId: string, kind: Kind, payload: Uint8Array) {
		const header = Buffer.alloc(37)
		header.write(this.processId, 0, 'latin1')
		header[36] = kinds[kind]
		void this.pub.publish(documentChannel(documentId), Buffer.concat([header, payload])).catch((error: Error) => {
			console.error('[redis] publish failed:', error.message)
		})
	}

	/** Relays an annotation event to the other processes' viewers of the document. */
	publishJSON(documentId: string, event: AnnotationFactsEvent) {
		this.publish(documentId, 'annotations', new TextEncoder().encode(JSON.stringify(event)))
	}

	/** After loading a document, asks the other processes for anything this one lacks. */
	requestState(room: DocumentRoom) {
		this.publish(room.documentId, 'stateRequest', Y.encodeStateVector(room.doc))
	}

	publishAccess(message: AccessMessage) {
		void this.pub.publish(accessChannel, JSON.stringify({ from: this.processId, ...message })).catch((error: Error) => {
			console.error('[redis] publish failed:', error.message)
		})
	}

	async close() {
		this.sub.disconnect()
		await this.pub.quit().catch(() => this.pub.disconnect())
	}

	private receive(channel: string, message: Buffer) {
		if (channel === accessChannel) {
			const parsed = JSON.parse(message.toString()) as AccessMessage & { from: string }
			if (parsed.from === this.processId) return
			if (parsed.type === 'member') void this.collab.recheckAccess(parsed.groupId, parsed.userId)
			else if (parsed.type === 'identity') void this.collab.applyIdentityMode(parsed.groupId)
			else this.collab.closeSession(parsed.tokenHash)
			return
		}
		if (message.length < 37 || message.toString('latin1', 0, 36) === this.processId) return
		const documentId = channel.slice(documentChannel('').length)
		const kind = message[36]
		const payload = new Uint8Array(message.buffer, message.byteOffset + 37, message.length - 37)
		if (kind === kinds.annotations) {
			this.collab.deliverAnnotationEvent(documentId, JSON.parse(new TextDecoder().decode(payload)) as AnnotationFactsEvent)
			return
		}
		const room = this.collab.rooms.get(documentId)
		if (!room?.loaded) return
		try {
			if (kind === kinds.update) room.applyRemote('update', payload)
			else if (kind === kinds.awareness) room.applyRemote('awareness', payload)
			else if (kind === kinds.stateRequest) {
				const missing = Y.encodeStateAsUpdate(room.doc, payload)
				// An empty update is two zero bytes; skip it.
				if (missing.length > 2) this.publish(documentId, 'update', missing)
				const awareness = room.localAwareness()
				if (awareness) this.publish(documentId, 'awareness', awareness)
			}
		} catch (error) {
			console.error(`[redis] bad message on ${channel}:`, error)
		}
	}
}
