/**
 * The results of `npm run bench:peers`: the JSON report's shape, the
 * Markdown tables (absolute figures and Scholion/peer ratios, the targets'
 * verdicts) and an SVG chart of p99 latency against clients in one document.
 */
import type { ServerKind } from './clients.ts'
import type { ColdOpenFigures } from './cold-open.ts'
import type { DurabilityFigures } from './durability.ts'
import type { ReaderFigures } from './reader.ts'
import type { CapacityFigures, SyncFigures } from './sync-workloads.ts'

export interface PeersReport {
	startedAt: string
	commit: string
	uncommittedChanges: boolean
	machine: { cpus: number; cpuModel: string; loadAverageBefore: number[]; loadAverageAfter: number[] }
	node: string
	versions: Record<string, string>
	settings: Record<string, unknown>
	servers: ServerKind[]
	steady: Partial<Record<ServerKind, SyncFigures[]>>
	capacity: Partial<Record<ServerKind, CapacityFigures>>
	durability: Partial<Record<ServerKind, DurabilityFigures>>
	cold: Partial<Record<ServerKind, ColdOpenFigures>>
	reader: ReaderFigures | null
	profile: { file: string; byPackage: unknown[]; byFunction: unknown[] } | null
}

const peers = (report: PeersReport) => report.servers.filter((k) => k !== 'scholion')

/** Scholion's figure over the peer's, as "0.42×"; "–" when either is missing. */
function ratio(scholion: number | undefined, peer: number | undefined): string {
	if (scholion === undefined || peer === undefined || !Number.isFinite(scholion) || !Number.isFinite(peer)) return '–'
	if (peer === 0) return scholion === 0 ? '1×' : '∞'
	return `${(scholion / peer).toFixed(2)}×`
}

export interface TargetVerdict {
	target: string
	met: boolean | null
	detail: string
}

export function targets(report: PeersReport): TargetVerdict[] {
	const verdicts: TargetVerdict[] = []
	const others = peers(report)
	const p99At100 = (k: ServerKind) => report.steady[k]?.find((s) => s.scenario === '1doc-100')?.latencyMs.p99
	const s99 = p99At100('scholion')
	const best99 = Math.min(...others.map((k) => p99At100(k) ?? Infinity))
	if (s99 !== undefined && Number.isFinite(best99)) {
		verdicts.push({ target: 'p99 at 100 clients ≤ half the best peer’s', met: s99 <= best99 / 2, detail: `${s99} ms vs best peer ${best99} ms (limit ${best99 / 2} ms)` })
	}
	const cap = (k: ServerKind) => report.capacity[k]?.clientsReached
	const sCap = cap('scholion')
	const bestCap = Math.max(...others.map((k) => cap(k) ?? -Infinity))
	if (sCap !== undefined && Number.isFinite(bestCap)) {
		const ceiling = report.capacity.scholion?.stoppedBy.startsWith('the largest step')
		verdicts.push({
			target: 'capacity ≥ 1.5 × the best peer’s',
			met: sCap >= 1.5 * bestCap ? true : ceiling ? null : false,
			detail: `${sCap} clients vs best peer ${bestCap} (needs ${1.5 * bestCap})${ceiling ? '; Scholion reached the largest step tried' : ''}`,
		})
	}
	const lost = report.durability.scholion?.lost
	if (lost !== undefined) verdicts.push({ target: '0 lost edits', met: lost === 0, detail: `${lost} lost of ${report.durability.scholion!.confirmed} confirmed` })
	const mem = (k: ServerKind) => report.cold[k]?.memoryPerDocumentMiB
	const sMem = mem('scholion')
	const bestMem = Math.min(...others.map((k) => mem(k) ?? Infinity))
	if (sMem !== undefined && Number.isFinite(bestMem)) {
		verdicts.push({ target: 'memory per loaded document ≤ the best peer’s', met: sMem <= bestMem, detail: `${sMem} MiB vs best peer ${bestMem} MiB` })
	}
	const reader = report.reader
	if (reader?.status === 'measured' && reader.scholion && reader.static) {
		verdicts.push({
			target: 'reader ≥ 1/3 of the static ceiling’s requests/s',
			met: reader.scholion.requestsPerSecond >= reader.static.requestsPerSecond / 3,
			detail: `${reader.scholion.requestsPerSecond} vs ${reader.static.requestsPerSecond} req/s (needs ${Math.round(reader.static.requestsPerSecond / 3)})`,
		})
	} else {
		verdicts.push({ target: 'reader ≥ 1/3 of the static ceiling’s requests/s', met: null, detail: reader?.note ?? 'not run' })
	}
	return verdicts
}

