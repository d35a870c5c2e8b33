import type { Database } from '#db/client.ts'
import type { DensityBin, DensityStrip } from '#app/components/dashboards/types.ts'
import { listSharedAnchors } from '#db/queries/dashboards.ts'
import { CurrentDocument } from '../exports/current-document.ts'

/** Bins along the text unless a caller says otherwise: about a screen line's worth of strip each. */
export const defaultBinCount = 40

/**
 * Where the shared annotations of a document cluster: its plain text cut
 * into equal stretches (by code points, the selectors' unit) and the
 * annotations counted by where they begin in the text as it is now.
 */
export async function densityStrip(db: Database, documentId: string, binCount = defaultBinCount): Promise<DensityStrip> {
	const current = await CurrentDocument.open(db, documentId)
	try {
		const length = current.codePoints
		const count = Math.max(1, Math.min(binCount, length))
		const bins: DensityBin[] = Array.from({ length: count }, (_, i) => {
			// Rounded up, so that the bin of an offset is exactly floor(offset × count / length).
			const start = Math.ceil((i * length) / count)
			return { start, end: Math.ceil(((i + 1) * length) / count), count: 0, jumpTo: start, excerpt: '' }
		})
		let placed = 0
		let orphaned = 0
		const starts: number[] = []
		for (const { anchor } of await listSharedAnchors(db, documentId)) {
			const place =
				anchor.status === 'orphaned'
					? null
					: current.place({
							start: anchor.startPosition,
							end: anchor.endPosition,
							quote: { type: 'TextQuoteSelector', exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix },
							position: { type: 'TextPositionSelector', start: anchor.startOffset, end: anchor.endOffset },
						})
			if (!place) {
				orphaned++
				continue
			}
			placed++
			starts.push(place.start)
		}
		starts.sort((a, b) => a - b)
		for (const start of starts) {
			const bin = bins[Math.min(count - 1, Math.floor((start * count) / Math.max(1, length)))]!
			if (bin.count === 0) bin.jumpTo = start
			bin.count++
		}
		for (const bin of bins) bin.excerpt = current.excerpt(bin.start, 60).replace(/\s+/g, ' ').trim()
		return { length, bins, max: Math.max(0, ...bins.map((b) => b.count)), placed, orphaned }
	} finally {
		current.destroy()
	}
}
