import { useId } from 'react'
import { formatNumber, jumpHref } from './format.ts'
import type { DensityStrip } from './types.ts'

const width = 800
const height = 56
const baseline = 4

/**
 * Where annotations cluster along a document: a strip of bars, one per
 * stretch of text, each taller the more annotations begin in it. A stretch
 * with annotations is a link that opens the document at its first one; a
 * table below says the same in words.
 */
export function DensityStripView({ documentId, strip }: { documentId: string; strip: DensityStrip }) {
	const captionId = useId()
	const barWidth = width / Math.max(1, strip.bins.length)
	const scale = (count: number) => (strip.max === 0 ? 0 : ((height - baseline) * count) / strip.max)
	const describe = (bin: DensityStrip['bins'][number]) =>
		`${bin.count} ${bin.count === 1 ? 'annotation' : 'annotations'} in characters ${formatNumber(bin.start)}–${formatNumber(bin.end)}, beginning “${bin.excerpt}”`
	return (
		<figure className="density">
			<figcaption id={captionId}>
				{strip.placed} shared {strip.placed === 1 ? 'annotation' : 'annotations'} along the text
				{strip.orphaned > 0 ? `, and ${strip.orphaned} whose words are no longer in it` : ''}. The beginning of the document is on the
				left; choose a bar to open the document there.
			</figcaption>
			<svg viewBox={`0 0 ${width} ${height}`} className="density-strip" aria-labelledby={captionId} preserveAspectRatio="none">
				<rect x={0} y={height - baseline} width={width} height={baseline} className="density-track" />
				{strip.bins.map((bin, i) => {
					const h = scale(bin.count)
					const bar = (
						<rect
							x={i * barWidth + 0.5}
							y={height - baseline - h}
							width={Math.max(1, barWidth - 1)}
							height={h + baseline}
							className={bin.count > 0 ? 'density-bar' : 'density-empty'}
						/>
					)
					if (bin.count === 0) return <g key={i}>{bar}</g>
					return (
						<a key={i} href={jumpHref(documentId, bin.jumpTo)} aria-label={describe(bin)} className="density-bin" data-bin={i}>
							<title>{describe(bin)}</title>
							{/* The whole column is the target, not only the bar: short bars stay easy to hit. */}
							<rect x={i * barWidth} y={0} width={barWidth} height={height} className="density-hit" />
							{bar}
						</a>
					)
				})}
			</svg>
			<details className="density-table">
				<summary>The strip as a table</summary>
				<table>
					<caption className="sr-only">Annotations by stretch of the text</caption>
					<thead>
						<tr>
							<th scope="col">Characters</th>
							<th scope="col">Begins with</th>
							<th scope="col" className="number">
								Annotations
							</th>
						</tr>
					</thead>
					<tbody>
						{strip.bins.map((bin, i) => (
							<tr key={i} data-bin={i}>
								<td>
									{formatNumber(bin.start)}–{formatNumber(bin.end)}
								</td>
								<td>
									{bin.count > 0 ? <a href={jumpHref(documentId, bin.jumpTo)}>“{bin.excerpt}”</a> : <>“{bin.excerpt}”</>}
								</td>
								<td className="number">{bin.count}</td>
							</tr>
						))}
					</tbody>
				</table>
			</details>
		</figure>
	)
}
