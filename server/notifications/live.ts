import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'

const channel = 'scholion:notifications'

type Listener = () => void

/**
 * Tells open inbox streams (/inbox/events) that a person's notifications
 * changed, in this process and, with Redis, in every other one: a mention
 * written by a request on one instance reaches a header served by another.
 * Only "this person's notifications changed" travels; each stream then
 * reads the count itself, so nothing about a notification crosses Redis.
 */
export class UnreadFeed {
	private readonly listeners = new Map<string, Set<Listener>>()
	private readonly processId = randomUUID()
	private pub: Redis | null = null
	private sub: Redis | null = null

	async useRedis(url: string) {
		this.pub = new Redis(url, { maxRetriesPerRequest: null })
		this.sub = this.pub.duplicate()
		for (const client of [this.pub, this.sub]) client.on('error', (error) => console.error('[notifications] redis:', error.message))
		this.sub.on('message', (_channel: string, message: string) => {
			const [from, userId] = message.split(' ')
			if (from !== this.processId && userId) this.notifyLocal(userId)
		})
		await this.sub.subscribe(channel)
	}

	/** Calls `listener` whenever the person's notifications change; returns the unsubscribe. */
	subscribe(userId: string, listener: Listener): () => void {
		let set = this.listeners.get(userId)
		if (!set) this.listeners.set(userId, (set = new Set()))
		set.add(listener)
		return () => {
			set.delete(listener)
			if (set.size === 0) this.listeners.delete(userId)
		}
	}

	changed(userId: string) {
		this.notifyLocal(userId)
		void this.pub?.publish(channel, `${this.processId} ${userId}`).catch((error: Error) => {
			console.error('[notifications] redis publish failed:', error.message)
		})
	}

	async close() {
		this.listeners.clear()
		this.sub?.disconnect()
		await this.pub?.quit().catch(() => this.pub?.disconnect())
	}

	private notifyLocal(userId: string) {
		for (const listener of this.listeners.get(userId) ?? []) {
			try {
				listener()
			} catch (error) {
				console.error('[notifications] stream listener failed:', error)
			}
		}
	}
}
