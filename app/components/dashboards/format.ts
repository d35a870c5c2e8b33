/** How long a decision took, in words a person reads at a glance. */
export function formatDuration(ms: number | null): string {
	if (ms === null) return '—'
	const minutes = ms / 60_000
	if (minutes < 60) return `${Math.round(minutes)} min`
	const hours = minutes / 60
	if (hours < 48) return `${hours.toFixed(1)} h`
	return `${(hours / 24).toFixed(1)} days`
}

/** Where the document page opens at a code point offset (app/components/dashboards/JumpToOffset.tsx reads it). */
export function jumpHref(documentId: string, offset: number): string {
	return `/documents/${documentId}?at=${offset}`
}

export function formatNumber(n: number): string {
	return n.toLocaleString('en')
}
