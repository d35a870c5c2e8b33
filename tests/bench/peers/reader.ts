/**
 * The public reader workload of `npm run bench:peers` (filled in below).
 */
import type { PeerServer } from './servers.ts'

export interface ReaderTargetFigures {
	requestsPerSecond: number
	p50Ms: number
	p99Ms: number
	errors: number
	bytesPerPage: number
}

export interface ReaderFigures {
	status: 'measured' | 'not available'
	scholion?: ReaderTargetFigures
	static?: ReaderTargetFigures
	note?: string
}

export async function runReader(options: {
	start: () => Promise<PeerServer>
	stop: () => Promise<void>
	databaseUrl: string
	seconds: number
	progress: (message: string) => void
}): Promise<ReaderFigures> {
	void options
	return { status: 'not available', note: 'the reader page /read/:documentId/e/:n does not exist yet' }
}
