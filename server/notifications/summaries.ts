import type { Database } from '#db/client.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { claimSummaryWindow, countWaitingSubmissions, listSummariesDue, type NoticeSettingRow } from '#db/queries/notifications.ts'
import { can } from '#app/policy/permissions.ts'
import { latestDigestTime } from './digest.ts'
import type { NotificationService } from './service.ts'

const hour = 60 * 60 * 1000
/** How often the scheduler looks at the clock: an hourly summary goes out within this of the hour. */
const tickMs = 5 * 60 * 1000
const batch = 200
const maxBatches = 50

/** The most recent whole hour (UTC) at or before `now`. */
export function latestHour(now: Date): Date {
	return new Date(Math.floor(now.getTime() / hour) * hour)
}

/**
 * Submission summaries for stewards who chose them over a notification per
 * submission (submission_notice_settings): at every whole hour for `hourly`,
 * at the digest hour for `daily`, one 'submission_summary' notification per
 * steward per group counting the annotations submitted since their last
 * summary that still wait for a decision, with their documents. Nothing is
 * written when nothing is new. Like the digest, it runs on an unref'd
 * interval in the server process and takes the clock as an argument
 * (`runDue(now)`), so tests call it directly. Each steward's window is
 * claimed before it is counted, so two processes never both send it.
 */
export class SubmissionSummaries {
	private timer: NodeJS.Timeout | null = null

	constructor(
		private readonly db: Database,
		private readonly service: NotificationService,
		private readonly dailyHourUtc: number,
	) {}

	start() {
		if (this.timer) return
		const run = () => void this.runDue(new Date()).catch((error) => console.error('[notifications] submission summaries failed:', error))
		this.timer = setInterval(run, tickMs)
		this.timer.unref()
		run()
	}

	stop() {
		if (this.timer) clearInterval(this.timer)
		this.timer = null
	}

	/** Writes the summaries due at `now`; returns how many were written. */
	async runDue(now: Date): Promise<number> {
		let written = 0
		for (const [cadence, due] of [
			['hourly', latestHour(now)],
			['daily', latestDigestTime(now, this.dailyHourUtc)],
		] as const) {
			for (let i = 0; i < maxBatches; i++) {
				const rows = await listSummariesDue(this.db, cadence, due, batch)
				for (const row of rows) if (await this.summarise(row, due)) written++
				if (rows.length < batch) break
			}
		}
		return written
	}

	private async summarise(row: NoticeSettingRow, due: Date): Promise<boolean> {
		if (!(await claimSummaryWindow(this.db, row, due))) return false
		const [group, role] = await Promise.all([findGroup(this.db, row.groupId), findRole(this.db, row.groupId, row.userId)])
		// A steward who stepped down keeps the setting for if they return, but hears of nothing meanwhile.
		if (!group || !can({ userId: row.userId, role }, 'annotation.moderate', { groupKind: group.kind })) return false
		const documents = await countWaitingSubmissions(this.db, { groupId: row.groupId, stewardId: row.userId, from: row.summarisedThrough, to: due })
		if (documents.length === 0) return false
		await this.service.summary(row.userId, group, documents)
		return true
	}
}
