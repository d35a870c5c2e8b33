import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ServerWindowStats } from './server-probe.ts'

/**
 * The production server as a child process, exactly as `npm start` runs it
 * (`NODE_ENV=production`, server/main.ts through tsx), plus what /proc says
 * about it. The child is started as `node --import tsx` rather than through
 * the tsx CLI, which would put a wrapper process between us and the server
 * and leave us sampling the wrong pid.
 */
export interface ServerProcess {
	/** Where the server listens, such as http://127.0.0.1:39123. */
	url: string
	pid: number
	/** The last lines the server printed (stdout and stderr), for error reports. */
	outputTail(): string[]
	/** Lines the server wrote to stderr since it started: `console.error`s, warnings, crashes. */
	stderrLines(): number
	/** Stops the server (SIGTERM, then SIGKILL after `graceMs`); resolves once it has exited. */
	stop(graceMs?: number): Promise<void>
	/** Rejects if the server exits before `stop()` is called. */
	exited: Promise<never>
	/** Opens a measurement window in the server's probe (event-loop delay, GC). */
	startWindow(): void
	/** Closes the window; resolves with what the probe recorded in it, or null if it does not answer in time. */
	endWindow(): Promise<ServerWindowStats | null>
}

export interface ServerProcessOptions {
	root: string
	/** Added to (and overriding) the parent's environment. `undefined` removes a variable. */
	env: Record<string, string | undefined>
	/** Write a V8 CPU profile of the whole run into this folder (`node --cpu-prof`). */
	cpuProfileDir?: string
	startTimeoutMs?: number
}

const probe = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'server-probe.ts')).href
const listeningLine = /Scholion is running at (http:\/\/\S+)/
const tailLength = 60

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
	const env: NodeJS.ProcessEnv = { ...process.env }
	for (const [name, value] of Object.entries(options.env)) {
		if (value === undefined) delete env[name]
		else env[name] = value
	}
	const nodeArgs = [
		...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
		'--import',
		'tsx',
		'--import',
		probe,
		'server/main.ts',
	]
	const child = spawn(process.execPath, nodeArgs, { cwd: options.root, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
	if (child.pid === undefined) throw new Error('the server process could not be started')
	const pid = child.pid

	const tail: string[] = []
	let stderrCount = 0
	let stopping = false
	const remember = (line: string) => {
		tail.push(line)
		if (tail.length > tailLength) tail.shift()
	}
	const exitedOrKilled = new Promise<void>((resolve) => child.once('exit', () => resolve()))
	// Whatever ends the bench (a crash included), the server must not outlive it.
	const killOnExit = () => child.kill('SIGTERM')
	process.once('exit', killOnExit)
	child.once('exit', () => process.off('exit', killOnExit))
	const exited = new Promise<never>((_, reject) => {
		// 'close' rather than 'exit': it comes after the output, so the tail holds the reason.
		child.once('close', (code, signal) => {
			if (!stopping) reject(new Error(`the server exited unexpectedly (${signal ?? `code ${code}`})`))
		})
	})
	// Nobody may be listening to `exited` yet; an unexpected exit is still reported by whoever awaits it.
	exited.catch(() => {})

	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`the server did not start within ${options.startTimeoutMs ?? 60_000} ms`)),
			options.startTimeoutMs ?? 60_000,
		)
		lines(child, 'stdout', (line) => {
			remember(line)
			const match = listeningLine.exec(line)
			if (match?.[1]) {
				clearTimeout(timer)
				resolve(match[1])
			}
		})
		lines(child, 'stderr', (line) => {
			stderrCount++
			remember(`[stderr] ${line}`)
		})
		exited.catch((error: Error) => {
			clearTimeout(timer)
			reject(new Error(`${error.message} while starting:\n${tail.join('\n')}`))
		})
	})

	return {
		url,
		pid,
		exited,
		outputTail: () => [...tail],
		startWindow() {
			child.send('window-start')
		},
		endWindow() {
			return new Promise<ServerWindowStats | null>((resolve) => {
				// Generous: a saturated bench may read the answer late, long after it arrived.
				const timer = setTimeout(() => resolve(null), 60_000)
				child.once('message', (message) => {
					clearTimeout(timer)
					resolve(message as ServerWindowStats)
				})
				child.send('window-end')
			})
		},
		stderrLines: () => stderrCount,
		async stop(graceMs = 15_000) {
			if (child.exitCode !== null || child.signalCode !== null) return
			stopping = true
			child.kill('SIGTERM')
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
			await exitedOrKilled
			clearTimeout(timer)
		},
	}
}

function lines(child: ChildProcess, stream: 'stdout' | 'stderr', onLine: (line: string) => void) {
	let pending = ''
	child[stream]?.setEncoding('utf8')
	child[stream]?.on('data', (chunk: string) => {
		pending += chunk
		const parts = pending.split('\n')
		pending = parts.pop() ?? ''
		for (const line of parts) onLine(line)
	})
}

const clockTicksPerSecond = (() => {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
	} catch {
		return 100
	}
})()

/** CPU time (user + system) the process has used so far, in seconds: /proc/<pid>/stat utime + stime. */
export function cpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
	// The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
	const utime = Number(fields[11])
	const stime = Number(fields[12])
	return (utime + stime) / clockTicksPerSecond
}

/** Resident memory now and its high-water mark over the process's life, in KiB: /proc/<pid>/status. */
export function memoryKiB(pid: number): { rss: number; highWaterMark: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8')
	const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
	return { rss: field('VmRSS'), highWaterMark: field('VmHWM') }
}

/** CPU time every process on the machine has used so far, in seconds summed over cores: /proc/stat. */
export function machineCpuSeconds(): number {
	const [line = ''] = readFileSync('/proc/stat', 'utf8').split('\n')
	// cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
	const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
	return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / clockTicksPerSecond
}
