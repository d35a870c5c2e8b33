import type { Database } from '#db/client.ts'
import type { ModerationThroughput, ModerationWeek } from '#app/components/dashboards/types.ts'
import { listModerationTimes, type DashboardScope } from '#db/queries/dashboards.ts'

/** Weeks shown at most, ending with the current one. */
export const throughputWeeks = 26

const weekMs = 7 * 24 * 60 * 60 * 1000

/** The Monday 00:00 UTC on or before `date`. */
export function weekStart(date: Date): Date {
	const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()))
	return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * 24 * 60 * 60 * 1000)
}

export function median(values: number[]): number | null {
	if (values.length === 0) return null
	const sorted = [...values].sort((a, b) => a - b)
	const mid = sorted.length >> 1
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Moderation throughput per week: submissions, decisions, and the median
 * time to decision. A decision's time is measured from the submission that
 * opened the round it decides on: the author's latest submission of that
 * annotation before it (an edit while in moderation opens a new round, so
 * the clock starts again).
 */
export async function moderationThroughput(db: Database, scope: DashboardScope, now = new Date()): Promise<ModerationThroughput> {
	const { submissions, decisions } = await listModerationTimes(db, scope)
	const opened = new Map<string, number[]>()
	for (const s of submissions) opened.set(s.annotationId, [...(opened.get(s.annotationId) ?? []), s.at.getTime()])

	const eventWeeks = [...submissions.map((s) => weekStart(s.at).getTime()), ...decisions.map((d) => weekStart(d.at).getTime())]
	// Up to the current week, or later if a clock ahead of ours stamped something there.
	const last = Math.max(weekStart(now).getTime(), ...eventWeeks)
	const earliest = Math.min(last, ...eventWeeks)
	const first = Math.max(earliest, last - (throughputWeeks - 1) * weekMs)
	const weeks = new Map<number, { submissions: number; decisions: number; times: number[] }>()
	for (let t = first; t <= last; t += weekMs) weeks.set(t, { submissions: 0, decisions: 0, times: [] })

	for (const s of submissions) {
		const week = weeks.get(weekStart(s.at).getTime())
		if (week) week.submissions++
	}
	const all: number[] = []
	for (const d of decisions) {
		const week = weeks.get(weekStart(d.at).getTime())
		if (!week) continue
		week.decisions++
		const at = d.at.getTime()
		const round = (opened.get(d.annotationId) ?? []).filter((t) => t <= at).at(-1)
		if (round === undefined) continue
		week.times.push(at - round)
		all.push(at - round)
	}
	const hasActivity = submissions.length > 0 || decisions.length > 0
	return {
		weeks: hasActivity
			? [...weeks].map(([t, w]) => ({ week: new Date(t).toISOString().slice(0, 10), submissions: w.submissions, decisions: w.decisions, medianMs: median(w.times) }))
			: [],
		medianMs: median(all),
		decisions: all.length,
	}
}
