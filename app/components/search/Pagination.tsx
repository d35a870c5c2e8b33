import { Link } from '@remix-run/react'

/** Previous / next links that keep the rest of the query string. */
export function Pagination({ page, pageCount, search }: { page: number; pageCount: number; search: string }) {
	if (pageCount <= 1) return null
	const to = (n: number) => {
		const params = new URLSearchParams(search)
		params.set('page', String(n))
		return `?${params.toString()}`
	}
	return (
		<nav className="pagination" aria-label="Result pages">
			{page > 1 ? (
				<Link to={to(page - 1)} rel="prev">
					Previous page
				</Link>
			) : null}
			<span>
				Page {page} of {pageCount}
			</span>
			{page < pageCount ? (
				<Link to={to(page + 1)} rel="next">
					Next page
				</Link>
			) : null}
		</nav>
	)
}
