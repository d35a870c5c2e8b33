import { Link } from '@remix-run/react'
import { roleLabels } from '#app/policy/permissions.ts'
import { participationColumns, type ParticipationColumn, type ParticipationRow, type SortDirection } from './types.ts'

const headers: Record<ParticipationColumn, string> = {
	name: 'Member',
	role: 'Role',
	annotations: 'Annotations',
	replies: 'Replies',
	endorsements: 'Endorsements given',
	submissions: 'Submissions',
	approvals: 'Approvals given',
}

/**
 * Who took part and how. Each column header is a link that sorts the table
 * by it (the query string: `?sort=replies&order=asc`), so sorting needs no
 * JavaScript; the sorted column says so to screen readers (aria-sort).
 */
export function ParticipationTable({
	rows,
	sort,
	order,
}: {
	rows: ParticipationRow[]
	sort: ParticipationColumn
	order: SortDirection
}) {
	return (
		<table className="participation">
			<caption className="sr-only">Participation by member, sorted by {headers[sort].toLowerCase()}, {order === 'asc' ? 'ascending' : 'descending'}</caption>
			<thead>
				<tr>
					{participationColumns.map((column) => {
						const active = column === sort
						// A first click on a count shows the busiest first; on a name, A to Z.
						const next = active ? (order === 'asc' ? 'desc' : 'asc') : column === 'name' || column === 'role' ? 'asc' : 'desc'
						const numeric = column !== 'name' && column !== 'role'
						return (
							<th
								key={column}
								scope="col"
								className={numeric ? 'number' : undefined}
								aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
							>
								<Link to={`?sort=${column}&order=${next}`} preventScrollReset replace>
									{headers[column]}
									<span aria-hidden="true" className="sort-mark">
										{active ? (order === 'asc' ? ' ▲' : ' ▼') : ''}
									</span>
								</Link>
							</th>
						)
					})}
				</tr>
			</thead>
			<tbody>
				{rows.map((row) => (
					<tr key={row.userId} data-user-id={row.userId}>
						<th scope="row">{row.name}</th>
						<td>{row.role ? roleLabels[row.role] : <span className="muted">Left the group</span>}</td>
						<td className="number">{row.annotations}</td>
						<td className="number">{row.replies}</td>
						<td className="number">{row.endorsements}</td>
						<td className="number">{row.submissions}</td>
						<td className="number">{row.approvals}</td>
					</tr>
				))}
			</tbody>
		</table>
	)
}
