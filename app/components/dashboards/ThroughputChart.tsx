import { useId } from 'react'
import { formatDuration } from './format.ts'
import type { ModerationThroughput } from './types.ts'

const width = 800
const height = 260
const pad = { top: 16, right: 56, bottom: 40, left: 40 }

/**
 * Moderation per week: submissions and decisions as paired bars (left
 * scale), the median time to decision as a line (right scale, hours).
 * Drawn on the server as SVG, a picture with a text description; the
 * table beside it has every figure.
 */
export function ThroughputChart({ throughput }: { throughput: ModerationThroughput }) {
	const titleId = useId()
	const descId = useId()
	const { weeks } = throughput
	if (weeks.length === 0) return <p className="empty">Nothing has been submitted for moderation yet.</p>
	const plotW = width - pad.left - pad.right
	const plotH = height - pad.top - pad.bottom
	const maxCount = Math.max(1, ...weeks.map((w) => Math.max(w.submissions, w.decisions)))
	const hours = weeks.map((w) => (w.medianMs === null ? null : w.medianMs / 3_600_000))
	const maxHours = Math.max(1, ...hours.map((h) => h ?? 0))
	const slot = plotW / weeks.length
	const bar = Math.max(2, Math.min(18, slot / 2 - 2))
	const y = (count: number) => pad.top + plotH - (plotH * count) / maxCount
	const yHours = (h: number) => pad.top + plotH - (plotH * h) / maxHours
	const points = hours.flatMap((h, i) => (h === null ? [] : [`${pad.left + slot * i + slot / 2},${yHours(h)}`]))
	const labelEvery = Math.ceil(weeks.length / 8)
	const busiest = weeks.reduce((a, b) => (b.submissions > a.submissions ? b : a))
	return (
		<figure className="throughput">
			<svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`} className="throughput-chart">
				<title id={titleId}>Moderation per week</title>
				<desc id={descId}>
					{`${weeks.length} weeks from ${weeks[0]!.week}; ${throughput.decisions} decisions in all, median time to decision ${formatDuration(throughput.medianMs)}; most submissions in the week of ${busiest.week} (${busiest.submissions}).`}
				</desc>
				{[0, 0.5, 1].map((f) => (
					<g key={f} className="axis">
						<line x1={pad.left} x2={width - pad.right} y1={pad.top + plotH * (1 - f)} y2={pad.top + plotH * (1 - f)} />
						<text x={pad.left - 6} y={pad.top + plotH * (1 - f) + 4} textAnchor="end">
							{Math.round(maxCount * f)}
						</text>
						<text x={width - pad.right + 6} y={pad.top + plotH * (1 - f) + 4}>
							{`${(maxHours * f).toFixed(maxHours < 10 ? 1 : 0)} h`}
						</text>
					</g>
				))}
				{weeks.map((w, i) => {
					const x = pad.left + slot * i + slot / 2
					return (
						<g key={w.week}>
							<rect className="bar-submissions" x={x - bar - 1} y={y(w.submissions)} width={bar} height={pad.top + plotH - y(w.submissions)} />
							<rect className="bar-decisions" x={x + 1} y={y(w.decisions)} width={bar} height={pad.top + plotH - y(w.decisions)} />
							{i % labelEvery === 0 ? (
								<text className="axis-label" x={x} y={height - pad.bottom + 16} textAnchor="middle">
									{w.week.slice(5)}
								</text>
							) : null}
						</g>
					)
				})}
				{points.length > 1 ? <polyline className="line-median" points={points.join(' ')} /> : null}
				{points.map((p) => {
					const [cx, cy] = p.split(',')
					return <circle key={p} className="dot-median" cx={cx} cy={cy} r={3.5} />
				})}
				<text className="axis-label" x={pad.left} y={height - 6}>
					Week starting (month-day)
				</text>
			</svg>
			<figcaption className="legend">
				<span className="key key-submissions" aria-hidden="true" /> Submissions <span className="key key-decisions" aria-hidden="true" /> Decisions{' '}
				<span className="key key-median" aria-hidden="true" /> Median time to decision (right scale)
			</figcaption>
			<details className="throughput-table">
				<summary>The chart as a table</summary>
				<table>
					<caption className="sr-only">Moderation per week</caption>
					<thead>
						<tr>
							<th scope="col">Week starting</th>
							<th scope="col" className="number">
								Submissions
							</th>
							<th scope="col" className="number">
								Decisions
							</th>
							<th scope="col" className="number">
								Median time to decision
							</th>
						</tr>
					</thead>
					<tbody>
						{weeks.map((w) => (
							<tr key={w.week}>
								<th scope="row">{w.week}</th>
								<td className="number">{w.submissions}</td>
								<td className="number">{w.decisions}</td>
								<td className="number">{formatDuration(w.medianMs)}</td>
							</tr>
						))}
					</tbody>
				</table>
			</details>
		</figure>
	)
}