export function markdownReport(report: PeersReport): string {
	const out: string[] = []
	const others = peers(report)
	out.push(
		`Peers benchmark, ${report.startedAt}, commit ${report.commit.slice(0, 10)}${report.uncommittedChanges ? ' (+ uncommitted changes)' : ''}; ` +
			`${report.machine.cpus} CPUs, load average ${report.machine.loadAverageBefore.join(' ')} before, ${report.machine.loadAverageAfter.join(' ')} after; ` +
			`Node ${report.node}; ${Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
	)
	const steadyNames = [...new Set(report.servers.flatMap((k) => (report.steady[k] ?? []).map((s) => s.scenario)))]
	if (steadyNames.length > 0) {
		out.push('', '**Steady fan-out** (`--workloads steady`): edit-to-peer latency at 100 small edits/s per scenario, 10 writers per document.', '')
		out.push('| scenario | server | p50 ms | p99 ms | max ms | delivered / expected | server CPU % | server RSS peak MiB | generator CPU % | other processes CPU % |')
		out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
		for (const name of steadyNames) {
			for (const kind of report.servers) {
				const s = report.steady[kind]?.find((f) => f.scenario === name)
				if (s) out.push(`| ${name} | ${kind} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ${s.delivered} / ${s.expected} | ${s.serverCpuPercent} | ${s.serverRssPeakMiB} | ${s.generatorCpuPercent} | ${s.otherCpuPercent} |`)
			}
		}
		out.push('', '| scenario | ' + others.map((p) => `p99 Scholion/${p} | p50 Scholion/${p}`).join(' | ') + ' |')
		out.push('|---|' + others.map(() => '---:|---:').join('|') + '|')
		for (const name of steadyNames) {
			const s = report.steady.scholion?.find((f) => f.scenario === name)
			out.push(`| ${name} | ` + others.map((p) => {
				const f = report.steady[p]?.find((x) => x.scenario === name)
				return `${ratio(s?.latencyMs.p99, f?.latencyMs.p99)} | ${ratio(s?.latencyMs.p50, f?.latencyMs.p50)}`
			}).join(' | ') + ' |')
		}
	}
	if (Object.keys(report.capacity).length > 0) {
		out.push('', '**Capacity** (`--workloads capacity`): clients in one document until p99 passes 100 ms (or a frame is lost).', '')
		out.push('| server | clients reached | Scholion / server | steps (clients: p99 ms, generator CPU %) | stopped by |')
		out.push('|---|---:|---:|---|---|')
		for (const kind of report.servers) {
			const c = report.capacity[kind]
			if (c) out.push(`| ${kind} | ${c.clientsReached} | ${ratio(report.capacity.scholion?.clientsReached, c.clientsReached)} | ${c.steps.map((s) => `${s.clients}: ${s.latencyMs.p99}, ${s.generatorCpuPercent} %`).join('; ')} | ${c.stoppedBy} |`)
		}
	}
	if (Object.keys(report.durability).length > 0) {
		out.push('', '**Durability** (`--workloads durability`): 20 clients at 100 edits/s in all; SIGKILL at a random moment, the clients closed in the same tick; a fresh client after the restart.', '')
		out.push('| server | killed after ms | edits sent | confirmed before the kill | confirmed and lost | unconfirmed and missing | restart ms |')
		out.push('|---|---:|---:|---:|---:|---:|---:|')
		for (const kind of report.servers) {
			const d = report.durability[kind]
			if (d) out.push(`| ${kind} | ${d.killAfterMs} | ${d.sent} | ${d.confirmed} | **${d.lost}** | ${d.unconfirmedMissing} | ${d.restartMs} |`)
		}
	}
	if (Object.keys(report.cold).length > 0) {
		out.push('', '**Cold open** (`--workloads cold`): 30,000-word documents with a history of updates, after a restart; a fresh client per document.', '')
		out.push('| server | documents × updates | time to synced ms (median; each) | complete | RSS before MiB | RSS loaded MiB | memory per loaded document MiB | Scholion / server (time; memory) |')
		out.push('|---|---|---:|---|---:|---:|---:|---:|')
		for (const kind of report.servers) {
			const c = report.cold[kind]
			const s = report.cold.scholion
			if (c) out.push(`| ${kind} | ${c.documents} × ${c.updatesPerDocument} | ${c.syncedMsMedian} (${c.syncedMs.join(', ')}) | ${c.complete ? 'yes' : '**no**'} | ${c.rssBeforeMiB} | ${c.rssLoadedMiB} | ${c.memoryPerDocumentMiB} | ${ratio(s?.syncedMsMedian, c.syncedMsMedian)}; ${ratio(s?.memoryPerDocumentMiB, c.memoryPerDocumentMiB)} |`)
		}
	}
	const reader = report.reader
	if (reader) {
		out.push('', '**Public reader** (`--workloads reader`):', '')
		if (reader.status === 'measured' && reader.scholion && reader.static) {
			out.push('| server | requests/s | p50 ms | p99 ms | errors | bytes per page |')
			out.push('|---|---:|---:|---:|---:|---:|')
			for (const [name, r] of [['Scholion /read', reader.scholion], ['static file (bare node:http)', reader.static]] as const) {
				out.push(`| ${name} | ${r.requestsPerSecond} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.bytesPerPage} |`)
			}
			out.push('', `Scholion / static: ${ratio(reader.scholion.requestsPerSecond, reader.static.requestsPerSecond)} requests/s. ${reader.note ?? ''}`)
		} else {
			out.push(`Not measured: ${reader.note}.`)
		}
	}
	out.push('', '**Targets**', '')
	for (const t of targets(report)) out.push(`- ${t.met === true ? 'met' : t.met === false ? 'MISSED' : 'not decided'}: ${t.target} — ${t.detail}`)
	return out.join('\n')
}

const colours: Record<ServerKind, string> = { scholion: '#1b6ac9', hocuspocus: '#d1495b', 'y-websocket': '#2e933c' }

/** p99 edit-to-peer latency against clients in one document (steady and capacity steps), one line per server. */
export function latencySvg(report: PeersReport): string {
	const width = 640
	const height = 380
	const margin = { left: 60, right: 150, top: 40, bottom: 50 }
	const series = report.servers.map((kind) => {
		const points = new Map<number, number>()
		for (const s of report.steady[kind] ?? []) if (s.documents === 1) points.set(s.clients, s.latencyMs.p99)
		for (const s of report.capacity[kind]?.steps ?? []) if (!points.has(s.clients)) points.set(s.clients, s.latencyMs.p99)
		return { kind, points: [...points].sort((a, b) => a[0] - b[0]) }
	})
	const all = series.flatMap((s) => s.points)
	const maxX = Math.max(100, ...all.map((p) => p[0]))
	const yCap = 400
	const maxY = Math.min(yCap, Math.max(50, ...all.map((p) => p[1])))
	const x = (v: number) => margin.left + (v / maxX) * (width - margin.left - margin.right)
	const y = (v: number) => height - margin.bottom - (Math.min(v, maxY) / maxY) * (height - margin.top - margin.bottom)
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
		`<title>p99 edit-to-peer latency against clients in one document</title>`,
		`<rect width="100%" height="100%" fill="#fff"/>`,
		`<text x="${margin.left}" y="22" font-size="14">p99 edit-to-peer latency (ms) vs clients in one document — ${report.startedAt.slice(0, 10)}, 100 edits/s</text>`,
	]
	for (let i = 0; i <= 5; i++) {
		const v = (maxY / 5) * i
		parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`)
		parts.push(`<text x="${margin.left - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`)
	}
	const ticks = [...new Set(all.map((p) => p[0]))].sort((a, b) => a - b)
	for (const t of ticks) parts.push(`<text x="${x(t)}" y="${height - margin.bottom + 18}" text-anchor="middle">${t}</text>`)
	parts.push(`<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle">clients in one document</text>`)
	parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(100)}" y2="${y(100)}" stroke="#999" stroke-dasharray="4 4"/>`)
	parts.push(`<text x="${width - margin.right - 4}" y="${y(100) - 4}" text-anchor="end" fill="#666">100 ms (capacity limit)</text>`)
	for (const [index, s] of series.entries()) {
		const colour = colours[s.kind]
		if (s.points.length > 0) {
			parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${s.points.map(([cx, cy]) => `${x(cx).toFixed(1)},${y(cy).toFixed(1)}`).join(' ')}"/>`)
			for (const [cx, cy] of s.points) parts.push(`<circle cx="${x(cx).toFixed(1)}" cy="${y(cy).toFixed(1)}" r="3" fill="${colour}"><title>${s.kind}, ${cx} clients: p99 ${cy} ms</title></circle>`)
		}
		const ly = margin.top + 20 + index * 20
		parts.push(`<line x1="${width - margin.right + 12}" x2="${width - margin.right + 32}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`)
		parts.push(`<text x="${width - margin.right + 38}" y="${ly + 4}">${s.kind}</text>`)
	}
	if (all.some((p) => p[1] > yCap)) parts.push(`<text x="${margin.left + 4}" y="${margin.top + 4}" fill="#666">values above ${yCap} ms drawn at the top</text>`)
	parts.push('</svg>')
	return parts.join('\n') + '\n'
}
