import { z } from 'zod'
import { participationColumns, type ParticipationColumn, type SortDirection } from '#app/components/dashboards/types.ts'
import { invariantResponse } from './responses.ts'

/** The bridge from the dashboard routes to server/dashboards (see ARCHITECTURE.md). */
export { activityFeed, countSharedByDocument, densityStrip, moderationThroughput, participation } from '#server/dashboards/index.ts'

const sortQuery = z.object({
	sort: z.enum(participationColumns, { errorMap: () => ({ message: `Sort by one of the columns: ${participationColumns.join(', ')}.` }) }).default('annotations'),
	order: z.enum(['asc', 'desc'], { errorMap: () => ({ message: 'The order is asc or desc.' }) }).optional(),
})

/** The participation table's sort from the query string (`?sort=replies&order=asc`); a 400 naming the mistake otherwise. */
export function participationSort(request: Request): { column: ParticipationColumn; direction: SortDirection } {
	const params = new URL(request.url).searchParams
	const parsed = sortQuery.safeParse({ sort: params.get('sort') || undefined, order: params.get('order') || undefined })
	invariantResponse(parsed.success, parsed.success ? '' : (parsed.error.issues[0]?.message ?? 'Unknown sort.'))
	const { sort, order } = parsed.data
	// Names read A to Z by default; counts busiest first.
	return { column: sort, direction: order ?? (sort === 'name' || sort === 'role' ? 'asc' : 'desc') }
}
