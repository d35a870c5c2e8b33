import type { WebSocket } from 'ws'
import { RateLimiter } from './rate-limiter.ts'

/** Who is on the other end of a socket, as the server verified it at the upgrade. */
export interface CollabUser {
	id: string
	name: string
	color: string
}

/**
 * One client's socket into one document. Holds what the server verified
 * (user, role, session) and what the client has claimed (its Yjs client id
 * for awareness), so that the room can refuse anything out of line.
 */
export class Connection {
	/** The awareness client id this socket speaks for; bound by its first awareness message. */
	awarenessClientId: number | null = null
	readonly limiter: RateLimiter
	closed = false

	constructor(
		readonly socket: WebSocket,
		readonly user: CollabUser,
		readonly sessionTokenHash: string,
		readonly groupId: string,
		/** Whether the permission table lets this user edit the text; re-evaluated when access changes. */
		public canWrite: boolean,
		/** Whether the client asked for Scholion's extra messages (saved, access). */
		readonly wantsExtensions: boolean,
		limits: { messagesPerSecond: number; messageBurst: number },
	) {
		this.limiter = new RateLimiter(limits.messagesPerSecond, limits.messageBurst)
	}

	get readOnly(): boolean {
		return !this.canWrite
	}

	send(message: Uint8Array) {
		if (this.closed || this.socket.readyState !== this.socket.OPEN) return
		this.socket.send(message, { binary: true })
	}

	close(code: number, reason: string) {
		if (this.closed) return
		this.closed = true
		// Close reasons are limited to 123 bytes by RFC 6455.
		this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString())
	}
}
