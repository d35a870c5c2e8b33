import { readFileSync } from 'node:fs'

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) that a self-time summary needs. */
interface CpuProfile {
	nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
	/** Microseconds on the monotonic clock `process.hrtime` reads, on Linux. */
	startTime: number
	endTime: number
	samples: number[]
	timeDeltas: number[]
}

export interface SelfTime {
	/** `function (file:line)` or `package` */
	name: string
	/** Wall time inside the windows, shared out in proportion to the samples. */
	ms: number
	/** Share of the samples inside the windows, idle included. */
	percent: number
}

export interface ProfileSummary {
	/** Sampled time inside the windows, in ms. */
	sampledMs: number
	/** Whether the samples could be limited to the windows (else the whole profile is summarized). */
	windowed: boolean
	byFunction: SelfTime[]
	/** The same time grouped by package (yjs, ws, pglite, ...) or by V8's pseudo-nodes ((garbage collector), (idle)). */
	byPackage: SelfTime[]
}

/**
 * Self time per function in a CPU profile, counting only samples inside
 * `windows` (pairs of `process.hrtime` readings in µs, start and end). V8
 * stamps samples with the same monotonic clock, so the bench's measurement
 * windows select the server's samples directly.
 */
export function summarizeCpuProfile(file: string, windows: [number, number][], top = 15): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
	const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
	const windowed = windows.some(([start, end]) => start < profile.endTime && end > profile.startTime)
	const inWindow = (time: number) => !windowed || windows.some(([start, end]) => time >= start && time < end)

	// Counted in samples, not in the time between them: when the machine is
	// busy the process is descheduled, and the whole gap would otherwise be
	// charged to whichever function happened to be sampled next.
	const byFunction = new Map<string, number>()
	const byPackage = new Map<string, number>()
	let samples = 0
	let wallMicros = 0
	let time = profile.startTime
	for (let i = 0; i < profile.samples.length; i++) {
		const delta = profile.timeDeltas[i] ?? 0
		time += delta
		if (!inWindow(time)) continue
		const frame = frames.get(profile.samples[i]!)
		if (!frame) continue
		samples++
		wallMicros += delta
		const functionName = frame.functionName || '(anonymous)'
		const place = frame.url ? ` (${shortPath(frame.url)}:${frame.lineNumber + 1})` : ''
		add(byFunction, functionName + place)
		add(byPackage, packageOf(frame.url, functionName))
	}
	const ranked = (map: Map<string, number>) =>
		[...map]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([name, count]) => {
				const share = count / (samples || 1)
				return { name, ms: round((share * wallMicros) / 1000), percent: round(share * 100) }
			})
	return { sampledMs: round(wallMicros / 1000), windowed, byFunction: ranked(byFunction), byPackage: ranked(byPackage) }
}

function add(map: Map<string, number>, key: string) {
	map.set(key, (map.get(key) ?? 0) + 1)
}

function shortPath(url: string): string {
	const path = url.replace(/^file:\/\//, '')
	const inModules = path.lastIndexOf('/node_modules/')
	if (inModules >= 0) return path.slice(inModules + '/node_modules/'.length)
	const inRepo = /\/(server|app|db|build|tests|seeds)\//.exec(path)
	return inRepo ? path.slice(inRepo.index + 1) : path
}

function packageOf(url: string, functionName: string): string {
	if (!url) return functionName.startsWith('(') ? functionName : '(native / V8 builtins)'
	const path = url.replace(/^file:\/\//, '')
	const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path.slice(path.lastIndexOf('/node_modules/')))
	if (match?.[1]) return match[1]
	if (path.startsWith('node:')) return 'node core'
	const inRepo = /\/(server|app|db|build|tests|seeds)\//.exec(path)
	return inRepo ? `scholion ${inRepo[1]}/` : path
}

function round(n: number): number {
	return Math.round(n * 10) / 10
}
