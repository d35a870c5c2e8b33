import type { Database } from '#db/client.ts'
import { claimDigest, findRecipients, listDigestRecipients, listInboxEntries } from '#db/queries/notifications.ts'
import { emailText } from './messages.ts'
import type { NotificationService } from './service.ts'

const day = 24 * 60 * 60 * 1000
/** How often the scheduler looks at the clock; the digest hour is hit within this. */
const tickMs = 5 * 60 * 1000
/** People handled per batch, and batches per run: a bounded amount of work per tick. */
const batch = 200
const maxBatches = 50
/** Notifications listed in one digest; the rest are counted. */
const maxItems = 100

/**
 * The daily digest: once a day at `hourUtc`, each person who chose "daily"
 * for some kind gets one email of the last day's notifications of those
 * kinds that they have not read yet. Runs in the server process on an
 * unref'd interval; `runDue(now)` and `sendDigests(at)` take the clock as an
 * argument so tests call them directly.
 *
 * Each person's notifications are claimed (marked emailed) in the same
 * statement that reads them, so several processes, or a restart right after
 * a run, never send one twice.
 */
export class DigestScheduler {
	private timer: NodeJS.Timeout | null = null
	/** The last digest time this process ran for; starts a day back, so a start after the hour still sends today's. */
	private lastRun: Date

	constructor(
		private readonly db: Database,
		private readonly service: NotificationService,
		private readonly hourUtc: number,
		now = new Date(),
	) {
		this.lastRun = new Date(latestDigestTime(now, hourUtc).getTime() - day)
	}

	start() {
		if (this.timer) return
		this.timer = setInterval(() => {
			this.runDue(new Date()).catch((error) => console.error('[notifications] digest run failed:', error))
		}, tickMs)
		this.timer.unref()
		void this.runDue(new Date()).catch((error) => console.error('[notifications] digest run failed:', error))
	}

	stop() {
		if (this.timer) clearInterval(this.timer)
		this.timer = null
	}

	/** Sends the digest if its time has come since the last run; returns how many emails went out. */
	async runDue(now: Date): Promise<number> {
		const due = latestDigestTime(now, this.hourUtc)
		if (due <= this.lastRun) return 0
		this.lastRun = due
		return this.sendDigests(due)
	}

	/** One email per person of their unread daily-digest notifications written in the day before `at`. */
	async sendDigests(at: Date): Promise<number> {
		const from = new Date(at.getTime() - day)
		let sent = 0
		for (let i = 0; i < maxBatches; i++) {
			const people = await listDigestRecipients(this.db, from, at, batch)
			if (people.length === 0) break
			const addresses = new Map((await findRecipients(this.db, people)).map((r) => [r.id, r.email]))
			for (const recipientId of people) {
				const claimed = await claimDigest(this.db, recipientId, from, at, new Date())
				const to = addresses.get(recipientId)
				if (claimed.length === 0 || !to) continue
				// Read back through the inbox's own query, so what they may no longer see stays out.
				const entries = await listInboxEntries(this.db, recipientId, { ids: claimed.map((c) => c.id), limit: claimed.length, inAppOnly: false })
				// Each line through the recipient's lens, as their inbox shows it.
				const items = (await this.service.shown(entries.filter((e) => this.service.visible(e)))).reverse()
				if (items.length === 0) continue
				const shown = items.slice(0, maxItems)
				const more = items.length - shown.length
				const text = emailText(shown, this.service.origin) + (more > 0 ? `\n\n…and ${more} more in your inbox.` : '')
				await this.service.mailer.send({
					recipientId,
					to,
					subject: `Your Scholion digest: ${items.length} notification${items.length === 1 ? '' : 's'}`,
					text,
				})
				sent++
			}
		}
		return sent
	}
}

/** The most recent digest time at or before `now`: today's `hourUtc`:00 UTC, or yesterday's. */
export function latestDigestTime(now: Date, hourUtc: number): Date {
	const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc)
	return new Date(today <= now.getTime() ? today : today - day)
}
