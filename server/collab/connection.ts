import type { Duplex } from 'node:stream'
import type { WebSocket } from 'ws'
import type { Role } from '#app/policy/permissions.ts'
import { RateLimiter } from './rate-limiter.ts'

/** Who is on the other end of a socket, as the server verified it at the upgrade. */
export interface CollabUser {
	id: string
	name: string
	color: string
}

/**
 * How a connection's person appears in the room's presence (awareness `user`):
 * every socket receives the same bytes, so in a room where some receivers may
 * not know who is who, it is the person's pseudonym on the document, without
 * their id (server/identity/presence.ts).
 */
export interface PresenceUser {
	id?: string
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
	/** Whether the server refused changes from this socket that the document lacks (sent while read-only). */
	hasRefusedEdits = false

	constructor(
		readonly socket: WebSocket,
		readonly user: CollabUser,
		readonly sessionTokenHash: string,
		readonly groupId: string,
		/** The user's role in the group (null outside it); kept current on access changes. */
		public role: Role | null,
		/** What the room publishes as this person's presence; re-set when the identity mode changes. */
		public presence: PresenceUser,
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

	/**
	 * Sends a message framed once for all its recipients (see `framed`): a
	 * broadcast to a hundred sockets then costs a hundred writes of one shared
	 * buffer, not a hundred framings, each with its own header, cork and writev.
	 * Written straight to the TCP socket only while ws's sender has nothing
	 * queued of its own (it queues only while compressing, and compression is
	 * off on this server), so frames never overtake each other.
	 */
	sendFramed(message: FramedMessage) {
		if (this.closed || this.socket.readyState !== this.socket.OPEN) return
		const internals = this.socket as unknown as { _socket?: Duplex; _sender?: { _state?: number } }
		if (internals._sender?._state === 0 && internals._socket?.writable) internals._socket.write(message.frame)
		else this.socket.send(message.payload, { binary: true })
	}

	close(code: number, reason: string) {
		if (this.closed) return
		this.closed = true
		// Close reasons are limited to 123 bytes by RFC 6455.
		this.socket.close(code, Buffer.from(reason).subarray(0, 123).toString())
	}
}

/** A binary message and its WebSocket frame as a server sends it (unmasked, final, uncompressed). */
export interface FramedMessage {
	payload: Uint8Array
	frame: Buffer
}

/** Frames a binary message as RFC 6455 §5.2 has a server send it: FIN, opcode 2, no mask, 7-, 16- or 64-bit length. */
export function framed(payload: Uint8Array): FramedMessage {
	const length = payload.byteLength
	const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10
	const frame = Buffer.allocUnsafe(headerBytes + length)
	frame[0] = 0x82
	if (length < 126) frame[1] = length
	else if (length < 65_536) {
		frame[1] = 126
		frame.writeUInt16BE(length, 2)
	} else {
		frame[1] = 127
		frame.writeBigUInt64BE(BigInt(length), 2)
	}
	frame.set(payload, headerBytes)
	return { payload, frame }
}
