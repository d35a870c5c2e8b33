import type { Database } from '#db/client.ts'
import { countParticipation, listParticipants, type DashboardScope } from '#db/queries/dashboards.ts'
import type { Role } from '#app/policy/permissions.ts'
import type { ParticipationColumn, ParticipationRow, SortDirection } from '#app/components/dashboards/types.ts'

const roleOrder: Record<Role, number> = { owner: 0, moderator: 1, reviewer: 2, reader: 3 }

/**
 * Who took part and how: every member of the group (and anyone who took part
 * and has left), with their counts in the scope, sorted by one column (ties
 * by name).
 */
export async function participation(
	db: Database,
	groupId: string,
	scope: DashboardScope,
	sort: { column: ParticipationColumn; direction: SortDirection },
): Promise<ParticipationRow[]> {
	const counts = await countParticipation(db, scope)
	const byUser = new Map<string, Omit<ParticipationRow, 'userId' | 'name' | 'role'>>()
	const entry = (userId: string) => {
		let row = byUser.get(userId)
		if (!row) byUser.set(userId, (row = { annotations: 0, replies: 0, endorsements: 0, submissions: 0, approvals: 0 }))
		return row
	}
	for (const key of ['annotations', 'replies', 'endorsements', 'submissions', 'approvals'] as const) {
		// A deleted account leaves rows without a person; they are nobody's to show.
		for (const { userId, n } of counts[key]) if (userId) entry(userId)[key] += Number(n)
	}
	const people = await listParticipants(db, groupId, [...byUser.keys()])
	const rows = people.map((person) => ({ ...person, ...entry(person.userId) }))
	const sign = sort.direction === 'asc' ? 1 : -1
	const byName = (a: ParticipationRow, b: ParticipationRow) => a.name.localeCompare(b.name, 'en')
	return rows.sort((a, b) => {
		let order: number
		if (sort.column === 'name') order = byName(a, b)
		else if (sort.column === 'role') order = (a.role ? roleOrder[a.role] : 9) - (b.role ? roleOrder[b.role] : 9)
		else order = a[sort.column] - b[sort.column]
		return order * sign || byName(a, b)
	})
}
